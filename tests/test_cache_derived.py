"""What the parse cache keeps beside each file: named entries, views (an export's lines of a
record) and reports (a `validate` of every record), and the key that ties it all to the code.
Each is used only for the files as they were when it was made."""

from __future__ import annotations

import os
import sqlite3
import time

import pytest
from test_cache import code_copy, run_with

from conftest import sample, write_record
from dprk_records.records.cache import CACHE_DIR, CACHE_FILE, Entry, open_cache
from dprk_records.records.repository import Repository


def db_rows(repo, sql):
    db = sqlite3.connect(repo / CACHE_DIR / CACHE_FILE)
    try:
        return db.execute(sql).fetchall()
    finally:
        db.close()


def records(repo, n=12):
    for i in range(n):
        write_record(
            repo,
            "launch",
            sample(
                "launch",
                id=f"2023-08-{i + 1:02d}-srbm",
                date=f"2023-08-{i + 1:02d}",
                title=f"=Launch {i}" if i % 3 == 0 else f"Launch {i}",
                count=i % 4 + 1,
            ),
        )
    write_record(repo, "meeting", sample("meeting", launches=["2023-08-01-srbm"], requested_by=["USA", "JPN", "FRA"]))


def old(*paths):
    """Set the files' mtime an hour back, so that their stat tells their version apart (not racy)."""
    stamp = time.time() - 3600
    for path in paths:
        os.utime(path, (stamp, stamp))


@pytest.fixture
def settled(monkeypatch):
    """Files count as settled (not racy) at once: the racy window is two seconds, which a
    test would otherwise wait out. A file's ctime cannot be set back, so nothing else can."""
    import dprk_records.records.cachekey as cachekey

    monkeypatch.setattr(cachekey, "RACY_NS", 0)
    return lambda: monkeypatch.setattr(cachekey, "RACY_NS", 2_000_000_000)


def all_old(repo):
    old(*(repo / "records").rglob("*.yaml"))


# --- entries -------------------------------------------------------------------------------


def test_lookup_gives_named_entries(repo, run):
    records(repo, 2)
    assert run("validate").exit_code == 0
    cache = open_cache(repo, repo / "schema")
    found = cache.lookup(["records/launches/2023-08-01-srbm.yaml"], with_data=True)
    entry = found["records/launches/2023-08-01-srbm.yaml"]
    assert isinstance(entry, Entry) and entry.sort_key == "2023-08-01" and '"count":1' in entry.data
    assert (
        cache.lookup(["records/launches/2023-08-01-srbm.yaml"], with_data=False)[
            "records/launches/2023-08-01-srbm.yaml"
        ].data
        is None
    )
    cache.close()


def test_a_verdict_is_not_kept_for_other_bytes_at_the_same_stat(repo):
    """Two versions of a file with one stat (a coarse clock): the verdict of the first must not
    survive the data of the second being stored."""
    path = write_record(repo, "launch", sample("launch"))
    stat = os.stat(path)
    rel = "records/launches/2023-08-30-srbm.yaml"
    cache = open_cache(repo, repo / "schema")
    first = path.read_bytes()
    cache.store(rel, stat, first, '{"v":1}', [[], [], []], "2023-08-30")
    cache.flush()
    second = first.replace(b"count: 2", b"count: 3")
    cache.store(rel, stat, second, '{"v":2}', None, "2023-08-30")  # as iter_data stores a parse: data, no verdict
    cache.flush()
    entry = cache.lookup([rel], with_data=True)[rel]
    assert entry.data == '{"v":2}'
    assert cache.verdict_of(entry) is None
    cache.close()


def test_the_same_version_keeps_what_another_command_stored(repo):
    path = write_record(repo, "launch", sample("launch"))
    stat = os.stat(path)
    rel = "records/launches/2023-08-30-srbm.yaml"
    cache = open_cache(repo, repo / "schema")
    raw = path.read_bytes()
    cache.store(rel, stat, raw, '{"v":1}', [[], [], []], "2023-08-30")
    cache.flush()
    cache.store(rel, stat, raw, '{"v":1}', None, "2023-08-30")
    cache.flush()
    assert cache.verdict_of(cache.lookup([rel], with_data=False)[rel]) == [[], [], []]
    cache.close()


# --- the code key ----------------------------------------------------------------------------


def test_an_edit_in_place_to_the_code_replaces_cached_verdicts(repo, tmp_path):
    """An editable install: the same files edited where they are, at the same size, at once."""
    code = code_copy(tmp_path, "code")
    write_record(repo, "launch", sample("launch", count=0))
    assert "must be at least 1" in run_with(code, repo, "validate").stdout
    problems = code / "dprk_records" / "checks" / "problems.py"
    text = problems.read_text()
    problems.write_text(text.replace('return f"must be {bounds[keyword]}', 'return f"need be {bounds[keyword]}'))
    assert len(problems.read_text()) == len(text)
    assert "need be at least 1" in run_with(code, repo, "validate").stdout


def test_the_code_key_follows_an_edit_made_long_ago_too(repo, tmp_path):
    code = code_copy(tmp_path, "code")
    write_record(repo, "launch", sample("launch", count=0))
    problems = code / "dprk_records" / "checks" / "problems.py"
    old(problems)
    assert "must be at least 1" in run_with(code, repo, "validate").stdout
    problems.write_text(
        problems.read_text().replace('return f"must be {bounds[keyword]}', 'return f"need be {bounds[keyword]}')
    )
    old(problems)  # same size, same mtime as before: the ctime and the inode's change still tell
    assert "need be at least 1" in run_with(code, repo, "validate").stdout


