"""`dprk add KIND`: options from the schema, prompts, files, the editor, checks, atomic and exclusive writes, git."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import SOURCE, add_kind, git, make_repo, ref, sample, write_record
from dprk_records.records import yamlread, yamlwrite

SOURCE_JSON = json.dumps(SOURCE)
LAUNCH_ID = "2023-11-21-malligyong-1-satellite"
LAUNCH_FLAGS = [
    "--date",
    "2023-11-21",
    "--title",
    "Malligyong-1 satellite",
    "--summary",
    "The DPRK said it had put a reconnaissance satellite into orbit.",
    "--category",
    "satellite-launch-vehicle",
    "--source",
    SOURCE_JSON,
]


def records(repo: Path) -> list[str]:
    return sorted(p.relative_to(repo).as_posix() for p in (repo / "records").rglob("*") if p.is_file())


def test_flags_write_a_canonical_record_named_after_date_and_title(run, repo):
    result = run(
        "add",
        "launch",
        *LAUNCH_FLAGS,
        "--count",
        "1",
        "--observation",
        '{"actor": "KCNA", "actor_type": "state-media", "actor_state": "PRK", "stance": "claim", "outcome": "success"}',
        "--tag",
        "satellite",
    )
    assert result.exit_code == 0, result.output
    path = repo / "records" / "launches" / f"{LAUNCH_ID}.yaml"
    assert result.stdout.strip() == f"records/launches/{LAUNCH_ID}.yaml"
    data = yamlread.load_file(path)
    assert data["id"] == LAUNCH_ID and data["count"] == 1 and data["tags"] == ["satellite"]
    assert data["observations"] == [
        {"actor": "KCNA", "actor_type": "state-media", "actor_state": "PRK", "stance": "claim", "outcome": "success"}
    ]
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=../../schema/launch.schema.json\n")
    assert list(data) == ["id", "date", "title", "summary", "category", "count", "observations", "tags", "sources"]
    assert run("validate").exit_code == 0


def test_plural_kind_explicit_id_and_repeatable_list(run, repo):
    result = run(
        "add",
        "meetings",
        "--id",
        "2023-11-27-open-briefing",
        "--date",
        "2023-11-27",
        "--title",
        "Open briefing",
        "--summary",
        "The Council held an open briefing.",
        "--meeting-format",
        "open-briefing",
        "--status",
        "held",
        "--requested-by",
        "USA",
        "--requested-by",
        "GBR",
        "--source",
        SOURCE_JSON,
    )
    assert result.exit_code == 0, result.output
    data = yamlread.load_file(repo / "records/meetings/2023-11-27-open-briefing.yaml")
    assert data["requested_by"] == ["USA", "GBR"]


def test_nested_object_field_as_json(run, repo):
    result = run(
        "add",
        "sanctions-report",
        "--date",
        "2023-09-12",
        "--title",
        "Panel midterm report",
        "--summary",
        "s",
        "--type",
        "panel-midterm",
        "--body",
        "panel-of-experts",
        "--period",
        '{"start": "2023-02", "end": "2023-07"}',
        "--source",
        SOURCE_JSON,
    )
    assert result.exit_code == 0, result.output
    assert yamlread.load_file(repo / "records/sanctions-reports/2023-09-12-panel-midterm-report.yaml")["period"] == {
        "start": "2023-02",
        "end": "2023-07",
    }


@pytest.mark.parametrize(
    "args, message",
    [
        (["--count", "two"], "--count: 'two' is not a whole number"),
        (["--category", "rocket"], "'rocket' is not one of"),
        (["--source", "{publisher"], "--source: not valid JSON"),
        (["--source", '"text"'], "--source: expected a JSON object"),
        (
            ["--observation", '{"actor": "KCNA", "actor_type": "state-media", "stance": "claim", "apogee_km": NaN}'],
            "--observation: NaN is not a number a record can hold",
        ),
        (
            ["--observation", '{"actor": "KCNA", "actor_type": "state-media", "stance": "claim", "apogee_km": 1e999}'],
            "1e999 is not a number a record can hold",
        ),
    ],
)
def test_bad_option_values_are_usage_errors(run, repo, args, message):
    flags = [a for a in LAUNCH_FLAGS if a not in ("--category", "satellite-launch-vehicle")] + args
    result = run("add", "launch", *flags)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert records(repo) == []


def test_unknown_kind_is_a_usage_error(run):
    result = run("add", "rocket", "--date", "2023")
    assert result.exit_code == 2
    assert "unknown kind 'rocket'" in result.stderr


def test_invalid_record_lists_problems_like_validate_and_writes_nothing(run, repo):
    # a date given as --date is checked as an argument (tests/test_bad_arguments.py); from a file it is data
    result = run(
        "add",
        "launch",
        "--from-file",
        "-",
        "--title",
        "Bad day",
        "--summary",
        "s",
        "--category",
        "SRBM",
        "--count",
        "0",
        "--source",
        '{"publisher": "p"}',
        "--no-input",
        input='{"date": "2023-02-30"}',
    )
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    # the date came from stdin: named there, at its own line and column; the options' values in the record
    assert "<stdin>:1:10: $.date: '2023-02-30' is not a day on the calendar" in lines
    assert "records/launches/2023-02-30-bad-day.yaml:7:8: $.count: must be at least 1, not 0" in lines
    assert any("$.sources[0]: 'quote' is required but missing" in line for line in lines)
    assert lines[-1].endswith("error: 5 problems; nothing written")
    assert records(repo) == []


def test_references_are_checked_by_looking_up_only_those_ids(run, repo):
    write_record(repo, "launch", sample("launch"))
    write_record(repo, "statement", sample("statement"))
    # An unrelated broken file: add never reads it, so it does not get in the way.
    write_record(repo, "launch", {}, raw="id: [broken\n", name="2020-01-01-broken")
    base = [
        "add",
        "meeting",
        "--date",
        "2023-08-25",
        "--title",
        "Briefing",
        "--summary",
        "s",
        "--meeting-format",
        "open-briefing",
        "--status",
        "held",
        "--source",
        SOURCE_JSON,
    ]
    missing = run(*base, "--launches", "2023-08-30-nothing")
    assert missing.exit_code == 1
    assert "$.launches[0]: refers to '2023-08-30-nothing', which is not a record" in missing.stderr
    wrong = run(*base, "--launches", "2023-08-24-sg-statement")
    assert "refers to '2023-08-24-sg-statement', a statement; expected a launch" in wrong.stderr
    good = run(*base, "--launches", "2023-08-30-srbm")
    assert good.exit_code == 0, good.output
    assert yamlread.load_file(repo / "records/meetings/2023-08-25-briefing.yaml")["launches"] == ["2023-08-30-srbm"]


def test_existing_id_is_never_overwritten_in_any_kind(run, repo):
    first = run("add", "launch", *LAUNCH_FLAGS)
    assert first.exit_code == 0
    path = repo / "records/launches" / f"{LAUNCH_ID}.yaml"
    before = path.read_bytes()
    again = run("add", "launch", *LAUNCH_FLAGS, "--count", "3")
    assert again.exit_code == 1
    assert f"records/launches/{LAUNCH_ID}.yaml already exists; records are never overwritten" in again.stderr
    assert path.read_bytes() == before
    other_kind = run(
        "add",
        "statement",
        "--id",
        LAUNCH_ID,
        "--date",
        "2023-11-21",
        "--title",
        "t",
        "--summary",
        "s",
        "--type",
        "national",
        "--status",
        "issued",
        "--source",
        SOURCE_JSON,
    )
    assert other_kind.exit_code == 1 and "already exists" in other_kind.stderr
    assert records(repo) == [f"records/launches/{LAUNCH_ID}.yaml"]


def test_missing_fields_without_a_terminal_fail_listing_them(run, repo):
    result = run("add", "launch", "--date", "2023-11-21", "--title", "Satellite")
    assert result.exit_code == 2
    assert "a launch needs --summary, --category, --source" in result.stderr
    no_input = run("add", "launch", "--date", "2023-11-21", "--prompt", "--no-input")
    assert no_input.exit_code == 2
    assert "needs --title, --summary, --category, --source" in no_input.stderr
    assert records(repo) == []


def test_prompts_ask_for_missing_fields_and_check_each_answer(run, repo):
    answers = [
        "2023-13-01",  # not a date: asked again
        "2023-11-21",
        "Malligyong-1 satellite",
        "The DPRK said it had put a satellite into orbit.",
        "42",  # not one of the numbered choices: asked again
        "7",  # satellite-launch-vehicle
        # sources[1]
        "Security Council Report",
        "DPRK (North Korea): Open Briefing",
        "2023-11-24",
        "not a url",  # url: wrong form, asked again
        "https://www.securitycouncilreport.org/whatsinblue/",
        "",  # symbol: optional, skipped
        "DPRK state media announced that a Malligyong-1 reconnaissance satellite had been launched",
        "",  # note: optional, skipped
        "n",  # no other source
        "y",  # optional fields: yes
        "",  # date_note: skipped
        "2",  # count
        "",
        "",
        "",
        "",  # name, payload, propellant, launch_site
        "",
        "",  # direction, landing_area
        "",
        "",  # outcome, overflew
        "y",  # an observation
        "KCNA",
        "state-media",
        "PRK",
        "claim",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "n",  # no other observation
        "n",  # no according_to
        "satellite, russia",  # tags
        "y",  # write it
    ]
    result = run("add", "launch", "--prompt", input="\n".join(answers) + "\n")
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith("Adding a launch: ")
    assert "required fields come first" in result.stderr and "Ctrl-C" in result.stderr
    assert "sources[0].publisher" in result.stderr and "observations[0].actor" in result.stderr  # numbered as paths are
    assert "Write this record?" in result.stderr and "count: 2" in result.stderr  # shown before it is written
    assert "  7) satellite-launch-vehicle" in result.stderr
    assert "'2023-13-01' is not a date" in result.stderr
    assert "'42' is not one of: SRBM" in result.stderr
    assert "'not a url' is not a web address: http:// or https:// and no spaces" in result.stderr
    assert "Add an attribution (according_to)? [y/N]" in result.stderr  # the field's title, and its name
    data = yamlread.load_file(repo / "records/launches" / f"{LAUNCH_ID}.yaml")
    assert data["category"] == "satellite-launch-vehicle"
    assert data["date"] == "2023-11-21"
    assert data["sources"] == [
        {
            "publisher": "Security Council Report",
            "title": "DPRK (North Korea): Open Briefing",
            "date": "2023-11-24",
            "url": "https://www.securitycouncilreport.org/whatsinblue/",
            "quote": "DPRK state media announced that a Malligyong-1 reconnaissance satellite had been launched",
        }
    ]
    assert data["count"] == 2 and data["tags"] == ["satellite", "russia"]
    assert data["observations"] == [
        {"actor": "KCNA", "actor_type": "state-media", "actor_state": "PRK", "stance": "claim"}
    ]
    assert result.stderr.count("Error:") == 3


def test_declining_at_the_end_writes_nothing(run, repo):
    answers = ["2023-11-21", "A launch", "s.", "SRBM", "p", "t", "2023-11-24", "", "", "q", "", "n", "n", "n"]
    result = run("add", "launch", "--prompt", input="\n".join(answers) + "\n")
    assert result.exit_code == 1 and "not written, as you asked" in result.stderr
    assert records(repo) == []


def _interrupted_at_the_title_prompt(repo, close_input: bool) -> tuple[object, str]:
    """Run `add --prompt`, answer the date, and press Ctrl-C once the title is asked for; with
    `close_input`, the input ends right after. The exit status and stderr."""
    import signal

    env = {k: v for k, v in os.environ.items() if k != "DPRK_REPO"}
    # Started with Ctrl-C's default action, as a terminal starts a command: a shell runs a
    # command it puts in the background (`.ci/run &`, say) with Ctrl-C ignored, and its
    # children inherit that; Python then never raises KeyboardInterrupt at all.
    default_sigint = (
        "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); "
        "os.execv(sys.executable, [sys.executable, '-m', 'dprk_records', 'add', 'launch', '--prompt'])"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", default_sigint],
        cwd=repo,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    process.stdin.write(b"2023-11-21\n")
    process.stdin.flush()
    seen = b""
    while b"title: " not in seen:
        chunk = os.read(process.stderr.fileno(), 4096)
        assert chunk, seen.decode()  # it ended before asking for the title
        seen += chunk
    process.send_signal(signal.SIGINT)
    if close_input:
        process.stdin.close()
    try:
        process.wait(timeout=120)  # a safety net: Ctrl-C must end it whether or not more input comes
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        return "still waiting for input after Ctrl-C", seen.decode()
    finally:
        if not process.stdin.closed:
            process.stdin.close()
    return process.returncode, (seen + process.stderr.read()).decode()


@pytest.mark.parametrize("close_input", [False, True], ids=["input open", "input ends right after"])
def test_ctrl_c_at_a_prompt_exits_130_and_writes_nothing(repo, close_input):
    # Ctrl-C is told from the end of input by what happened: a Ctrl-C that comes just after
    # the prompt is written, before the read begins, still ends the wait, with input left
    # open; and one that comes with the end of input is still a Ctrl-C. Several at once,
    # as a loaded machine runs them.
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(6) as pool:
        outcomes = list(pool.map(lambda _: _interrupted_at_the_title_prompt(repo, close_input), range(6)))
    for code, err in outcomes:
        assert code == 130, (code, err)
        assert "interrupted; nothing was written" in err and "Traceback" not in err
    assert records(repo) == []


def test_the_end_of_input_at_a_prompt_is_a_usage_error_and_writes_nothing(run, repo):
    result = run("add", "launch", "--prompt", input="2023-11-21\nA title\n")
    assert result.exit_code == 2
    assert (
        result.stderr.strip()
        .splitlines()[-1]
        .startswith("dprk: error: stopped before the work was complete (input ended)")
    )
    assert records(repo) == []
    done = subprocess.run(
        [sys.executable, "-m", "dprk_records", "add", "launch", "--prompt"],
        cwd=repo,
        input=b"2023-11-21\n",
        capture_output=True,
        timeout=120,
        env={k: v for k, v in os.environ.items() if k != "DPRK_REPO"},
    )
    assert done.returncode == 2 and b"(input ended)" in done.stderr.splitlines()[-1], done.stderr
    assert records(repo) == []


def test_from_file_yaml_and_json_from_file_and_stdin(run, repo, tmp_path):
    yaml_file = tmp_path / "launch.yaml"
    yaml_file.write_text(yamlwrite.dumps(sample("launch")), encoding="utf-8")
    assert run("add", "launch", "--from-file", str(yaml_file)).exit_code == 0
    json_file = tmp_path / "meeting.json"
    json_file.write_text(json.dumps(sample("meeting")), encoding="utf-8")
    assert run("add", "meeting", "--from-file", str(json_file)).exit_code == 0
    assert run("add", "statement", "--from-file", "-", input=json.dumps(sample("statement"))).exit_code == 0
    report = sample("sanctions-report", id=None)
    result = run(
        "add", "sanctions-report", "--from-file", "-", "--title", "Midterm report", input=yamlwrite.dumps(report)
    )
    assert result.exit_code == 0, result.output
    assert records(repo) == [
        "records/launches/2023-08-30-srbm.yaml",
        "records/meetings/2023-08-25-open-briefing.yaml",
        "records/sanctions-reports/2023-09-12-midterm-report.yaml",
        "records/statements/2023-08-24-sg-statement.yaml",
    ]
    assert run("validate").exit_code == 0


def test_from_file_that_is_not_strict_yaml_or_json(run, repo, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("date: 2023\ndate: 2024\n", encoding="utf-8")
    result = run("add", "launch", "--from-file", str(bad))
    assert result.exit_code == 1
    assert "bad.yaml:2:1: duplicate key 'date'" in result.stderr
    broken_json = run("add", "launch", "--from-file", "-", input='{"date": ')
    assert broken_json.exit_code == 1 and "<stdin>:1:10: not valid JSON" in broken_json.stderr
    huge = run(
        "add", "launch", "--from-file", "-", input=yamlwrite.dumps(sample("launch")).replace("count: 2", "count: 1e999")
    )
    assert huge.exit_code == 1 and "<stdin>:6:8: 1e999 is too large to be a number here" in huge.stderr
    absent = run("add", "launch", "--from-file", str(tmp_path / "nope.yaml"))
    assert absent.exit_code == 2 and "no such file" in absent.stderr
    assert records(repo) == []


def test_dry_run_prints_canonical_yaml_and_writes_nothing(run, repo):
    result = run("add", "launch", *LAUNCH_FLAGS, "--dry-run")
    assert result.exit_code == 0
    assert result.stdout.startswith(
        "# yaml-language-server: $schema=../../schema/launch.schema.json\nid: " + LAUNCH_ID + "\n"
    )
    assert yamlread.loads(result.stdout)["category"] == "satellite-launch-vehicle"
    assert records(repo) == []


def test_edit_reopens_with_problems_until_valid(run, repo, editor):
    record = sample("launch", id=None)
    invalid = yamlwrite.dumps({**record, "count": 0})
    valid = yamlwrite.dumps(record)
    result = run("add", "launch", "--date", "2023-08-30", "--edit", env=editor.env(invalid, valid))
    assert result.exit_code == 0, result.output
    first, second = editor.shown
    assert "date: '2023-08-30'" in first  # prefilled with what was given
    assert "# category (required; one of: SRBM, MRBM," in first and "\ncategory:\n" in first
    assert "# ! " in second and "$.count: must be at least 1, not 0" in second
    assert records(repo) == ["records/launches/2023-08-30-two-short-range-ballistic-missiles.yaml"]


def test_edit_fills_in_the_template(run, repo, editor):
    source = json.dumps(SOURCE)
    filled = [
        ["\ntitle:\n", "\ntitle: Two missiles\n"],
        ["\nsummary:\n", "\nsummary: Two missiles were fired.\n"],
        ["\ncategory:\n", "\ncategory: SRBM\n"],
        ["\nsources:\n", f"\nsources:\n  - {source}\n"],
    ]
    result = run("add", "launch", "--date", "2023-08-30", "--count", "2", "--edit", env=editor.env(filled))
    assert result.exit_code == 0, result.output
    data = yamlread.load_file(repo / "records/launches/2023-08-30-two-missiles.yaml")
    assert data == {
        "id": "2023-08-30-two-missiles",
        "date": "2023-08-30",
        "title": "Two missiles",
        "summary": "Two missiles were fired.",
        "category": "SRBM",
        "count": 2,
        "sources": [SOURCE],
    }


def test_edit_given_up_writes_nothing(run, repo, editor):
    emptied = run("add", "launch", "--edit", env=editor.env(""))
    assert emptied.exit_code == 1 and "editing given up; nothing written" in emptied.stderr
    unsaved = run("add", "launch", "--edit", env=editor.env(None))
    assert unsaved.exit_code == 1
    invalid = yamlwrite.dumps(sample("launch", count=0))
    stubborn = run("add", "launch", "--edit", env=editor.env(invalid, None))
    assert stubborn.exit_code == 1 and len(editor.shown) == 2
    assert records(repo) == []


def test_commit_commits_only_the_new_file(run, repo):
    (repo / "notes.txt").write_text("one\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "start")
    (repo / "staged.txt").write_text("staged\n")
    git(repo, "add", "staged.txt")
    (repo / "notes.txt").write_text("two\n")  # unstaged change
    result = run("add", "launch", *LAUNCH_FLAGS, "--commit")
    assert result.exit_code == 0, result.output
    assert git(repo, "log", "-1", "--format=%s").strip() == f"Add launch {LAUNCH_ID}"
    assert git(repo, "show", "--name-only", "--format=", "HEAD").split() == [f"records/launches/{LAUNCH_ID}.yaml"]
    assert git(repo, "diff", "--cached", "--name-only").split() == ["staged.txt"]
    assert git(repo, "diff", "--name-only").split() == ["notes.txt"]
    assert git(repo, "status", "--porcelain", "--", "records").strip() == ""


def test_commit_on_detached_head_and_on_an_unborn_branch(run, repo):
    first = run("add", "launch", *LAUNCH_FLAGS, "--commit")  # no commit yet on main
    assert first.exit_code == 0, first.output
    git(repo, "checkout", "-q", "--detach")
    second = run("add", "statement", "--from-file", "-", "--commit", input=json.dumps(sample("statement")))
    assert second.exit_code == 0, second.output
    assert git(repo, "log", "--format=%s").splitlines() == [
        "Add statement 2023-08-24-sg-statement",
        f"Add launch {LAUNCH_ID}",
    ]


def test_commit_refused_during_a_merge_and_outside_git(run, repo, tmp_path):
    (repo / "f.txt").write_text("base\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "base")
    git(repo, "checkout", "-qb", "other")
    (repo / "f.txt").write_text("other\n")
    git(repo, "commit", "-qam", "other")
    git(repo, "checkout", "-q", "main")
    (repo / "f.txt").write_text("main\n")
    git(repo, "commit", "-qam", "main")
    subprocess.run(["git", "merge", "other"], cwd=repo, capture_output=True)
    assert (repo / ".git" / "MERGE_HEAD").exists()
    result = run("add", "launch", *LAUNCH_FLAGS, "--commit")
    assert result.exit_code == 2
    assert "in the middle of a merge" in result.stderr
    assert records(repo) == []
    plain = make_repo(tmp_path / "plain", git_init=False)
    result = run("add", "launch", *LAUNCH_FLAGS, "--commit", "--repo", str(plain))
    assert result.exit_code == 2
    assert "is not in a git repository" in result.stderr
    assert not list((plain / "records").rglob("*.yaml"))


def test_repo_option_before_or_after_the_kind(run, repo, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    assert run("add", "--repo", str(repo), "launch", *LAUNCH_FLAGS, cwd=elsewhere).exit_code == 0
    result = run(
        "add",
        "statement",
        "--from-file",
        "-",
        "--repo",
        str(repo),
        cwd=elsewhere,
        input=json.dumps(sample("statement")),
    )
    assert result.exit_code == 0, result.output
    assert len(records(repo)) == 2


def test_a_fifth_kind_from_one_schema_file_gets_its_own_options(run, repo):
    add_kind(
        repo,
        "visit",
        "visits",
        {
            "id": ref("id"),
            "date": ref("date"),
            "title": ref("title"),
            "host": ref("member_state", description="The host state."),
            "days": {"type": "integer", "minimum": 1, "description": "How long it lasted."},
            "sources": ref("sources"),
        },
        ["id", "date", "title", "host", "sources"],
    )
    helped = run("add", "visit", "--help")
    assert "--host CODE" in helped.stdout and "--days INT" in helped.stdout
    result = run(
        "add",
        "visits",
        "--date",
        "2023-09-13",
        "--title",
        "Kim visits Russia",
        "--host",
        "RUS",
        "--days",
        "6",
        "--source",
        SOURCE_JSON,
    )
    assert result.exit_code == 0, result.output
    assert yamlread.load_file(repo / "records/visits/2023-09-13-kim-visits-russia.yaml")["days"] == 6


def test_help_does_not_import_heavy_modules(repo):
    code = (
        "import sys\nfrom dprk_records.main import cli\n"
        "for args in (['add', '--help'], ['add', 'launch', '--help'], ['update', '--help']):\n"
        "    try:\n        cli(args, prog_name='dprk')\n    except SystemExit:\n        pass\n"
        "print(sorted(m for m in ('jsonschema', 'git', 'tabulate') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=repo, capture_output=True, text=True, check=True).stdout
    assert "--category [SRBM|" in out
    assert out.strip().endswith("[]")


def _dprk() -> list[str]:
    found = shutil.which("dprk", path=str(Path(sys.executable).parent))
    return [found] if found else [sys.executable, "-m", "dprk_records"]


def _race(repo: Path, commands: list[list[str]]) -> list[subprocess.CompletedProcess]:
    procs = [
        subprocess.Popen(_dprk() + args, cwd=repo, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for args in commands
    ]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=60)
        results.append(subprocess.CompletedProcess(proc.args, proc.returncode, out, err))
    return results


def test_concurrent_adds_of_one_id_make_one_record(repo):
    results = _race(repo, [["add", "launch", *LAUNCH_FLAGS, "--summary", f"Version {n}."] for n in range(6)])
    codes = sorted(r.returncode for r in results)
    assert codes == [0, 1, 1, 1, 1, 1], [r.stderr for r in results]
    for failed in (r for r in results if r.returncode):
        assert failed.stderr.count("\n") == 1 and "already exists; records are never overwritten" in failed.stderr
    assert records(repo) == [f"records/launches/{LAUNCH_ID}.yaml"]
    winner = next(r for r in results if r.returncode == 0)
    written = yamlread.load_file(repo / "records/launches" / f"{LAUNCH_ID}.yaml")
    assert written["summary"] == next(a for a in winner.args[::-1] if a.startswith("Version"))
    assert not [p for p in (repo / "records/launches").iterdir() if p.name.startswith(".")]


def test_concurrent_adds_of_different_ids_all_succeed(repo):
    results = _race(repo, [["add", "launch", *LAUNCH_FLAGS, "--id", f"2023-11-21-launch-{n}"] for n in range(6)])
    assert [r.returncode for r in results] == [0] * 6, [r.stderr for r in results]
    assert records(repo) == [f"records/launches/2023-11-21-launch-{n}.yaml" for n in range(6)]


def test_a_kind_folder_that_is_a_file_is_one_clear_error(run, repo):
    folder = repo / "records" / "launches"
    folder.rmdir()
    folder.write_text("not a folder")
    result = run("add", "launch", *LAUNCH_FLAGS)
    assert result.exit_code == 1
    assert "internal error" not in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert "cannot make the folder" in result.output or "cannot write" in result.output
    assert folder.read_text() == "not a folder"
