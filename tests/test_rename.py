"""`dprk rename` made whole: a real process killed at random points leaves a journal that the next
command finishes, and `validate` reports two records that are one. Also: a taken NEW id is invalid
data (exit 1), and the message names rename's own argument."""

from __future__ import annotations

import json
import random
import shutil
import time
from pathlib import Path

import pytest
from test_crash import files, full_run, kill, killed_after, start

from conftest import Runner, commit_all, git, sample, write_record

SEED = 20231127
LAUNCH = "2023-08-30-srbm"
NEW = "2023-08-31-two-srbms"
REFERRERS = 24  # meetings that take the launch up: each is rewritten by the rename
JOURNALS = ".dprk-cache/journal"


def referred(repo: Path) -> Path:
    """A launch that a statement and REFERRERS meetings refer to; no two records alike."""
    write_record(repo, "launch", sample("launch"))
    for n in range(REFERRERS):
        write_record(
            repo,
            "meeting",
            sample(
                "meeting",
                id=f"2023-09-{n % 28 + 1:02d}-meeting-{n}",
                date=f"2023-09-{n % 28 + 1:02d}",
                title=f"Meeting {n}",
                launches=[LAUNCH],
            ),
        )
    write_record(repo, "statement", sample("statement", responds_to=[LAUNCH]))
    return repo


def states(template: Path, tmp_path: Path) -> tuple[dict[str, bytes], dict[str, bytes], float]:
    """The record files before the rename and after a rename run to its end; how long it ran."""
    done = tmp_path / "done"
    shutil.copytree(template, done)
    span = full_run(["rename", LAUNCH, NEW], done)
    after = files(done / "records")
    shutil.rmtree(done)
    return files(template / "records"), after, span


def whole(repo: Path, before: dict[str, bytes], after: dict[str, bytes]) -> str:
    """Which state the records are in; fails unless it is exactly one of the two."""
    now = files(repo / "records")
    if now == before:
        return "before"
    assert now == after, sorted(rel for rel in set(now) | set(after) if now.get(rel) != after.get(rel))[:10]
    return "after"


def journals(repo: Path) -> list[str]:
    folder = repo / JOURNALS
    return [p.name for p in folder.iterdir() if not p.name.startswith(".")] if folder.is_dir() else []


def interrupted(template: Path, target: Path) -> None:
    """A copy of `template` at `target` with a rename killed while it was writing (the new
    file is there, and so is the journal). The copy is made first: a journal belongs to
    the folder it was written in."""
    for _ in range(20):
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(template, target)
        new = target / "records" / "launches" / f"{NEW}.yaml"
        proc = start(["rename", LAUNCH, NEW], target)
        while proc.poll() is None and not new.exists():
            time.sleep(0.0002)
        kill(proc)
        if journals(target):
            return
    pytest.fail("no rename was caught while writing in 20 tries")


@pytest.fixture
def template(repo: Path) -> Path:
    return referred(repo)


@pytest.mark.slow  # a real process killed at random points, nine times, as in test_crash: the second step of .ci/run
def test_rename_killed_at_random_points_is_whole_after_the_next_command(template, tmp_path):
    before, after, span = states(template, tmp_path)
    rng = random.Random(SEED)
    seen = set()
    for n in range(9):
        target = tmp_path / f"round-{n}"
        if n < 6:
            shutil.copytree(template, target)
            killed_after(["rename", LAUNCH, NEW], target, rng.uniform(0, span * 1.5))
        else:  # killed while it writes: once the new file exists
            interrupted(template, target)
            assert journals(target) and (target / "records/launches" / f"{LAUNCH}.yaml").exists()
        # the next command: validate, or one that writes (an add of a record the rename has nothing to do with)
        if n % 2 == 0:
            result = Runner(target)("validate", "--no-cache", env={"DPRK_REPO": ""})
            assert result.exit_code == 0, result.output
        else:
            result = Runner(target)(
                "add",
                "launch",
                "--date",
                "2023-12-01",
                "--title",
                f"Round {n}",
                "--summary",
                "s.",
                "--category",
                "SRBM",
                "--source",
                json.dumps(sample("launch")["sources"][0]),
                "--id",
                f"2023-12-01-round-{n}",
                env={"DPRK_REPO": ""},
            )
            assert result.exit_code == 0, result.output
            (target / "records/launches" / f"2023-12-01-round-{n}.yaml").unlink()
        assert not journals(target)
        seen.add(whole(target, before, after))
        assert Runner(target)("validate", "--no-cache", env={"DPRK_REPO": ""}).exit_code == 0
        shutil.rmtree(target)
    assert "after" in seen


def test_the_next_command_says_it_finished_the_rename(template, tmp_path):
    before, after, _ = states(template, tmp_path)
    target = tmp_path / "target"
    interrupted(template, target)
    result = Runner(target)("validate", env={"DPRK_REPO": ""})
    assert result.exit_code == 0, result.output
    assert f"finished an interrupted rename of launch {LAUNCH} to {NEW}" in result.stderr
    assert whole(target, before, after) == "after" and not journals(target)