def test_the_code_key_loads_no_yaml():
    import subprocess
    import sys

    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from dprk_records.records.cachekey import code_key; code_key(); "
            "print('yaml' in sys.modules, 'hashlib' in sys.modules)",
        ],
        capture_output=True,
        text=True,
    )
    assert done.stdout.split() == ["False", "False"], done.stderr


# --- reports: validate of every record ------------------------------------------------------


def test_an_unchanged_repository_is_not_checked_again(repo, run, settled):
    records(repo)
    write_record(repo, "launch", sample("launch", id="2023-09-01-bad", date="2023-09-01", launches=None, count=0))
    all_old(repo)
    first = run("validate")
    assert first.exit_code == 1 and "must be at least 1" in first.output
    db = sqlite3.connect(repo / CACHE_DIR / CACHE_FILE)
    db.execute("DELETE FROM entries")
    db.commit()
    db.close()
    again = run("validate")
    assert again.exit_code == 1 and again.output == first.output
    assert db_rows(repo, "SELECT count(*) FROM entries") == [(0,)]  # the report stood: nothing was read or checked
    assert run("validate", "--format", "json").output == run("validate", "--no-cache", "--format", "json").output


@pytest.mark.parametrize("change", ["edit", "add", "remove", "touch", "stray", "recent"])
def test_any_change_to_the_files_checks_them_again(repo, run, change, settled):
    records(repo)
    all_old(repo)
    assert run("validate").exit_code == 0
    launch = repo / "records/launches/2023-08-01-srbm.yaml"
    if change == "edit":
        launch.write_text(launch.read_text().replace("count: 1", "count: 0"))
        old(launch)
    elif change == "add":
        write_record(repo, "launch", sample("launch", id="2023-09-01-new", date="2023-09-01", count=0))
        old(repo / "records/launches/2023-09-01-new.yaml")
    elif change == "remove":
        launch.unlink()
    elif change == "touch":
        old(launch)
        launch.write_text(launch.read_text().replace("count: 1", "count: 0"))
        old(launch)
    elif change == "stray":
        (repo / "records/launches/notes.yml").write_text("a: 1\n")
    elif change == "recent":  # changed within the racy window, which is real again here
        settled()
        launch.write_text(launch.read_text().replace("count: 1", "count: 0"))
    assert run("validate").output == run("validate", "--no-cache").output
    assert run("validate").exit_code == 1


def test_a_report_is_only_for_every_record(repo, run, settled):
    records(repo)
    bad = write_record(repo, "launch", sample("launch", id="2023-09-01-bad", date="2023-09-01", count=0))
    all_old(repo)
    assert run("validate").exit_code == 1
    assert run("validate", "records/meetings").exit_code == 0
    assert run("validate", str(bad)).exit_code == 1


# --- views: an export's lines of each record --------------------------------------------------


EXPORTS = [
    ("export", "--format", "csv"),
    ("export", "launches", "--format", "tsv"),
    ("export", "launches", "--no-escape-formulas"),
    ("export", "meetings", "--explode", "requested_by", "--fields", "id,date,requested_by"),
    ("export", "--format", "jsonl", "--fields", "id,date,kind"),
    ("export", "--format", "markdown"),
    ("query", "--limit", "3", "--csv"),
    ("query", "launches", "--where", "count>=2", "--csv"),
    ("export", "--bom"),
]


@pytest.mark.parametrize("args", EXPORTS)
def test_exports_from_views_are_the_same_bytes(repo, run, args, settled):
    records(repo)
    all_old(repo)
    cold = run(*args, "--no-cache").output
    assert run(*args).output == cold  # fills the views
    assert run(*args).output == cold  # uses them


def test_a_changed_record_is_exported_as_it_now_is(repo, run, settled):
    records(repo)
    all_old(repo)
    run("export")  # parses and caches the records
    run("export")  # makes their views from the cache
    assert db_rows(repo, "SELECT count(*) FROM views")[0][0] == 13
    launch = repo / "records/launches/2023-08-02-srbm.yaml"
    launch.write_text(launch.read_text().replace("title: Launch 1", "title: Changed"))
    out = run("export").output
    assert "Changed" in out and "Launch 1," not in out
    old(launch)
    assert run("export").output == run("export", "--no-cache").output


def test_views_are_kept_for_a_few_column_sets_only(repo, run, settled):
    from dprk_records.records.cache import VIEW_KEYS

    records(repo, 2)
    all_old(repo)
    fields = ["id", "date", "title", "summary", "count", "category", "landing_area", "date_start", "date_end", "kind"]
    for n in range(VIEW_KEYS + 3):
        assert (
            run("export", "launches", "--fields", ",".join(fields[: 1 + n % len(fields)] + [fields[n % 4]])).exit_code
            == 0
        )
    keys = db_rows(repo, "SELECT DISTINCT view FROM views")
    assert 0 < len(keys) <= VIEW_KEYS


def test_a_broken_view_row_is_not_written_through(repo, run, settled):
    records(repo, 3)
    all_old(repo)
    cold = run("export", "--no-cache").output
    run("export")
    db = sqlite3.connect(repo / CACHE_DIR / CACHE_FILE)
    db.execute("UPDATE views SET size = size + 1")  # as if made from another version of the files
    db.commit()
    db.close()
    assert run("export").output == cold
    assert [r.id for r, _ in Repository(repo).iter_data()]  # the entries are untouched
