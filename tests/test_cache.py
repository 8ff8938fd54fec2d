"""The parse cache is never stale, survives damage, and can be bypassed."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time

import pytest

from conftest import sample, write_record
from dprk_records.records.cache import CACHE_DIR, CACHE_FILE
from dprk_records.records.repository import Repository


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
    status = subprocess.run(
        ["git", "status", "--porcelain", "--ignored=no"], cwd=filled, capture_output=True, text=True
    ).stdout
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


@pytest.mark.parametrize(
    "damage",
    [
        lambda p: p.write_bytes(b"this is not a database" * 100),
        lambda p: p.write_bytes(p.read_bytes()[: len(p.read_bytes()) // 2]),
        lambda p: p.write_bytes(b""),
    ],
)
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
        write_record(
            repo,
            "launch",
            sample(
                "launch", id=f"2023-08-{i % 28 + 1:02d}-srbm-{i}", date=f"2023-08-{i % 28 + 1:02d}", title=f"Launch {i}"
            ),
        )
    command = [sys.executable, "-m", "dprk_records", "validate", "--jobs", "1"]
    procs = [
        subprocess.Popen(command, cwd=repo, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(6)
    ]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0] * 6, outputs
    assert all("60 records checked, 0 problems" in out for out, _ in outputs)
    assert len(cache_rows(repo)) == 60
    db = sqlite3.connect(repo / CACHE_DIR / CACHE_FILE)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    db.close()


def test_parallel_and_serial_agree(repo, run, monkeypatch):
    import dprk_records.checks.runner as validation

    for i in range(40):
        write_record(repo, "launch", sample("launch", id=f"2023-08-30-srbm-{i}", count=i % 3, title=f"Launch {i}"))
    monkeypatch.setattr(validation, "PARALLEL_MIN", 10)
    parallel = run("validate", "--no-cache", "--jobs", "2")
    serial = run("validate", "--no-cache", "--jobs", "1")
    assert parallel.exit_code == serial.exit_code == 1
    assert parallel.output == serial.output
    assert "40 records checked, 14 problems in 14 files" in parallel.output


# --- the cache follows the code ---------------------------------------------------------------------


def code_copy(tmp_path, name, change=None):
    """A copy of the tool's package under tmp_path/name, optionally with one text replaced in one file."""
    import shutil
    from pathlib import Path

    target = tmp_path / name
    shutil.copytree(
        Path(__file__).resolve().parent.parent / "cli",
        target / "dprk_records",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    if change is not None:
        file, old, new = change
        path = target / "dprk_records" / file
        text = path.read_text()
        assert old in text
        path.write_text(text.replace(old, new))
    return target


def run_with(code, repo, *args):
    env = {k: v for k, v in os.environ.items() if k not in ("DPRK_REPO", "DPRK_NO_CACHE")}
    env["PYTHONPATH"] = str(code)
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, dprk_records.main; sys.argv[0] = 'dprk'; assert dprk_records.main.__file__.startswith(sys.argv.pop(1)); dprk_records.main.main()",
            str(code),
            *args,
        ],
        cwd=repo,
        capture_output=True,
        text=True,
        env=env,
    )


def test_a_rule_changed_by_a_pull_takes_effect_without_no_cache(repo, tmp_path):
    # the old code accepted a number too large to be finite; the new code refuses it
    old = code_copy(tmp_path, "old", ("records/yamlread.py", "if not math.isfinite(number):", "if False:"))
    new = code_copy(tmp_path, "new")
    path = write_record(repo, "launch", sample("launch"))
    path.write_text(
        path.read_text().replace(
            "count: 2\n",
            "count: 2\nobservations:\n  - actor: KCNA\n    actor_type: state-media\n"
            "    stance: claim\n    apogee_km: 1e999\n",
        )
    )
    assert run_with(old, repo, "validate").returncode == 0
    assert "Infinity" in run_with(old, repo, "query", "--json").stdout  # the old code's parse is in the cache now
    checked = run_with(new, repo, "validate")
    assert checked.returncode == 1 and "is too large to be a number here" in checked.stdout
    queried = run_with(new, repo, "query", "--json")
    assert "Infinity" not in queried.stdout and queried.returncode == 1


def test_a_changed_message_replaces_cached_verdicts(repo, tmp_path):
    old = code_copy(tmp_path, "old")
    new = code_copy(
        tmp_path,
        "new",
        (
            "checks/problems.py",
            'return f"must be {bounds[keyword]} {expected}, not {instance!r}"',
            'return f"should be {bounds[keyword]} {expected}, not {instance!r}"',
        ),
    )
    write_record(repo, "launch", sample("launch", count=0))
    assert "must be at least 1" in run_with(old, repo, "validate").stdout
    assert "should be at least 1" in run_with(new, repo, "validate").stdout
