"""Every command given bad arguments: exit 2 (usage) or 1 (data), one line saying what is wrong, no traceback.

One repository (a record of each kind, one commit, a plain file `afile`) serves every case;
no case may change it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import Runner, commit_all, git, make_repo, sample, write_record

LAUNCH = "2023-08-30-srbm"
SOURCE_JSON = json.dumps({"publisher": "p", "title": "t", "date": "2023", "quote": "q"})
ADD = ["--date", "2023-11-21", "--title", "A launch", "--summary", "s.", "--category", "SRBM", "--source", SOURCE_JSON]
MISSING = "/nonexistent/dprk-repo"

# (arguments, exit code, a piece of the one line). {missing} is a folder that does not exist.
CASES: list[tuple[list[str], int, str]] = [
    # validate
    (["validate", "--repo", MISSING], 2, "does not exist"),
    (["validate", "--changed-since", "no-such-rev"], 2, "unknown revision 'no-such-rev'"),
    (["validate", "--changed-since", "HEAD...no-such-rev"], 2, "unknown revision"),
    (["validate", "--format", "xml"], 2, "--format"),
    (["validate", "records/launches/2099-01-01-none.yaml"], 2, "no such file"),
    (["validate", "--jobs", "0"], 2, "--jobs"),
    (["validate", "x\ny"], 2, "x\\ny: no such file"),  # a newline in a name is shown, not printed
    # schema
    (["schema", "no-such-kind"], 2, "unknown kind 'no-such-kind'"),
    (["schema", "--format", "xml"], 2, "--format"),
    (["schema", "--repo", MISSING], 2, "does not exist"),
    # query
    (["query", "no-such-kind"], 2, "unknown kind 'no-such-kind'"),
    (["query", "--where", "bogus=1"], 2, "unknown field 'bogus' in --where"),
    (["query", "launches", "--where", "=1"], 2, "expected FIELD OP VALUE"),
    (["query", "--where", "count<abc"], 2, "count is a number, and 'abc' is not one"),
    (["query", "--where", "count>=nan"], 2, "'nan' is not one"),
    (["query", "--where", "date>2023-13"], 2, "is not a date"),
    (["query", "--since", "2023-02-30"], 2, "--since: '2023-02-30' is not a day on the calendar"),
    (["query", "--until", "yesterday"], 2, "--until: 'yesterday' is not a date (YYYY, YYYY-MM or YYYY-MM-DD)"),
    (["query", "--fields", "id,bogus"], 2, "unknown field 'bogus' in --fields"),
    (["query", "--sort", "-bogus"], 2, "unknown field 'bogus' in --sort"),
    (["query", "--explode", "title"], 2, "is not a list field"),
    (["query", "--limit", "-1"], 2, "--limit -1 is negative"),
    (["query", "--style", "no-such-style"], 2, "unknown table style"),
    (["query", "--csv", "--json"], 2, "choose one output format: --csv, --json"),
    (["query", "--repo", MISSING], 2, "does not exist"),
    (["query", "--since", ""], 2, "--since: '' is not a date"),
    (["query", "--until", ""], 2, "--until: '' is not a date"),
    (["query", "--explode", ""], 2, "--explode was given no field name"),
    (["query", "--fields", ""], 2, "--fields was given no field names"),
    (["query", "--fields", ",,"], 2, "--fields was given no field names"),
    (["query", "--style", ""], 2, "unknown table style ''"),
    (["query", "--repo", "afile"], 2, "'afile' is a file, not a repository folder"),
    (["query", "--repo", "records"], 2, "is not a dprk-records repository (it needs schema/ and records/)"),
    # export
    (["export", "no-such-kind", "-o", "out.csv"], 2, "unknown kind"),
    (["export", "--where", "bogus~x", "-o", "out.csv"], 2, "unknown field 'bogus' in --where"),
    (["export", "--where", "count", "-o", "out.csv"], 2, "expected FIELD OP VALUE"),
    (["export", "--since", "2023-00", "-o", "out.csv"], 2, "is not a date"),
    (["export", "--fields", "nope", "-o", "out.csv"], 2, "unknown field 'nope' in --fields"),
    (["export", "--format", "xml"], 2, "--format"),
    (["export", "--format", "sqlite"], 2, "--format sqlite needs -o FILE"),
    (["export", "-o", "afile/out.csv"], 2, "'afile' is a file, not a folder"),
    (["export", "--format", "sqlite", "-o", "afile/out.sqlite"], 2, "'afile' is a file, not a folder"),
    (["export", "-o", "no-such-folder/out.csv"], 2, "folder 'no-such-folder' does not exist"),
    (["export", "-o", "records"], 2, "is a folder"),
    (["export", "-o", "afile"], 2, "'afile' already exists"),
    (["export", "-o", os.devnull, "--force"], 2, "is not a regular file"),
    (["export", "-o", "alink", "--force"], 2, "'alink' is not a regular file"),
    (["export", "--repo", MISSING], 2, "does not exist"),
    (["export", "-o", ""], 2, "-o was given an empty file name"),
    (["export", "--since", "", "-o", "out.csv"], 2, "--since: '' is not a date"),
    # show
    (["show", "2099-01-01-no-such-record"], 2, "no record with id '2099-01-01-no-such-record'"),
    (["show", "../x"], 2, "'../x' is not a record id"),
    (["show", "a/b"], 2, "'a/b' is not a record id"),
    (["show", ".."], 2, "'..' is not a record id"),
    (["show", "..\\x"], 2, "is not a record id"),
    (["show"], 2, "ID"),
    (["show", "--repo", MISSING, LAUNCH], 2, "does not exist"),
    # stats
    (["stats", "no-such-kind"], 2, "unknown kind"),
    (["stats", "--where", "bogus=1"], 2, "unknown field 'bogus' in --where"),
    (["stats", "--where", "count>"], 2, "count is a number"),
    (["stats", "--since", "2023-02-29"], 2, "is not a day on the calendar"),
    (["stats", "--by", "week"], 2, "--by"),
    (["stats", "--repo", MISSING], 2, "does not exist"),
    # add
    (["add", "no-such-kind"], 2, "unknown kind 'no-such-kind'"),
    (["add", "launch", *ADD, "--bogus", "1"], 2, "--bogus"),
    (["add", "launch", *ADD, "--date", "2023-02-30"], 2, "--date: '2023-02-30' is not a day on the calendar"),
    (["add", "launch", *ADD, "--date", "21 Nov 2023"], 2, "is not a date"),
    (["add", "launch", *ADD, "--id", "../x"], 2, "'../x' is not a record id"),
    (["add", "launch", *ADD, "--id", "a/b"], 2, "'a/b' is not a record id"),
    (["add", "launch", *ADD, "--count", "many"], 2, "--count: 'many' is not a whole number"),
    (["add", "launch", *ADD, "--category", "NOPE"], 2, "--category"),
    (["add", "launch", *ADD, "--source", "{not json"], 2, "--source: not valid JSON"),
    (["add", "launch", *ADD, "--id", LAUNCH], 1, "already exists; records are never overwritten"),
    (["add", "launch", *ADD, "--from-file", "no-such-file.yaml"], 2, "no such file"),
    (["add", "launch", "--from-file", "afile"], 1, "afile:1:1: the top level must be a mapping"),
    (["add", "launch", "--from-file", "records"], 2, "records: is a folder, not a file"),
    (["add", "--repo", "/", "launch", *ADD], 2, "is not a dprk-records repository"),
    (["add", "launch", "--no-input"], 2, "a launch needs --date"),
    (
        ["add", "launch", "--from-file", "afile.json"],
        1,
        "afile.json: the launch lacks required fields: title, summary, category, sources",
    ),
    (["stats", "--until", ""], 2, "--until: '' is not a date"),
    (["add", "--repo", MISSING, "launch", *ADD], 2, "does not exist"),
    (["add", "launch", *ADD, "--repo", MISSING], 2, "does not exist"),
    # update
    (["update", "2099-01-01-no-such-record", "--count", "3"], 2, "no record with id '2099-01-01-no-such-record'"),
    (["update", "../x", "--count", "3"], 2, "'../x' is not a record id"),
    (["update", "a/b", "--count", "3"], 2, "'a/b' is not a record id"),
    (["update", LAUNCH, "--bogus", "3"], 2, "--bogus"),
    (["update", LAUNCH, "--unset", "bogus"], 2, "launch has no field 'bogus'"),
    (["update", LAUNCH, "--date", "2023-02-30"], 2, "--date: '2023-02-30' is not a day on the calendar"),
    (["update", LAUNCH, "--count", "3.5"], 2, "--count: '3.5' is not a whole number"),
    (["update", LAUNCH, "--from-file", "no-such-file.yaml"], 2, "no such file"),
    (
        ["update", LAUNCH, "--unset", "count", "--count", "5"],
        2,
        "--unset count and a new value for count were both given",
    ),
    (
        ["update", LAUNCH, "--count", "5", "--unset", "count"],
        2,
        "--unset count and a new value for count were both given",
    ),
    (["update", LAUNCH, "--count", "3", "--repo", MISSING], 2, "does not exist"),
    (["update", "--repo", MISSING, LAUNCH, "--count", "3"], 2, "does not exist"),
    # diff
    (["diff", "no-such-rev"], 2, "unknown revision 'no-such-rev'"),
    (["diff", "no-such-rev..HEAD"], 2, "unknown revision 'no-such-rev'"),
    (["diff", "HEAD...no-such-rev"], 2, "unknown revision 'no-such-rev'"),
    (["diff", "--", "--output=x"], 2, "is not a revision"),
    (["diff", "HEAD", "extra"], 2, "extra"),
    (["diff", "--format", "xml"], 2, "--format"),
    (["diff", "--repo", MISSING], 2, "does not exist"),
    # log
    (["log", "2099-01-01-no-such-record"], 2, "no record with id '2099-01-01-no-such-record'"),
    (["log", "../x"], 2, "'../x' is not a record id"),
    (["log", "a/b"], 2, "'a/b' is not a record id"),
    (["log", LAUNCH, "--format", "xml"], 2, "--format"),
    (["log", "--repo", MISSING, LAUNCH], 2, "does not exist"),
    # reactions
    (["reactions", "meetings"], 2, "reactions are for launch, nuclear-test, not meeting"),
    (["reactions", "--by", "week"], 2, "--by"),
    (["reactions", "--fields", "bogus"], 2, "unknown field 'bogus' in --fields"),
    (["reactions", "--explode", "responses"], 2, "--explode does not apply to reactions"),
    # votes
    (["votes", "--fields", "bogus"], 2, "unknown field 'bogus' in --fields"),
    (["votes", "launches"], 2, "votes come from meeting, statement, not launch"),
    (["votes", "--chart", "x.gif"], 2, "a chart is an .svg or .png file"),
    (["votes", "--chart", "records/launches/x.svg"], 2, "inside records/"),
    (["reactions", "--where", "bogus=1"], 2, "unknown field 'bogus' in --where"),
    # rename
    (["rename", LAUNCH], 2, "NEW"),
    (["rename", LAUNCH, "2023-08-24-sg-statement"], 1, "already exists"),
    (["rename", "2099-01-01-none", "2099-01-02-x"], 2, "no record with id '2099-01-01-none'"),
    (["rename", LAUNCH, "../x"], 2, "is not a record id"),
    # chart
    (["chart"], 2, "-o"),
    (["chart", "-o", "x.gif"], 2, "a chart is an .svg or .png file"),
    (["chart", "meetings", "-o", "x.svg"], 2, "reactions are for launch, nuclear-test, not meeting"),
    (["chart", "-o", "records/launches/x.svg"], 2, "inside records/"),
    # serve
    (["serve", "--port", "99999"], 2, "--port"),
    (["serve", "--repo", MISSING], 2, "does not exist"),
    # site
    (["site", "-o", ""], 2, "-o was given an empty folder name"),
    (["site", "-o", "afile"], 2, "afile exists and is not a folder"),
    (["site", "-o", "records"], 2, "which holds the repository's own files"),
    (["site", "-o", "."], 2, "is the repository's own folder; the site needs a folder of its own"),
    (["site", "--repo", MISSING, "-o", "x"], 2, "does not exist"),
    # fmt
    (["fmt", "records/launches/2099-01-01-none.yaml"], 2, "no such file"),
    (["fmt", "/etc/hostname"], 2, "outside the repository"),
    (["fmt", "--repo", MISSING], 2, "does not exist"),
]


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_repo(tmp_path_factory.mktemp("bad-arguments") / "repo")
    for kind in ("launch", "meeting", "statement", "sanctions-report"):
        write_record(root, kind, sample(kind))
    (root / "afile").write_text("just text\n")
    (root / "afile.json").write_text('{"date": "2023-11-21"}')
    (root / "alink").symlink_to("afile")
    (root / ".gitignore").write_text(".dprk-cache/\n")
    commit_all(root, "start")
    return root


@pytest.fixture
def run_shared(shared: Path, monkeypatch: pytest.MonkeyPatch) -> Runner:
    monkeypatch.delenv("DPRK_REPO", raising=False)
    monkeypatch.delenv("DPRK_DEBUG", raising=False)
    return Runner(shared)


def one_line(result) -> str:
    text = (result.stdout + result.stderr).strip("\n")
    assert "Traceback" not in text and "internal error" not in text, text
    assert len(text.splitlines()) == 1, text
    return text


@pytest.mark.parametrize("args,code,message", CASES, ids=[" ".join(c[0])[:60] for c in CASES])
def test_bad_arguments_give_one_line_and_change_nothing(run_shared, shared, args, code, message):
    result = run_shared(*args, input="")
    line = one_line(result)
    assert result.exit_code == code, line
    assert message in line
    assert line.startswith("dprk: error: "), line  # every error starts the same way
    assert git(shared, "status", "--porcelain").strip() == "", "a failed command changed the repository"


def test_repo_before_the_command_name(shared, tmp_path):
    from conftest import Runner

    elsewhere = Runner(tmp_path)
    for args in (
        ["--repo", str(shared), "query", "launches", "--json"],
        ["query", "--repo", str(shared), "launches", "--json"],
        ["--repo", str(shared), "show", LAUNCH],
        ["--repo", str(shared), "update", LAUNCH, "--count", "2"],
        ["--repo", str(shared), "validate"],
    ):
        result = elsewhere(*args)
        assert result.exit_code == 0, (args, result.output)
    assert elsewhere("--repo", MISSING, "query").exit_code == 2


def test_every_command_is_covered():
    from dprk_records.main import COMMANDS

    assert {args[0] for args, _, _ in CASES} == set(COMMANDS)


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root can write a read-only folder")
def test_read_only_output_folder(run_shared, shared):
    locked = shared / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        for args in (["export", "-o", "locked/out.csv"], ["export", "--format", "sqlite", "-o", "locked/out.sqlite"]):
            result = run_shared(*args)
            assert result.exit_code == 2 and "is not writable" in one_line(result)
    finally:
        locked.chmod(0o755)
        locked.rmdir()


def test_bare_group_commands_print_their_help(run_shared):
    for args in ([], ["add"], ["update"]):
        result = run_shared(*args)
        assert result.exit_code == 2
        assert result.stderr.startswith("Usage: dprk") and "error" not in result.stderr.splitlines()[0]


def test_the_installed_command_prints_no_traceback(shared, tmp_path):
    """The same refusals through a real process, where an escaped exception would print a traceback."""
    env = {k: v for k, v in os.environ.items() if k not in ("DPRK_REPO", "DPRK_DEBUG")}
    for args in (
        ["query", "--repo", str(tmp_path / "nothing")],
        ["show", "../../etc/passwd"],
        ["export", "-o", "afile/x.csv"],
        ["diff", "no-such-rev"],
        ["add", "launch", *ADD, "--date", "2023-02-30"],
    ):
        done = subprocess.run(
            [sys.executable, "-m", "dprk_records", *args],
            cwd=shared,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 2, done.stderr
        assert done.stdout == "" and len(done.stderr.splitlines()) == 1 and "Traceback" not in done.stderr, done.stderr


def test_dprk_repo_pointing_at_nothing(run_shared):
    for args in (["validate"], ["query"], ["show", LAUNCH], ["add", "launch", *ADD], ["diff"], ["fmt"]):
        result = run_shared(*args, env={"DPRK_REPO": MISSING})
        assert result.exit_code == 2 and "does not exist (check --repo or DPRK_REPO)" in one_line(result)


def test_endless_stdin_is_cut_at_the_record_size_limit(run_shared, shared):
    """`--from-file -` reads at most 1 MiB + 1 byte, like a record file."""
    for args in (["add", "launch", "--from-file", "-"], ["update", LAUNCH, "--from-file", "-"]):
        result = run_shared(*args, input="a" * (3 << 20))
        assert result.exit_code == 1 and "over the 1 MiB limit" in one_line(result)
    assert git(shared, "status", "--porcelain").strip() == ""


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_endless_stdin_in_a_real_process(shared):
    import resource

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    env = {k: v for k, v in os.environ.items() if k not in ("DPRK_REPO", "DPRK_DEBUG")}
    with open("/dev/zero", "rb") as endless:
        done = subprocess.run(
            [sys.executable, "-m", "dprk_records", "add", "launch", "--from-file", "-"],
            cwd=shared,
            env=env,
            stdin=endless,
            capture_output=True,
            text=True,
            timeout=60,
            preexec_fn=limit,
        )
    assert done.returncode == 1 and "over the 1 MiB limit" in done.stderr and len(done.stderr.splitlines()) == 1, (
        done.stderr
    )