def test_a_journal_over_a_file_changed_since_stops_writers_and_fails_validate(template, tmp_path):
    target = tmp_path / "target"
    interrupted(template, target)
    statement = target / "records/statements/2023-08-24-sg-statement.yaml"
    statement.write_text(
        statement.read_text().replace("The Secretary-General condemned", "Edited by hand: the SG condemned")
    )
    snapshot = files(target / "records")
    run = Runner(target)
    added = run(
        "add",
        "launch",
        "--date",
        "2023-12-01",
        "--title",
        "t",
        "--summary",
        "s.",
        "--category",
        "SRBM",
        "--source",
        json.dumps(sample("launch")["sources"][0]),
        env={"DPRK_REPO": ""},
    )
    assert added.exit_code == 1 and len(added.stderr.strip().splitlines()) == 1
    assert "records/statements/2023-08-24-sg-statement.yaml" in added.stderr and "journal" in added.stderr
    checked = run("validate", "--format", "json", env={"DPRK_REPO": ""})
    assert checked.exit_code == 1
    assert "journal" in {p["check"] for p in json.loads(checked.stdout)}
    assert files(target / "records") == snapshot  # nothing was written over the hand edit


def test_a_journal_from_another_folder_is_never_carried_out(template, tmp_path):
    target = tmp_path / "target"
    interrupted(template, target)
    elsewhere = tmp_path / "elsewhere"
    shutil.copytree(template, elsewhere)
    (elsewhere / JOURNALS).mkdir(parents=True)
    for name in journals(target):  # as a pull request could commit one
        shutil.copy(target / JOURNALS / name, elsewhere / JOURNALS / name)
    before = files(elsewhere / "records")
    result = Runner(elsewhere)("validate", "--format", "json", env={"DPRK_REPO": ""})
    assert result.exit_code == 1
    assert [p["check"] for p in json.loads(result.stdout)] == ["journal"]
    assert files(elsewhere / "records") == before


def test_validate_reports_two_records_that_are_one_naming_both(repo: Path) -> None:
    referred(repo)
    commit_all(repo, "records")
    old_rel, new_rel = f"records/launches/{LAUNCH}.yaml", f"records/launches/{NEW}.yaml"
    text = (repo / old_rel).read_text()
    assert f"id: {LAUNCH}\n" in text
    (repo / new_rel).write_text(
        text.replace(f"id: {LAUNCH}\n", f"id: {NEW}\n")
    )  # an interrupted rename without its journal
    run = Runner(repo)
    for args, reported in (((), {old_rel, new_rel}), (("--changed-since", "HEAD"), {new_rel}), ((new_rel,), {new_rel})):
        result = run("validate", "--format", "json", *args)
        assert result.exit_code == 1, (args, result.output)
        found = json.loads(result.stdout)
        assert {(p["path"], p["check"], p["json_path"]) for p in found} == {
            (rel, "duplicate", "$.id") for rel in reported
        }, args
        for problem in found:
            other = old_rel if problem["path"] == new_rel else new_rel
            assert other in problem["message"]
    (repo / new_rel).write_text(text.replace(f"id: {LAUNCH}\n", f"id: {NEW}\n").replace("count: 2\n", "count: 3\n"))
    assert run("validate").exit_code == 0  # one field apart: two records


def test_rename_onto_a_taken_id_is_invalid_data_and_names_its_own_argument(repo: Path) -> None:
    referred(repo)
    run = Runner(repo)
    before = files(repo / "records")
    result = run("rename", LAUNCH, "2023-08-24-sg-statement")
    assert result.exit_code == 1
    message = result.stderr.strip()
    assert len(message.splitlines()) == 1 and "already exists" in message
    assert "--id" not in message and "NEW" in message and f"dprk rename {LAUNCH}" in message
    assert files(repo / "records") == before
    help_text = " ".join(run("rename", "--help").stdout.split())
    assert "1 invalid data, nothing written (NEW is already the id of a record" in help_text


def test_rename_needs_a_journal_folder_that_is_no_link(repo: Path, tmp_path: Path) -> None:
    referred(repo)
    outside = tmp_path / "outside"
    outside.mkdir()
    (repo / ".dprk-cache").mkdir(exist_ok=True)
    (repo / JOURNALS).symlink_to(outside)
    before = files(repo / "records")
    result = Runner(repo)("rename", LAUNCH, NEW)
    assert result.exit_code == 1 and "nothing was written" in result.stderr
    assert files(repo / "records") == before and list(outside.iterdir()) == []


def test_rename_commit_still_commits_the_whole_change(repo: Path) -> None:
    referred(repo)
    commit_all(repo, "records")
    result = Runner(repo)("rename", LAUNCH, NEW, "--commit")
    assert result.exit_code == 0, result.output
    assert git(repo, "status", "--porcelain").strip() == ""
    assert len(git(repo, "show", "--no-renames", "--name-only", "--format=", "HEAD").split()) == REFERRERS + 3
