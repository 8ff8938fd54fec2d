"""`dprk votes`: positions of Council members per year, derived from outcomes and statements."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import xml.etree.ElementTree as ET

import pytest

from conftest import PROJECT, Runner, sample, write_record

VETO = {
    "type": "resolution",
    "status": "vetoed",
    "vote": {"in_favour": 13, "against": 2, "against_states": ["CHN", "RUS"]},
}


@pytest.fixture
def positions(repo):
    write_record(
        repo, "meeting", sample("meeting", id="2022-05-26-veto", date="2022-05-26", format="adoption", outcomes=[VETO])
    )
    # a non-permanent member voting against a draft that was not vetoed: against, no veto
    write_record(
        repo,
        "meeting",
        sample(
            "meeting",
            id="2017-12-22-adoption",
            date="2017-12-22",
            format="adoption",
            outcomes=[
                {
                    "type": "procedural-vote",
                    "status": "adopted",
                    "vote": {
                        "in_favour": 10,
                        "against": 2,
                        "abstaining": 3,
                        "in_favour_states": ["USA", "FRA"],
                        "against_states": ["CHN", "BOL"],
                        "abstaining_states": ["EGY"],
                    },
                },
                {"type": "resolution", "status": "adopted", "vote": {"in_favour": 15}},  # counts alone: nobody is named
            ],
        ),
    )
    write_record(
        repo,
        "statement",
        sample(
            "statement", id="2022-06-01-joint", date="2022-06-01", type="joint-statement", signatories=["USA", "JPN"]
        ),
    )
    write_record(
        repo,
        "statement",
        sample("statement", id="2022-06-02-national", date="2022-06-02", type="national", signatories=["USA"]),
    )  # not a joint statement: not counted
    return repo


def table(result) -> list[dict]:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_per_state_and_year_from_outcomes_and_statements(positions, run):
    rows = {(r["year"], r["state"]): r for r in table(run("votes", "--json"))}
    assert list(rows) == [("2017", s) for s in ("BOL", "CHN", "EGY", "FRA", "USA")] + [
        ("2022", s) for s in ("CHN", "JPN", "RUS", "USA")
    ]
    assert (rows["2017", "BOL"]["against"], rows["2017", "BOL"]["vetoes"]) == (1, 0)
    assert (rows["2017", "CHN"]["against"], rows["2017", "CHN"]["vetoes"]) == (1, 0)  # against, on a text adopted
    assert rows["2017", "EGY"]["abstaining"] == 1 and rows["2017", "USA"]["in_favour"] == 1
    assert (rows["2022", "RUS"]["vetoes"], rows["2022", "RUS"]["vetoed"]) == (1, ["2022-05-26-veto"])
    assert rows["2022", "CHN"]["name"] == "China"
    assert rows["2022", "USA"]["joint_statements"] == 1 and rows["2022", "JPN"]["joint_statements"] == 1


def test_selection_and_every_format(positions, run):
    assert {r["year"] for r in table(run("votes", "--since", "2020", "--json"))} == {"2022"}
    for fmt in ("table", "csv", "tsv", "json", "jsonl", "markdown"):
        result = run("votes", "--format", fmt)
        assert result.exit_code == 0 and "RUS" in result.stdout, fmt
    listed = list(csv.DictReader(io.StringIO(run("votes", "--csv", "--fields", "year,state,vetoes").stdout)))
    assert listed[-2] == {"year": "2022", "state": "RUS", "vetoes": "1"}
    assert "counted only where a source lists" in run("votes").stderr  # the limit, said every time


def test_the_sqlite_table_and_the_data_package_hold_the_same_rows(positions, run):
    printed = table(run("votes", "--json"))
    assert run("export", "--format", "sqlite", "-o", "db.sqlite").exit_code == 0
    db = sqlite3.connect(str(positions / "db.sqlite"))
    from dprk_records.output.datasette import VOTES_SQL

    cursor = db.execute(VOTES_SQL)
    names = [d[0] for d in cursor.description]
    stored = [dict(zip(names, row)) for row in cursor]
    assert stored == [{**r, "vetoed": "; ".join(r["vetoed"]) if r["vetoed"] else None} for r in printed]
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    assert run("export", "--format", "datapackage", "-o", "package").exit_code == 0
    with open(positions / "package" / "votes.csv", encoding="utf-8", newline="") as handle:
        assert [(r["year"], r["state"], r["against"]) for r in csv.DictReader(handle)] == [
            (r["year"], r["state"], str(r["against"])) for r in printed
        ]


def test_the_chart_has_a_hover_title_on_every_mark(positions, run):
    pytest.importorskip("matplotlib")
    result = run("votes", "--chart", "votes.svg")
    assert result.exit_code == 0, result.output
    root = ET.parse(positions / "votes.svg").getroot()
    marks = {
        g.get("id"): g for g in root.iter("{http://www.w3.org/2000/svg}g") if (g.get("id") or "").startswith("vote:")
    }
    assert "vote:2022:RUS:vetoes" in marks and "vote:2017:EGY:abstaining" in marks
    for mark_id, group in marks.items():
        title = group.find("{http://www.w3.org/2000/svg}title")
        assert title is not None and title.text.startswith(mark_id.split(":")[2] + ", " + mark_id.split(":")[1]), (
            mark_id
        )
    again = run("votes", "--chart", "votes.svg")
    assert again.exit_code == 2 and "already exists" in again.stderr


def test_on_the_bundled_records(tmp_path):
    rows = table(Runner(tmp_path)("votes", "--json", "--repo", str(PROJECT)))
    vetoes = {(r["year"], r["state"]) for r in rows if r["vetoes"]}
    assert vetoes == {("2022", "CHN"), ("2022", "RUS"), ("2024", "RUS")}  # the two vetoed drafts of the README
