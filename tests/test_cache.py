"""The parse cache is never stale, survives damage, and can be bypassed."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time

import pytest

from cli.cache import CACHE_DIR, CACHE_FILE
from cli.repository import Repository
from conftest import sample, write_record


def cache_rows(repo):
    db = sqlite3.connect(repo / CACHE_DIR / CACHE_FILE)
    try:
        return {row[0]: row[1:] for row in db.execute("SELECT rel, data, verdict FROM entries")}
    finally:
        db.close()


@pytest.fixture
def filled(repo, run):
    write_record(repo, "launch", sample("launch"))
    write_record(repo, "meeting", sample("meeting", launches=["2023-08-30-srbm"]))
    assert run("validate").exit_code == 0
    return repo


def test_validate_fills_the_cache_and_git_ignores_it(filled):
    rows = cache_rows(filled)
    assert set(rows) == {"records/launches/2023-08-30-srbm.yaml", "records/meetings/2023-08-25-open-briefing.yaml"}
    assert all(data and verdict for data, verdict in rows.values())
    assert (filled / CACHE_DIR / ".gitignore").read_text() == "*\n"
    status = subprocess.run(["git", "status", "--porcelain", "--ignored=no"], cwd=filled, capture_output=True, text=True).stdout
    assert CACHE_DIR not in status


def test_edit_with_the_same_size_at_once_is_seen(filled, run):
    path = filled / "records/launches/2023-08-30-srbm.yaml"
    path.write_text(path.read_text().replace("count: 2", "count: 0"))
    result = run("validate")
    assert result.exit_code == 1 and "$.count: must be at least 1, not 0" in result.output


def test_edit_of_an_old_file_is_seen(filled, run):
    path = filled / "records/launches/2023-08-30-srbm.yaml"
    old = time.time() - 3600
    os.utime(path, (old, old))
    assert run("validate").exit_code == 0  # stored now as a settled (non-racy) entry
    path.write_text(path.read_text().replace("count: 2", "count: 3"))
    os.utime(path, (old, old))  # same size, same mtime: ctime still differs
    data = dict(Repository(filled).iter_data())
    assert [d["count"] for r, d in data.items() if r.kind.name == "launch"] == [3]


def test_adding_and_deleting_records_is_seen(filled, run):
    write_record(filled, "launch", sample("launch", id="2023-09-13-srbm", count=0))
    assert run("validate").exit_code == 1
    (filled / "records/launches/2023-09-13-srbm.yaml").unlink()
    assert run("validate").exit_code == 0
    (filled / "records/launches/2023-08-30-srbm.yaml").unlink()
    result = run("validate")
    assert result.exit_code == 1 and "refers to '2023-08-30-srbm', which is not a record" in result.output
    assert "records/launches/2023-08-30-srbm.yaml" not in cache_rows(filled)


def test_touching_a_record_keeps_the_result(filled, run):
    os.utime(filled / "records/launches/2023-08-30-srbm.yaml")
    assert run("validate").exit_code == 0


def test_changing_a_schema_rechecks_every_record(filled, run):
    path = filled / "schema/launch.schema.json"
    path.write_text(path.read_text().replace('"minimum": 1', '"minimum": 5', 1))
    result = run("validate")
    assert result.exit_code == 1 and "$.count: must be at least 5, not 2" in result.output


@pytest.mark.parametrize("damage", [
    lambda p: p.write_bytes(b"this is not a database" * 100),
    lambda p: p.write_bytes(p.read_bytes()[: len(p.read_bytes()) // 2]),
    lambda p: p.write_bytes(b""),
])
def test_corrupt_cache_is_ignored_and_rebuilt(filled, run, damage):
    cache = filled / CACHE_DIR / CACHE_FILE
    db = sqlite3.connect(cache)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    damage(cache)
    path = filled / "records/launches/2023-08-30-srbm.yaml"
    path.write_text(path.read_text().replace("count: 2", "count: 0"))
    result = run("validate")
    assert result.exit_code == 1 and "$.count: must be at least 1, not 0" in result.output
    assert run("validate").exit_code == 1
    assert "records/launches/2023-08-30-srbm.yaml" in cache_rows(filled)


def test_garbage_row_is_ignored(filled, run):
    db = sqlite3.connect(filled / CACHE_DIR / CACHE_FILE)
    db.execute("UPDATE entries SET verdict = 'not json', data = '{broken'")
    db.commit()
    db.close()
    assert run("validate").exit_code == 0
    assert [r.id for r, _ in Repository(filled).iter_data()] == ["2023-08-30-srbm", "2023-08-25-open-briefing"]


def test_unwritable_cache_folder_does_not_stop_validation(filled, run):
    (filled / CACHE_DIR / CACHE_FILE).unlink()
    for name in os.listdir(filled / CACHE_DIR):
        os.unlink(filled / CACHE_DIR / name)
    os.rmdir(filled / CACHE_DIR)
    (filled / CACHE_DIR).write_text("a file where the folder should be")
    assert run("validate").exit_code == 0


def test_no_cache_neither_reads_nor_writes(repo, run):
    write_record(repo, "launch", sample("launch"))
    assert run("validate", "--no-cache").exit_code == 0
    assert not (repo / CACHE_DIR).exists()
    assert run("validate", env={"DPRK_NO_CACHE": "1"}).exit_code == 0
    assert not (repo / CACHE_DIR).exists()


def test_concurrent_runs_do_not_corrupt_the_cache(repo):
    for i in range(60):
        write_record(repo, "launch", sample("launch", id=f"2023-08-{i % 28 + 1:02d}-srbm-{i}", date=f"2023-08-{i % 28 + 1:02d}"))
    command = [sys.executable, "-m", "cli", "validate", "--jobs", "1"]
    procs = [subprocess.Popen(command, cwd=repo, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(6)]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0] * 6, outputs
    assert all("60 records checked, 0 problems" in out for out, _ in outputs)
    assert len(cache_rows(repo)) == 60
    db = sqlite3.connect(repo / CACHE_DIR / CACHE_FILE)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    db.close()


def test_parallel_and_serial_agree(repo, run, monkeypatch):
    import cli.validation as validation

    for i in range(40):
        write_record(repo, "launch", sample("launch", id=f"2023-08-30-srbm-{i}", count=i % 3))
    monkeypatch.setattr(validation, "PARALLEL_MIN", 10)
    parallel = run("validate", "--no-cache", "--jobs", "2")
    serial = run("validate", "--no-cache", "--jobs", "1")
    assert parallel.exit_code == serial.exit_code == 1
    assert parallel.output == serial.output
    assert "40 records checked, 14 problems in 14 files" in parallel.output
