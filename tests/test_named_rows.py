"""Rows of the parse cache, verdicts, views and reports are named: every field is read by
its name, whatever query or process made the row, and what the cache stores is read back
into the same named rows."""

from __future__ import annotations

import json
import sqlite3

import pytest
from test_cache_derived import all_old, records, settled  # noqa: F401 (a fixture)

from dprk_records.checks.runner import FileResult, Twin, Verdict, check_files, content_key, decode, encode
from dprk_records.records import derived
from dprk_records.records.cache import CACHE_DIR, CACHE_FILE, open_cache
from dprk_records.records.cachetables import Entry, View
from dprk_records.records.repository import Repository

LAUNCH = "records/launches/2023-08-01-srbm.yaml"


def test_a_verdict_goes_through_the_cache_as_the_same_named_rows(repo):
    records(repo, 2)
    repository = Repository(repo)
    record = repository.classify(repo / LAUNCH)
    cache = open_cache(repo, repo / "schema")
    first = check_files(repository, [record], cache=cache)  # checked, and stored
    cache.close()
    cache = open_cache(repo, repo / "schema")
    again = check_files(repository, [record], cache=cache)  # from the cache's verdict
    entry = cache.lookup([LAUNCH], with_data=False)[LAUNCH]
    cache.close()
    assert entry.verdict is not None and entry.verdict_key is not None  # it was the cache's
    for result in first + again:
        assert isinstance(result, FileResult) and isinstance(result.twin, Twin)
        assert result.twin.date == "2023-08-01" and result.record.rel == LAUNCH
    assert again == first
    verdict = Verdict(first[0].problems, first[0].refs, first[0].symbols, first[0].twin)
    assert decode(LAUNCH, json.loads(json.dumps(encode(verdict)))) == verdict
    assert decode(LAUNCH, [[], [], [], ["key"]]) is None  # a twin of the wrong shape is no verdict


def test_content_key_is_named(repo):
    records(repo, 1)
    record = Repository(repo).classify(repo / LAUNCH)
    twin = content_key(record.kind, {"id": "x", "date": "2023-08-01"})
    assert twin.date == "2023-08-01" and len(twin.key) == 64


def test_every_query_of_the_cache_gives_whole_named_entries(repo, run):
    records(repo, 3)
    assert run("validate").exit_code == 0
    cache = open_cache(repo, repo / "schema")
    for entries in (cache.sort_keys(), cache.lookup([LAUNCH], with_data=False), cache.lookup([LAUNCH], with_data=True)):
        entry = entries[LAUNCH]
        assert isinstance(entry, Entry) and entry.rel == LAUNCH and entry.sort_key == "2023-08-01"
    assert cache.sort_keys()[LAUNCH].data is None and cache.sort_keys()[LAUNCH].verdict is None
    assert cache.lookup([LAUNCH], with_data=True)[LAUNCH].data.startswith("{")
    with pytest.raises(TypeError):  # what is stored is given by name: data, verdict and sort key are not mixed up
        cache.store(LAUNCH, (repo / LAUNCH).stat(), b"", "{}", None, "2023-08-01")
    cache.close()


def test_views_are_named_rows_with_their_key(repo, run, settled):  # noqa: F811
    records(repo, 3)
    all_old(repo)
    assert run("export", "launches", "--format", "csv").exit_code == 0  # parses and caches the records
    assert run("export", "launches", "--format", "csv").exit_code == 0  # makes their views from the cache
    db = sqlite3.connect(repo / CACHE_DIR / CACHE_FILE)
    (key,) = db.execute("SELECT view FROM views LIMIT 1").fetchone()
    db.close()
    cache = open_cache(repo, repo / "schema")
    view = derived.views(cache, key, [LAUNCH])[LAUNCH]
    cache.close()
    assert isinstance(view, View) and view.view == key and view.rel == LAUNCH and "2023-08-01" in view.value


def test_the_validate_report_is_stored_by_name(repo, run, settled):  # noqa: F811
    records(repo, 3)
    write_bad = repo / "records/launches/2023-08-02-srbm.yaml"
    write_bad.write_text(write_bad.read_text().replace("count: 2", "count: 0"))
    all_old(repo)
    first = run("validate", "--format", "json")
    db = sqlite3.connect(repo / CACHE_DIR / CACHE_FILE)
    (text,) = db.execute("SELECT value FROM meta WHERE key = 'report:validate'").fetchone()
    db.close()
    outcome = json.loads(text)["outcome"]
    assert outcome["checked"] == 4 and {tuple(p) for p in outcome["problems"]} == {
        ("path", "line", "column", "pointer", "message", "check")
    }
    again = run("validate", "--format", "json")  # from the stored report
    assert first.exit_code == again.exit_code == 1 and again.output == first.output
