"""Which repository a command works on: every way a user names it, and which one wins.

The ways, first that applies winning (dprk_records.commands._repo): `--repo` after the
command name, `--repo` before it, $DPRK_REPO, the current folder or the nearest above it.
Three real repositories hold the same record id with a different summary, so what a
command prints (or where it writes) tells which one it used.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import SOURCE, Runner, make_repo, sample, write_record

ID = "2023-08-30-srbm"
ADD = ["--date", "2023-11-21", "--title", "A launch", "--summary", "s.", "--category", "SRBM"]
ADD += ["--source", json.dumps(SOURCE), "--no-input"]
ADDED = Path("records/launches/2023-11-21-a-launch.yaml")


@pytest.fixture
def repos(tmp_path: Path) -> dict[str, Path]:
    found = {}
    for name in ("A", "B", "C"):
        root = make_repo(tmp_path / name, git_init=False)
        write_record(root, "launch", sample("launch", summary=f"Repository {name}."))
        found[name] = root
    (tmp_path / "elsewhere").mkdir()
    found["elsewhere"] = tmp_path / "elsewhere"
    return found


def used(result) -> str:
    """The repository a `show ID --json` or `query --json` ran on, from the summary it printed."""
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    record = data[0] if isinstance(data, list) else data.get("record", data)
    return record["summary"].removeprefix("Repository ").rstrip(".")


def test_every_way_of_naming_the_repository(repos):
    run = Runner(repos["elsewhere"])
    a, c = str(repos["A"]), repos["C"]
    assert used(run("query", "launches", "--json", "--repo", a)) == "A"  # after the command name
    assert used(run("query", "--repo", a, "launches", "--json")) == "A"
    assert used(run("query", f"--repo={a}", "launches", "--json")) == "A"
    assert used(run("--repo", a, "query", "launches", "--json")) == "A"  # before it
    assert used(run("query", "launches", "--json", env={"DPRK_REPO": a})) == "A"  # the environment
    assert used(run("query", "launches", "--json", cwd=c)) == "C"  # the current folder
    assert used(run("query", "launches", "--json", cwd=c / "records" / "launches")) == "C"  # a parent of it
    assert used(run("query", "launches", "--json", cwd=c, env={"DPRK_REPO": ""})) == "C"  # an empty variable is none


def test_which_way_wins(repos):
    run = Runner(repos["C"])  # the current folder is a repository too: every other way beats it
    a, b = str(repos["A"]), str(repos["B"])
    assert used(run("--repo", a, "query", "launches", "--json", "--repo", b)) == "B"  # after beats before
    assert used(run("query", "--repo", a, "launches", "--json", "--repo", b)) == "B"  # the last of two
    assert used(run("--repo", a, "query", "launches", "--json", env={"DPRK_REPO": b})) == "A"  # before beats $DPRK_REPO
    assert used(run("query", "launches", "--json", "--repo", a, env={"DPRK_REPO": b})) == "A"
    assert used(run("query", "launches", "--json", env={"DPRK_REPO": a})) == "A"  # $DPRK_REPO beats the folder
    assert used(run("query", "launches", "--json")) == "C"


@pytest.mark.parametrize(
    "where",
    [
        ("add", "launch", "--repo", "{A}"),
        ("add", "--repo", "{A}", "launch"),
        ("--repo", "{A}", "add", "launch"),
        ("--repo", "{B}", "add", "launch", "--repo", "{A}"),
        ("--repo", "{B}", "add", "--repo", "{C}", "launch", "--repo", "{A}"),
        ("add", "launch", "--repo", "{B}", "--repo={A}"),
    ],
    ids=["after-kind", "before-kind", "before-command", "after-beats-before", "last-of-three", "last-of-two"],
)
def test_add_takes_the_same_repository(repos, where):
    """`add` makes its options from the repository's schema, before click parses them: the
    same ways, in the same order, name the repository its record goes to."""
    args = [part.format(**{k: str(v) for k, v in repos.items()}) for part in where]
    result = Runner(repos["elsewhere"])(*args, *ADD, env={"DPRK_REPO": str(repos["B"])})
    assert result.exit_code == 0, result.output
    assert [name for name in "ABC" if (repos[name] / ADDED).exists()] == ["A"]


def test_update_takes_the_same_repository(repos):
    run = Runner(repos["C"])
    a, b = str(repos["A"]), str(repos["B"])
    for args, expected in (
        (["update", ID, "--repo", a], "A"),
        (["--repo", a, "update", ID], "A"),
        (["--repo", a, "update", ID, "--repo", b], "B"),
        (["update", ID], "C"),
    ):
        result = run(*args, "--count", "5", "--dry-run")
        assert result.exit_code == 0, (args, result.output)
        assert f"summary: Repository {expected}." in result.stdout, (args, result.stdout)


def test_an_empty_repo_option_is_a_usage_error(repos):
    run = Runner(repos["C"])
    for args in (["query", "--repo", ""], ["--repo", "", "query"], ["add", "launch", "--repo=", *ADD]):
        result = run(*args)
        assert result.exit_code == 2, (args, result.output)
        assert result.stderr.startswith("dprk: error: --repo was given an empty folder name"), result.stderr
    assert not (repos["C"] / ADDED).exists()


def test_the_installed_command_finds_it_the_same_way(repos):
    env = {k: v for k, v in os.environ.items() if k not in ("DPRK_REPO", "DPRK_DEBUG")}
    a, b = str(repos["A"]), str(repos["B"])
    for args, extra, cwd, expected in (
        (["--repo", a, "show", ID, "--json"], {"DPRK_REPO": b}, repos["C"], "A"),
        (["show", ID, "--json"], {"DPRK_REPO": b}, repos["C"], "B"),
        (["show", ID, "--json"], {}, repos["C"] / "records", "C"),
    ):
        done = subprocess.run(
            [sys.executable, "-m", "dprk_records", *args],
            cwd=cwd,
            env={**env, **extra},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)["record"]["summary"] == f"Repository {expected}.", done.stdout
