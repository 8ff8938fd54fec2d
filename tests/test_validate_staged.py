"""`dprk validate --staged`: the records as the git index holds them, what a commit (and a clean
clone of it) holds, whatever the work tree has beside."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import Runner, commit_all, git, make_repo, sample, write_record

LAUNCH = "2023-08-30-srbm"
MEETING = "2023-08-25-open-briefing"


def seed(repo: Path) -> None:
    write_record(repo, "launch", sample("launch"))
    write_record(repo, "meeting", sample("meeting", launches=[LAUNCH]))
    commit_all(repo, "seed")


def staged(run: Runner) -> tuple[int, list[tuple[str, str]], list[dict]]:
    result = run("validate", "--staged", "--format", "json")
    found = json.loads(result.stdout)
    return result.exit_code, sorted((p["path"], p["check"]) for p in found), found


def test_a_reference_to_an_untracked_record_is_caught(repo: Path, run: Runner) -> None:
    write_record(repo, "launch", sample("launch"))
    write_record(repo, "meeting", sample("meeting", launches=[LAUNCH]))
    git(repo, "add", "schema", "records/meetings")
    assert run("validate").exit_code == 0  # the work tree holds both
    code, found, _ = staged(run)
    assert code == 1 and found == [(f"records/meetings/{MEETING}.yaml", "reference")]


def test_a_record_removed_with_rm_cached_is_gone(repo: Path, run: Runner) -> None:
    seed(repo)
    git(repo, "rm", "-q", "--cached", f"records/launches/{LAUNCH}.yaml")
    assert (repo / "records/launches" / f"{LAUNCH}.yaml").exists() and run("validate").exit_code == 0
    code, found, _ = staged(run)
    assert code == 1 and found == [(f"records/meetings/{MEETING}.yaml", "reference")]


def test_the_staged_text_is_checked_not_the_work_tree(repo: Path, run: Runner) -> None:
    seed(repo)
    path = write_record(repo, "launch", sample("launch", count=-1))
    git(repo, "add", "records")
    path.write_text(path.read_text().replace("count: -1", "count: 2"))  # fixed on disk, not staged
    assert run("validate").exit_code == 0
    code, found, problems = staged(run)
    assert code == 1 and found == [(f"records/launches/{LAUNCH}.yaml", "schema")]
    line = next(
        n
        for n, text in enumerate(git(repo, "show", f":records/launches/{LAUNCH}.yaml").splitlines(), 1)
        if text.startswith("count:")
    )
    assert problems[0]["line"] == line  # the position in the staged text
    # and the other way round: broken on disk, fine in the index
    path.write_text(path.read_text().replace("count: 2", "count: -1"))
    git(repo, "add", "records")
    path.write_text("id: [not yaml\n")
    assert run("validate").exit_code == 1
    git(repo, "add", "records")
    path.write_text(path.read_text())
    code, found, _ = staged(run)
    assert code == 1 and found == [(f"records/launches/{LAUNCH}.yaml", "yaml")]
    git(repo, "checkout", "HEAD", "--", "records")
    assert staged(run)[:2] == (0, [])


def test_the_index_schemas_are_used(repo: Path, run: Runner) -> None:
    seed(repo)
    schema = repo / "schema" / "launch.schema.json"
    old = schema.read_text()
    document = json.loads(old)
    document["properties"]["count"]["maximum"] = 1
    schema.write_text(json.dumps(document))
    git(repo, "add", "schema")
    schema.write_text(old)  # the work tree's schema is the old one again
    assert run("validate").exit_code == 0
    code, found, _ = staged(run)
    assert code == 1 and found == [(f"records/launches/{LAUNCH}.yaml", "schema")]


def test_links_conflicts_and_strays_in_the_index_are_problems(repo: Path, run: Runner) -> None:
    seed(repo)
    link = repo / "records/launches/2023-09-01-link.yaml"
    link.symlink_to(f"{LAUNCH}.yaml")
    (repo / "records/launches/2023-09-02-x.yml").write_text("id: x\n")
    git(repo, "add", "records")
    code, found, _ = staged(run)
    assert code == 1 and found == [
        ("records/launches/2023-09-01-link.yaml", "file"),
        ("records/launches/2023-09-02-x.yml", "file"),
    ]


def test_an_unresolved_merge_conflict_is_a_problem(repo: Path, run: Runner) -> None:
    seed(repo)
    git(repo, "checkout", "-q", "-b", "other")
    write_record(repo, "launch", sample("launch", count=3))
    commit_all(repo, "three")
    git(repo, "checkout", "-q", "main")
    write_record(repo, "launch", sample("launch", count=4))
    commit_all(repo, "four")
    merge = subprocess.run(["git", "merge", "-q", "other"], cwd=repo, capture_output=True, text=True)
    assert merge.returncode != 0
    code, found, problems = staged(run)
    assert code == 1 and (f"records/launches/{LAUNCH}.yaml", "file") in found
    assert any("merge conflict" in p["message"] for p in problems)


def test_two_records_that_are_one_in_the_index(repo: Path, run: Runner) -> None:
    seed(repo)
    text = (repo / "records/launches" / f"{LAUNCH}.yaml").read_text()
    (repo / "records/launches/2023-08-31-copy.yaml").write_text(text.replace(f"id: {LAUNCH}", "id: 2023-08-31-copy"))
    assert staged(run)[:2] == (0, [])  # not staged: not in the commit
    git(repo, "add", "records")
    code, found, _ = staged(run)
    assert code == 1 and {check for _, check in found} == {"duplicate"} and len(found) == 2


def test_a_valid_index_passes_and_nothing_staged_is_nothing_to_check(repo: Path, run: Runner) -> None:
    result = run("validate", "--staged")
    assert result.exit_code == 0 and "0 records checked" in result.stdout
    seed(repo)
    write_record(repo, "statement", sample("statement", status="not-a-status"))  # untracked and invalid
    result = run("validate", "--staged")
    assert result.exit_code == 0 and "2 records checked, 0 problems" in result.stdout


def test_records_staged_without_their_schemas(repo: Path, run: Runner) -> None:
    write_record(repo, "launch", sample("launch"))
    git(repo, "add", "records")
    result = run("validate", "--staged")
    assert result.exit_code == 1 and "no schema files" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_usage_errors(repo: Path, run: Runner, tmp_path: Path) -> None:
    seed(repo)
    assert run("validate", "--staged", "records").exit_code == 2
    assert run("validate", "--staged", "--changed-since", "HEAD").exit_code == 2
    plain = make_repo(tmp_path / "plain", git_init=False)
    result = Runner(plain)("validate", "--staged")
    assert result.exit_code == 2 and "not in a git repository" in result.stderr


def test_the_installed_command_in_a_subprocess(repo: Path) -> None:
    seed(repo)
    git(repo, "rm", "-q", "--cached", f"records/launches/{LAUNCH}.yaml")
    env = {k: v for k, v in os.environ.items() if k not in ("DPRK_REPO", "DPRK_DEBUG")}
    done = subprocess.run(
        [sys.executable, "-m", "dprk_records", "validate", "--staged"],
        cwd=repo,
        capture_output=True,
        text=True,
        env=env,
    )
    assert done.returncode == 1 and f"refers to '{LAUNCH}', which is not a record" in done.stdout
    assert done.stderr == ""
