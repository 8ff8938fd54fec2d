"""Git safety: --commit commits its one file only, refuses mid-merge/rebase/cherry-pick, works detached;
without git (no git program, or no git repository) every other command still works and git commands say why not.

(tests/test_add.py and tests/test_update.py hold the first cases of each; these add the rest.)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import SOURCE, Runner, commit_all, git, make_repo, sample, write_record
from dprk_records.records import yamlread

LAUNCH = "2023-08-30-srbm"
ADD = [
    "add",
    "launch",
    "--date",
    "2023-11-21",
    "--title",
    "Committed launch",
    "--summary",
    "s.",
    "--category",
    "SRBM",
    "--source",
    json.dumps(SOURCE),
]
ADDED = "records/launches/2023-11-21-committed-launch.yaml"


def seeded(repo: Path) -> Path:
    for kind in ("launch", "meeting", "statement", "sanctions-report"):
        write_record(repo, kind, sample(kind))
    (repo / ".gitignore").write_text(".dprk-cache/\n")
    commit_all(repo, "start")
    return repo


def status(repo: Path) -> str:
    return git(repo, "status", "--porcelain", "--untracked-files=all")


# --- --commit commits its own file and nothing else ------------------------------------------


@pytest.mark.parametrize("command", ["add", "update"])
def test_commit_leaves_every_other_change_as_it_was(run, repo, command):
    seeded(repo)
    meeting = repo / "records/meetings/2023-08-25-open-briefing.yaml"
    statement = repo / "records/statements/2023-08-24-sg-statement.yaml"
    meeting.write_text(meeting.read_text().replace("open briefing", "open meeting"))  # unstaged
    statement.write_text(statement.read_text().replace("condemned", "deplored"))
    git(repo, "add", str(statement))  # staged
    write_record(repo, "launch", sample("launch", id="2023-09-01-untracked", date="2023-09-01"))  # untracked
    (repo / "notes.txt").write_text("scratch\n")
    before = status(repo)
    args = ADD if command == "add" else ["update", LAUNCH, "--count", "4"]
    result = run(*args, "--commit")
    assert result.exit_code == 0, result.output
    mine = ADDED if command == "add" else f"records/launches/{LAUNCH}.yaml"
    assert git(repo, "show", "--name-only", "--format=", "HEAD").split() == [mine]
    assert git(repo, "rev-list", "--count", "HEAD").strip() == "2"
    after = status(repo)
    assert after == "".join(line + "\n" for line in before.splitlines() if not line.endswith(mine)), after
    assert git(repo, "diff", "--cached", "--name-only").split() == ["records/statements/2023-08-24-sg-statement.yaml"]
    assert "deplored" in git(repo, "show", ":records/statements/2023-08-24-sg-statement.yaml")
    assert "deplored" not in git(repo, "show", "HEAD:records/statements/2023-08-24-sg-statement.yaml")


def _conflict(repo: Path, operation: str) -> None:
    """Leave the repository in the middle of a real merge, rebase or cherry-pick (a conflict in f.txt)."""
    (repo / "f.txt").write_text("base\n")
    commit_all(repo, "base")
    git(repo, "checkout", "-qb", "other")
    (repo / "f.txt").write_text("other\n")
    commit_all(repo, "other")
    git(repo, "checkout", "-q", "main")
    (repo / "f.txt").write_text("main\n")
    commit_all(repo, "main")
    command = {"merge": ["merge", "other"], "rebase": ["rebase", "other"], "cherry-pick": ["cherry-pick", "other"]}[
        operation
    ]
    done = subprocess.run(["git", *command], cwd=repo, capture_output=True, text=True)
    assert done.returncode != 0  # stopped on the conflict


@pytest.mark.parametrize("operation", ["merge", "rebase", "cherry-pick"])
@pytest.mark.parametrize("command", ["add", "update"])
def test_commit_refused_in_the_middle_of(run, repo, command, operation):
    seeded(repo)
    _conflict(repo, operation)
    before = status(repo)
    launch = (repo / f"records/launches/{LAUNCH}.yaml").read_bytes()
    args = ADD if command == "add" else ["update", LAUNCH, "--count", "4"]
    result = run(*args, "--commit")
    assert result.exit_code == 2
    line = result.output.strip()
    assert len(line.splitlines()) == 1 and "in the middle of a" in line and operation.split("-")[0] in line, line
    assert status(repo) == before  # nothing written, nothing staged
    assert (repo / f"records/launches/{LAUNCH}.yaml").read_bytes() == launch


def test_update_commit_on_a_detached_head(run, repo):
    seeded(repo)
    git(repo, "checkout", "-q", "--detach")
    result = run("update", LAUNCH, "--count", "5", "--commit")
    assert result.exit_code == 0, result.output
    assert git(repo, "log", "-1", "--format=%s").strip() == f"Update launch {LAUNCH}"
    assert subprocess.run(["git", "symbolic-ref", "-q", "HEAD"], cwd=repo).returncode == 1  # still detached
    assert "count: 5" in git(repo, "show", f"HEAD:records/launches/{LAUNCH}.yaml")
    assert git(repo, "rev-parse", "main").strip() != git(repo, "rev-parse", "HEAD").strip()  # main did not move


# --- no git at all -------------------------------------------------------------------------

WORKING = [
    ["validate"],
    ["schema"],
    ["schema", "launch"],
    ["query", "--csv"],
    ["stats"],
    ["show", LAUNCH],
    ["export", "-o", "out.csv"],
    ["export", "--format", "sqlite", "-o", "out.sqlite"],
    ["fmt"],
    ["fmt", "--check"],
    ADD,
    ["update", LAUNCH, "--count", "6"],
]
NEEDS_GIT = [
    ["diff"],
    ["diff", "HEAD~1"],
    ["log", LAUNCH],
    ["validate", "--changed-since", "HEAD"],
    [*ADD[:-4], "--title", "Other", *ADD[-4:], "--commit"],
    ["update", LAUNCH, "--count", "7", "--commit"],
]


def _plain(tmp_path: Path) -> Path:
    plain = make_repo(tmp_path / "plain", git_init=False)
    for kind in ("launch", "meeting", "statement", "sanctions-report"):
        write_record(plain, kind, sample(kind))
    return plain


def test_outside_a_git_repository(tmp_path, monkeypatch):
    monkeypatch.delenv("DPRK_REPO", raising=False)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    plain = _plain(tmp_path)
    run = Runner(plain)
    for args in WORKING:
        result = run(*args)
        assert result.exit_code == 0, (args, result.output)
    assert (plain / ADDED).is_file()
    records = sorted(p.name for p in (plain / "records").rglob("*.yaml"))
    for args in NEEDS_GIT:
        result = run(*args)
        line = result.output.strip()
        assert result.exit_code == 2, (args, line)
        assert len(line.splitlines()) == 1 and "not in a git repository" in line, (args, line)
    assert sorted(p.name for p in (plain / "records").rglob("*.yaml")) == records  # --commit wrote nothing
    assert yamlread.load_file(plain / f"records/launches/{LAUNCH}.yaml")["count"] == 6


WITHOUT_GIT = """
import json, sys
from click.testing import CliRunner
from dprk_records.main import cli
results = []
for args in json.loads(sys.argv[1]):
    result = CliRunner().invoke(cli, args, prog_name="dprk", catch_exceptions=False)
    results.append([result.exit_code, result.stdout, result.stderr])
