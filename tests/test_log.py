"""`dprk log ID`: the history of one record, following renames."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import Runner, commit_all, git, git_work_tree, make_repo, sample, write_record

LAUNCH = "2023-08-30-srbm"
RENAMED = "2023-08-30-two-srbms"


def history(repo: Path) -> None:
    write_record(repo, "launch", sample("launch"))
    write_record(repo, "statement", sample("statement"))
    commit_all(repo, "add a launch")
    write_record(repo, "launch", sample("launch", count=3))
    commit_all(repo, "recount the launch")
    write_record(repo, "statement", sample("statement", title="Changed elsewhere"))
    commit_all(repo, "an unrelated change")
    (repo / "records/launches" / f"{LAUNCH}.yaml").unlink()
    write_record(repo, "launch", sample("launch", id=RENAMED, count=3))
    commit_all(repo, "rename the launch")


def test_log_lists_commits_with_field_changes_and_follows_renames(repo: Path, run: Runner) -> None:
    history(repo)
    result = run("log", RENAMED)
    assert result.exit_code == 0, result.output
    heads = [line for line in result.output.splitlines() if not line.startswith(" ")]
    assert [line.split(": ", 1)[1] for line in heads] == ["rename the launch", "recount the launch", "add a launch"]
    assert heads[0].split()[2:4] == ["Test", "User:"]
    assert f"renamed launch {LAUNCH} -> {RENAMED}" in result.output
    assert "~ count: 2 -> 3" in result.output
    assert "Changed elsewhere" not in result.output

    entries = json.loads(run("log", RENAMED, "--format", "json").output)
    assert [e["status"] for e in entries] == ["renamed", "modified", "added"]
    assert entries[1]["changes"] == [{"field": "count", "op": "changed", "old": 2, "new": 3}]
    assert len(entries[0]["hash"]) == 40 and entries[0]["short"] == entries[0]["hash"][:7]
    assert entries[0]["date"] == git(repo, "log", "-1", "--format=%ad", "--date=short").strip()


def test_log_of_the_old_id_of_a_renamed_record_shows_the_rename(repo: Path, run: Runner) -> None:
    history(repo)
    entries = json.loads(run("log", LAUNCH, "--format", "json").output)
    assert [(e["subject"], e["status"]) for e in entries] == [
        ("rename the launch", "renamed"),
        ("recount the launch", "modified"),
        ("add a launch", "added"),
    ]
    assert entries[0]["id"] == RENAMED


def test_log_of_a_removed_record_is_found_in_history(repo: Path, run: Runner) -> None:
    write_record(repo, "launch", sample("launch"))
    commit_all(repo, "add")
    git(repo, "rm", "-q", f"records/launches/{LAUNCH}.yaml")
    commit_all(repo, "remove")
    entries = json.loads(run("log", LAUNCH, "--format", "json").output)
    assert [(e["subject"], e["status"]) for e in entries] == [("remove", "removed"), ("add", "added")]


def test_log_of_an_unknown_id_is_a_usage_error(repo: Path, run: Runner) -> None:
    write_record(repo, "launch", sample("launch"))
    commit_all(repo, "add")
    result = run("log", "2099-01-01-nothing")
    assert result.exit_code == 2 and result.output.count("\n") == 1
    assert "no record with id '2099-01-01-nothing'" in result.output
    assert run("log", "../etc").exit_code == 2


def test_log_before_the_first_commit_is_empty(repo: Path, run: Runner) -> None:
    write_record(repo, "launch", sample("launch"))
    result = run("log", LAUNCH, "--format", "json")
    assert result.exit_code == 0 and json.loads(result.output) == []


def test_log_in_a_repository_below_the_git_work_tree(tmp_path: Path) -> None:
    outer = git_work_tree(tmp_path / "outer")
    inner = make_repo(outer / "data", git_init=False)
    history(inner)
    entries = json.loads(Runner(inner)("log", RENAMED, "--format", "json").output)
    assert [e["status"] for e in entries] == ["renamed", "modified", "added"]
    assert entries[0]["path"] == f"records/launches/{RENAMED}.yaml"
