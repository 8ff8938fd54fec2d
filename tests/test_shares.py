"""Work shared between this process and forked workers (dprk_records.checks.shares), and a
validate of many files through it: every span answered once whoever works it, a worker
that dies or fails midway costs nothing but time, and the report and the cache are those
of one process."""

from __future__ import annotations

import os
import signal
import sqlite3
import time

import pytest

from conftest import sample, write_record
from dprk_records.checks import runner, shares
from dprk_records.errors import DataError
from dprk_records.records.cache import CACHE_DIR, CACHE_FILE

pytestmark = pytest.mark.skipif(not shares.can_fork(), reason="no fork on this system")

PARENT = os.getpid()


def no_children_left() -> bool:
    """Whether this process has no child, running or exited and not waited for."""
    try:
        os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


def square_work(start, stop):
    return [(i * i, os.getpid()) for i in range(start, stop)]


def wait_for(condition, what):
    deadline = time.monotonic() + 60  # a safety net against a hang, far above any real wait
    while not condition():
        assert time.monotonic() < deadline, f"waited a minute for {what}"
        time.sleep(0.01)


@pytest.mark.parametrize("processes", [1, 2, 3])
def test_every_span_is_answered_once_and_this_process_takes_a_share(processes, tmp_path):
    """Each worker holds its first span until this process has worked one, and this process
    its first until each worker has one: every process takes a share, whatever the timing."""

    def work(start, stop):
        if os.getpid() == PARENT:
            (tmp_path / "parent").touch()
            wait_for(lambda: len(list(tmp_path.glob("worker-*"))) == processes - 1, "the workers")
        else:
            (tmp_path / f"worker-{os.getpid()}").touch()
            wait_for((tmp_path / "parent").exists, "this process")
        return square_work(start, stop)

    taken = []
    shares.run(1000, work, lambda start, stop, answers: taken.append((start, stop, answers)), processes=processes)
    spans = sorted((start, stop) for start, stop, _ in taken)
    assert spans == shares.spans_of(1000, processes)
    answers = [answer for _, _, got in sorted(taken) for answer in got]
    assert [value for value, _ in answers] == [i * i for i in range(1000)]
    workers = {pid for _, pid in answers} - {PARENT}
    assert PARENT in {pid for _, pid in answers} and len(workers) == processes - 1
    assert no_children_left()


def test_the_spans_cover_every_item_and_fit_the_pipe():
    for count in (1, 9, 10, 11, 999, 10_000, 300_000, 1_000_000):
        spans = shares.spans_of(count, 2)
        assert spans[0][0] == 0 and spans[-1][1] == count
        assert all(a[1] == b[0] for a, b in zip(spans, spans[1:]))
        assert len(spans) <= shares.MAX_SPANS


@pytest.mark.parametrize("how", ["killed", "raises", "exits"])
def test_a_worker_that_dies_midway_loses_nothing(how):
    """A worker killed on its third span, or failing on it: that span and every one it did
    not take are worked here, each answered once."""
    seen = {"spans": 0}

    def work(start, stop):
        if os.getpid() != PARENT:
            seen["spans"] += 1  # the worker's own copy
            if seen["spans"] == 3:
                if how == "killed":
                    os.kill(os.getpid(), signal.SIGKILL)
                if how == "exits":
                    os._exit(3)
                raise RuntimeError("a worker's failure")
        return square_work(start, stop)

    taken = []
    shares.run(2000, work, lambda start, stop, answers: taken.append((start, answers)), processes=2)
    assert sorted(start for start, _ in taken) == [start for start, _ in shares.spans_of(2000, 2)]
    assert [v for _, got in sorted(taken) for v, _ in got] == [i * i for i in range(2000)]
    assert no_children_left()


def test_a_failure_on_a_file_is_raised_here_as_without_workers():
    def work(start, stop):
        if start <= 1234 < stop:
            raise ValueError("file 1234")
        return square_work(start, stop)

    with pytest.raises(ValueError, match="file 1234"):
        shares.run(2000, work, lambda *args: None, processes=2)
    assert no_children_left()


def test_an_error_of_first_stops_the_workers():
    def first():
        raise DataError("schema/launch.schema.json: not a valid JSON Schema")

    with pytest.raises(DataError):
        shares.run(100_000, square_work, lambda *args: None, processes=3, first=first)
    assert no_children_left()


def many_records(repo, count=60):
    for i in range(count):
        fields = {"id": f"2023-08-30-srbm-{i}", "title": f"Launch {i}", "count": i % 3}
        if i % 7 == 0:
            fields["category"] = "not a category"
        write_record(repo, "launch", sample("launch", **fields))


def cache_rows(repo):
    db = sqlite3.connect(repo / CACHE_DIR / CACHE_FILE)
    try:
        return sorted(db.execute("SELECT rel, size, mtime_ns, data, verdict, sort_key FROM entries"))
    finally:
        db.close()


def test_validate_with_a_worker_killed_midway_reports_every_file_and_fills_the_cache(repo, run, monkeypatch):
    many_records(repo)
    serial = run("validate", "--jobs", "1")
    serial_rows = cache_rows(repo)
    (repo / CACHE_DIR / CACHE_FILE).unlink()

    check_one = runner._check_one
    died = repo / ".git" / "a worker died"  # a file git and dprk leave alone
    seen = {"files": 0}

    def dying(record, cache):
        if os.getpid() != PARENT:
            seen["files"] += 1
            if seen["files"] == 5:  # in the middle of its first span
                died.touch()
                os.kill(os.getpid(), signal.SIGKILL)
        elif seen["files"] == 0:  # this process holds its first span until the worker has died
            seen["files"] = 1
            wait_for(died.exists, "the worker to die")
        return check_one(record, cache)

    monkeypatch.setattr(runner, "PARALLEL_MIN", 10)
    monkeypatch.setattr(runner, "_check_one", dying)
    parallel = run("validate", "--jobs", "2")
    assert parallel.exit_code == serial.exit_code == 1
    assert parallel.output == serial.output
    assert "60 records checked" in parallel.output
    assert cache_rows(repo) == serial_rows
    monkeypatch.setattr(runner, "_check_one", check_one)
    warm = run("validate", "--jobs", "2")
    assert warm.output == serial.output
    assert no_children_left()


def test_validate_of_many_files_with_a_broken_schema_says_so_and_leaves_no_worker(repo, run, monkeypatch):
    many_records(repo, 30)
    schema = repo / "schema" / "launch.schema.json"
    schema.write_text(schema.read_text().replace('"type": "object"', '"type": "objekt"', 1))
    monkeypatch.setattr(runner, "PARALLEL_MIN", 10)
    parallel = run("validate", "--no-cache", "--jobs", "3")
    serial = run("validate", "--no-cache", "--jobs", "1")
    assert parallel.exit_code == serial.exit_code == 1
    assert parallel.output == serial.output
    assert "launch.schema.json" in parallel.output
    assert no_children_left()


def test_a_file_gone_before_it_is_read_is_the_same_problem_with_the_cache_or_without(repo):
    """Without the cache no stat is taken before a file is read; a file that cannot be
    found is still a `file` problem, as it is with the cache (which takes one)."""
    from dprk_records.records.cache import open_cache
    from dprk_records.records.repository import Repository

    repository = Repository(repo)
    record = repository.record_file(repository.kind("launch"), "2023-08-30-gone")
    cache = open_cache(repository.root, repository.schema_dir)
    without, _ = runner._check_one(record, None)
    with_cache, entry = runner._check_one(record, cache)
    cache.close()
    assert without == with_cache and entry is None
    assert [p.check for p in without.problems] == ["file"]
