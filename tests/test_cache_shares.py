"""`validate` of every record after some files changed: each unchanged file's share of the
last run stands (its stat, its problems, the ids it refers to, its symbols, its content
key), and only what the change can affect is checked again. Every case compares the
result with a run without the cache, and names the problem the change must bring or take
away, in a file that did not change."""

from __future__ import annotations

import json
import os
import sqlite3
import time

import pytest

from conftest import sample, write_record
from dprk_records.records.cache import CACHE_DIR, CACHE_FILE

LAUNCH = "records/launches/2023-08-01-srbm.yaml"
MEETING_A = "records/meetings/2023-08-10-a.yaml"
MEETING_B = "records/meetings/2023-08-11-b.yaml"


@pytest.fixture
def settled(monkeypatch):
    """Files count as settled (not racy) at once, so that a test need not wait two seconds."""
    import dprk_records.records.cachekey as cachekey

    monkeypatch.setattr(cachekey, "RACY_NS", 0)


def records(repo):
    for i in range(1, 4):
        write_record(
            repo, "launch", sample("launch", id=f"2023-08-0{i}-srbm", date=f"2023-08-0{i}", title=f"Launch {i}")
        )
    write_record(
        repo,
        "meeting",
        sample(
            "meeting",
            id="2023-08-10-a",
            date="2023-08-10",
            launches=["2023-08-01-srbm"],
            record_symbol="S/PV.9001",
        ),
    )
    write_record(
        repo,
        "meeting",
        sample(
            "meeting",
            id="2023-08-11-b",
            date="2023-08-11",
            title="Another briefing",
            launches=["2023-08-02-srbm", "2023-09-09-abcd"],
            record_symbol="S/PV.9002",
        ),
    )


def edit(repo, rel, old, new):
    path = repo / rel
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def same_as_without_cache(run):
    cached = run("validate", "--format", "json")
    assert cached.output == run("validate", "--no-cache", "--format", "json").output
    assert run("validate", "--format", "json").output == cached.output  # and the run after it, too
    return [(p["path"], p["check"], p["message"]) for p in json.loads(cached.output)]


def test_the_first_runs_agree(repo, run, settled):
    records(repo)
    problems = same_as_without_cache(run)
    assert [(path, check) for path, check, _ in problems] == [(MEETING_B, "reference")]


def test_a_symbol_given_again_is_seen_in_the_file_that_did_not_change(repo, run, settled):
    records(repo)
    same_as_without_cache(run)
    edit(repo, MEETING_B, "S/PV.9002", "S/PV.9001")
    problems = same_as_without_cache(run)
    assert (MEETING_A, "unique-symbol") in [(path, check) for path, check, _ in problems]
    edit(repo, MEETING_B, "S/PV.9001", "S/PV.9003")
    problems = same_as_without_cache(run)
    assert "unique-symbol" not in [check for _, check, _ in problems]


def test_a_reference_to_a_removed_record_is_seen_in_the_file_that_refers_to_it(repo, run, settled):
    records(repo)
    same_as_without_cache(run)
    launch = (repo / LAUNCH).read_text()
    (repo / LAUNCH).unlink()
    problems = same_as_without_cache(run)
    assert any(
        path == MEETING_A and check == "reference" and "2023-08-01-srbm" in message for path, check, message in problems
    )
    (repo / LAUNCH).write_text(launch)
    problems = same_as_without_cache(run)
    assert MEETING_A not in [path for path, _, _ in problems]


def test_a_new_record_changes_the_suggestion_for_a_broken_reference(repo, run, settled):
    records(repo)
    before = same_as_without_cache(run)
    write_record(repo, "launch", sample("launch", id="2023-09-09-abce", date="2023-09-09", title="Launch 9"))
    after = same_as_without_cache(run)
    assert [m for _, _, m in after if "2023-09-09-abce" in m] and not [
        m for _, _, m in before if "2023-09-09-abce" in m
    ]


def test_a_copy_of_a_record_is_seen_in_both(repo, run, settled):
    records(repo)
    same_as_without_cache(run)
    copy = repo / "records/launches/2023-08-01-copy.yaml"
    copy.write_text((repo / LAUNCH).read_text().replace("2023-08-01-srbm", "2023-08-01-copy"))
    problems = same_as_without_cache(run)
    assert {path for path, check, _ in problems if check == "duplicate"} == {LAUNCH, copy.relative_to(repo).as_posix()}
    edit(repo, "records/launches/2023-08-01-copy.yaml", "Launch 1", "Launch 1, told again")
    assert "duplicate" not in [check for _, check, _ in same_as_without_cache(run)]


