"""A true-or-false field takes `true` or `false` (in any case), and nothing else, by every
way in: an option of `add`, `update --set`, and `--where`; as a record file holds it."""

from __future__ import annotations

import json

import pytest

from conftest import SOURCE, add_kind, ref
from dprk_records.records import yamlread

RECORD = "records/visits/2023-09-13-kim-visits-russia.yaml"


@pytest.fixture
def visits(repo):
    add_kind(
        repo,
        "visit",
        "visits",
        {
            "id": ref("id"),
            "date": ref("date"),
            "title": ref("title"),
            "official": {"type": "boolean", "description": "true when it was a state visit."},
            "sources": ref("sources"),
        },
        ["id", "date", "title", "sources"],
    )
    return repo


def add(run, official):
    return run(
        "add", "visit", "--date", "2023-09-13", "--title", "Kim visits Russia", "--official", official,
        "--source", json.dumps(SOURCE),
    )  # fmt: skip


@pytest.mark.parametrize("typed", ["yes", "y", "1", "no", "0", "on", ""])
def test_every_way_in_refuses_what_is_not_true_or_false(visits, run, typed):
    added = add(run, typed)
    assert added.exit_code == 2 and "is not true or false" in added.stderr, added.output
    assert not (visits / RECORD).exists()
    assert add(run, "true").exit_code == 0
    updated = run("update", "2023-09-13-kim-visits-russia", "--set", f"official={typed}")
    assert updated.exit_code == 2 and "is not true or false" in updated.stderr, updated.output
    queried = run("query", "visits", "--where", f"official={typed}")
    assert queried.exit_code == 2 and "is true or false" in queried.stderr, queried.output
    assert yamlread.load_file(visits / RECORD)["official"] is True


def test_every_way_in_takes_true_and_false_in_any_case(visits, run):
    assert add(run, "TRUE").exit_code == 0
    assert yamlread.load_file(visits / RECORD)["official"] is True
    assert run("query", "visits", "--where", "official=True", "--fields", "id").stdout.split()[-1].endswith("russia")
    assert run("update", "2023-09-13-kim-visits-russia", "--set", "official=False").exit_code == 0
    assert yamlread.load_file(visits / RECORD)["official"] is False
    found = run("query", "visits", "--where", "official=false", "--fields", "id", "--csv").stdout.split()
    assert found == ["id", "2023-09-13-kim-visits-russia"]
    assert run("query", "visits", "--where", "official=true", "--fields", "id", "--csv").stdout.split() == ["id"]