results.append(sorted(m for m in sys.modules if m == "git" or m.startswith("git.")))
print(json.dumps(results))
"""


def test_without_the_git_program(tmp_path):
    """PATH holds no git: GitPython cannot load, yet only the git commands notice, each in one line."""
    repo = make_repo(tmp_path / "repo")  # a real git repository, made while git was still at hand
    seeded(repo)
    empty = tmp_path / "bin"
    empty.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_PYTHON", "DPRK_"))}
    env["PATH"] = str(empty)

    # One process without git on its PATH runs every command in turn (click's CliRunner, which
    # goes through the same error handling as the `dprk` script); one process per command
    # tested nothing more and cost a Python start-up each.
    done = subprocess.run(
        [sys.executable, "-c", WITHOUT_GIT, json.dumps(WORKING + NEEDS_GIT)],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout)
    assert "git" not in results.pop()  # GitPython never loaded
    for args, (code, out, err) in zip(WORKING + NEEDS_GIT, results):
        if args in WORKING:
            assert code == 0, (args, err)
            assert "Traceback" not in err
        else:
            assert code == 2, (args, err)
            assert out == "" and len(err.splitlines()) == 1, (args, err)
            assert "git is not installed or not on PATH" in err
    assert git(repo, "rev-list", "--count", "HEAD").strip() == "1"


# --- what --commit checks before writing, and what it says when git still refuses -------------------


def test_commit_without_a_git_identity_is_refused_before_anything_is_written(tmp_path, monkeypatch):
    repo = make_repo(tmp_path / "repo")
    seeded(repo)
    git(repo, "config", "--unset", "user.name")
    git(repo, "config", "--unset", "user.email")
    home = tmp_path / "home"
    home.mkdir()
    env = {
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home),
        "GIT_CONFIG_NOSYSTEM": "1",
        "EMAIL": "",
        "GIT_AUTHOR_NAME": "",
        "GIT_AUTHOR_EMAIL": "",
        "GIT_COMMITTER_NAME": "",
        "GIT_COMMITTER_EMAIL": "",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("DPRK_REPO", raising=False)
    before = status(repo)
    for args in (ADD + ["--commit"], ["update", LAUNCH, "--count", "9", "--commit"]):
        result = Runner(repo)(*args)
        assert result.exit_code == 2, result.output
        assert "git does not know who you are" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert status(repo) == before
    assert yamlread.load_file(repo / "records/launches" / f"{LAUNCH}.yaml")["count"] == 2


def test_a_failing_hook_leaves_the_record_written_and_staged_and_says_so(run, repo):
    seeded(repo)
    hook = repo / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\necho 'hook says no' >&2\nexit 1\n")
    hook.chmod(0o755)
    result = run(*ADD, "--commit")
    assert result.exit_code == 1
    line = result.stderr.strip()
    assert len(line.splitlines()) == 1
    assert f"{ADDED} is written and staged, but not committed: git commit failed" in line and "hook says no" in line
    assert (repo / ADDED).is_file()
    assert status(repo).splitlines() == [f"A  {ADDED}"]
    assert "nothing written" not in line
    assert "written but the commit failed" in run("add", "launch", "--help").output.replace("\n", " ").replace(
        "  ", " "
    )


def test_commit_with_records_linked_outside_the_work_tree_writes_nothing(repo, tmp_path, monkeypatch):
    seeded(repo)
    elsewhere = tmp_path / "elsewhere"
    (repo / "records").rename(elsewhere)
    (repo / "records").symlink_to(elsewhere, target_is_directory=True)
    before = sorted(p.name for p in (elsewhere / "launches").iterdir())
    monkeypatch.delenv("DPRK_REPO", raising=False)
    result = Runner(repo)(*ADD, "--commit")
    assert result.exit_code == 2, result.stderr
    assert "outside the git work tree" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert Runner(repo)(*ADD).exit_code == 1  # and without --commit: nothing is written out there either
    assert sorted(p.name for p in (elsewhere / "launches").iterdir()) == before


# --- permissions follow the umask, and a replaced file keeps its own -------------------------------------


def test_new_files_follow_the_umask_and_replaced_files_keep_their_mode(run, repo):
    import stat

    seeded(repo)
    old = os.umask(0o077)
    try:
        assert run(*ADD).exit_code == 0
        assert stat.S_IMODE((repo / ADDED).stat().st_mode) == 0o600
        assert run("export", "-o", "out.csv").exit_code == 0
        assert stat.S_IMODE((repo / "out.csv").stat().st_mode) == 0o600
    finally:
        os.umask(old)
    launch = repo / "records/launches" / f"{LAUNCH}.yaml"
    launch.chmod(0o664)
    assert run("update", LAUNCH, "--count", "4").exit_code == 0
    assert stat.S_IMODE(launch.stat().st_mode) == 0o664
    (repo / "out.csv").chmod(0o640)
    assert run("export", "-o", "out.csv", "--force").exit_code == 0
    assert stat.S_IMODE((repo / "out.csv").stat().st_mode) == 0o640
    launch.write_text(launch.read_text().replace("title: ", "title:  "))
    launch.chmod(0o660)
    assert run("fmt").exit_code == 0
    assert stat.S_IMODE(launch.stat().st_mode) == 0o660