def test_an_id_used_by_a_new_record_of_another_kind_is_seen_in_both(repo, run, settled):
    records(repo)
    same_as_without_cache(run)
    write_record(repo, "statement", sample("statement", id="2023-08-01-srbm", date="2023-08-01"))
    problems = same_as_without_cache(run)
    assert {path for path, check, _ in problems if check == "unique-id"} == {
        LAUNCH,
        "records/statements/2023-08-01-srbm.yaml",
    }


def test_a_changed_schema_checks_every_record_again(repo, run, settled):
    records(repo)
    same_as_without_cache(run)
    schema = repo / "schema" / "launch.schema.json"
    data = json.loads(schema.read_text())
    data["properties"]["count"]["maximum"] = 1
    schema.write_text(json.dumps(data, indent=2))
    problems = same_as_without_cache(run)
    assert {path for path, check, _ in problems if check == "schema"} == {
        f"records/launches/2023-08-0{i}-srbm.yaml" for i in range(1, 4)
    }


def shares(repo):
    db = sqlite3.connect(repo / CACHE_DIR / CACHE_FILE)
    try:
        (text,) = db.execute("SELECT value FROM meta WHERE key = 'report:validate:files'").fetchone()
    finally:
        db.close()
    stored = json.loads(text)
    stamps = bytes.fromhex(stored["stamps"])
    return {rel: stamps[n * 32 : n * 32 + 32] for n, rel in enumerate(stored["rels"])}


def test_a_file_changed_within_the_racy_window_is_never_trusted_by_its_stat(repo, run):
    """Two edits within one tick of a coarse clock, at the same size, give the same stat: a
    file changed less than two seconds before a run is kept with a stat that never matches."""
    records(repo)
    stamp = time.time() - 3600
    for path in (repo / "records").rglob("*.yaml"):
        os.utime(path, (stamp, stamp))
    time.sleep(2.1)  # the ctime the line above gave every file is settled now
    assert run("validate").exit_code == 1
    edit(repo, LAUNCH, "Launch 1", "Launch 7")  # the same size
    assert run("validate").exit_code == 1
    kept = shares(repo)
    assert kept[LAUNCH] == b"\xff" * 32
    assert kept[MEETING_A] != b"\xff" * 32
    edit(repo, LAUNCH, "count: 2", "count: 0")
    problems = same_as_without_cache(run)
    assert (LAUNCH, "schema") in [(path, check) for path, check, _ in problems]


# --- validate --changed-since: who holds a symbol, an id or a content, from the facts kept -------


def changed_since(run):
    cached = run("validate", "--changed-since", "HEAD", "--format", "json")
    assert cached.output == run("validate", "--changed-since", "HEAD", "--no-cache", "--format", "json").output
    return [(p["path"], p["check"]) for p in json.loads(cached.output)]


@pytest.mark.parametrize("validated_after", [False, True])
def test_changed_since_finds_what_a_change_breaks_from_the_facts_kept(repo, run, settled, validated_after):
    """The facts of the last validate tell which unchanged files hold a symbol, a content or a
    reference; a file changed since that validate is read (`validated_after`: or not)."""
    from conftest import commit_all

    records(repo)
    commit_all(repo, "records")
    same_as_without_cache(run)
    # an unchanged meeting's reference to a launch removed below, made after the facts were kept
    edit(repo, MEETING_A, "- 2023-08-01-srbm", "- 2023-08-01-srbm\n  - 2023-08-03-srbm")
    commit_all(repo, "the meeting refers to a third launch")
    if validated_after:
        run("validate")
    edit(repo, MEETING_B, "S/PV.9002", "S/PV.9001")  # gives the symbol of an unchanged meeting
    copy = repo / "records/launches/2023-08-02-copy.yaml"  # repeats an unchanged launch
    copy.write_text((repo / "records/launches/2023-08-02-srbm.yaml").read_text().replace("08-02-srbm", "08-02-copy"))
    (repo / "records/launches/2023-08-03-srbm.yaml").unlink()
    problems = changed_since(run)
    assert (MEETING_B, "unique-symbol") in problems
    assert ("records/launches/2023-08-02-copy.yaml", "duplicate") in problems
    assert (MEETING_A, "reference") in problems


def test_facts_that_cannot_be_read_are_not_used(repo, run, settled):
    """A cache whose facts table is gone (damaged, or dropped by hand): validate and
    validate --changed-since give their verdict from the files, with no internal error."""
    from conftest import commit_all

    records(repo)
    commit_all(repo, "records")
    same_as_without_cache(run)
    db = sqlite3.connect(repo / CACHE_DIR / CACHE_FILE)
    db.execute("DROP TABLE facts")
    db.commit()
    db.close()
    edit(repo, MEETING_B, "S/PV.9002", "S/PV.9001")
    assert (MEETING_B, "unique-symbol") in changed_since(run)
    assert (MEETING_A, "unique-symbol") in [(path, check) for path, check, _ in same_as_without_cache(run)]
