"""`dprk reactions`: the Council's response to each launch and nuclear test, derived from the links."""

from __future__ import annotations

import csv
import io
import json

import pytest

from conftest import PROJECT, Runner, sample, write_record

L1, L2, L3, N1 = "2016-02-07-satellite", "2022-05-25-icbm", "2023-12-icbm", "2017-09-03-sixth-nuclear-test"


@pytest.fixture
def linked(repo):
    write_record(
        repo,
        "launch",
        sample("launch", id=L1, date="2016-02-07", category="satellite-launch-vehicle", name="Kwangmyongsong"),
    )
    write_record(repo, "launch", sample("launch", id=L2, date="2022-05-25", category="ICBM"))
    write_record(repo, "launch", sample("launch", id=L3, date="2023-12", category="ICBM"))
    write_record(repo, "nuclear-test", sample("nuclear-test", id=N1))
    write_record(
        repo,
        "meeting",
        sample(
            "meeting",
            id="2016-02-07-emergency",
            date="2016-02-07",
            launches=[L1],
            outcomes=[{"type": "press-statement", "status": "issued", "statement": "2016-02-07-press-statement"}],
        ),
    )
    write_record(
        repo,
        "statement",
        sample(
            "statement",
            id="2016-02-07-press-statement",
            date="2016-02-07",
            type="council-press-statement",
            responds_to=[L1],
            meeting="2016-02-07-emergency",
        ),
    )
    write_record(
        repo,
        "statement",
        sample("statement", id="2016-02-07-sg", date="2016-02-07", type="secretary-general", responds_to=[L1]),
    )
    write_record(
        repo,
        "meeting",
        sample(
            "meeting",
            id="2016-03-02-resolution-2270",
            date="2016-03-02",
            format="adoption",
            outcomes=[{"type": "resolution", "status": "adopted", "number": 2270, "responds_to": [L1]}],
        ),
    )
    write_record(
        repo,
        "meeting",
        sample(
            "meeting",
            id="2022-05-26-veto",
            date="2022-05-26",
            format="adoption",
            launches=[L2],
            outcomes=[
                {
                    "type": "resolution",
                    "status": "vetoed",
                    "responds_to": [L2],
                    "vote": {"in_favour": 13, "against": 2, "against_states": ["CHN", "RUS"]},
                }
            ],
        ),
    )
    # a mandate renewal at a meeting that also took up a launch answers no launch
    write_record(
        repo,
        "meeting",
        sample(
            "meeting",
            id="2022-05-27-renewal",
            date="2022-05-27",
            launches=[L2],
            outcomes=[{"type": "resolution", "status": "adopted", "number": 9999}],
        ),
    )
    write_record(
        repo,
        "meeting",
        sample(
            "meeting",
            id="2017-09-11-resolution-2375",
            date="2017-09-11",
            format="adoption",
            nuclear_tests=[N1],
            outcomes=[{"type": "resolution", "status": "adopted", "responds_to": [N1]}],
        ),
    )
    write_record(
        repo,
        "meeting",
        sample("meeting", id="2023-12-20-scheduled", date="2023-12-20", status="scheduled", launches=[L3]),
    )
    return repo


def rows(result) -> dict[str, dict]:
    assert result.exit_code == 0, result.output
    return {row["id"]: row for row in json.loads(result.output)}


def test_one_row_per_event_from_the_links(linked, run):
    found = rows(run("reactions", "--json"))
    assert list(found) == [L1, N1, L2, L3]  # in date order
    first = found[L1]
    assert first["first_meeting"] == "2016-02-07-emergency" and first["days_to_meeting"] == 0
    assert first["responses"] == [
        "council-press-statement issued: 2016-02-07-press-statement",
        "secretary-general issued: 2016-02-07-sg",
        "resolution adopted: 2016-03-02-resolution-2270",
    ]  # the press statement once
    assert first["first_agreed_product"] == "2016-02-07-press-statement" and first["days_to_product"] == 0
    assert found[N1]["first_meeting"] == "2017-09-11-resolution-2375" and found[N1]["days_to_meeting"] == 8
    assert found[N1]["days_to_product"] == 8 and found[N1]["category"] is None
    vetoed = found[L2]
    assert vetoed["days_to_meeting"] == 1 and vetoed["responses"] == ["resolution vetoed: 2022-05-26-veto"]
    assert vetoed["first_agreed_product"] is None and vetoed["days_to_product"] is None
    assert (
        found[L3]["first_meeting"] is None and found[L3]["responses"] is None
    )  # a scheduled meeting is not a meeting held


def test_selection_options_choose_the_events(linked, run):
    assert list(rows(run("reactions", "launches", "--since", "2022", "--json"))) == [L2, L3]
    assert list(rows(run("reactions", "--where", "category=ICBM", "--json"))) == [L2, L3]
    assert list(rows(run("reactions", "nuclear-test", "--json"))) == [N1]


def test_summary_by_year_lists_every_year_with_shares(linked, run):
    result = run("reactions", "--by", "year", "--csv")
    assert result.exit_code == 0, result.output
    table = list(csv.DictReader(io.StringIO(result.output)))
    assert [r["period"] for r in table] == [str(y) for y in range(2016, 2024)]
    by = {r["period"]: r for r in table}
    assert (
        by["2016"]["events"],
        by["2016"]["met_on"],
        by["2016"]["agreed_product"],
        by["2016"]["share_agreed_product"],
    ) == ("1", "1", "1", "1.0")
    assert (by["2019"]["events"], by["2019"]["share_met_on"]) == ("0", "")
    assert (by["2022"]["product_not_agreed"], by["2022"]["share_product_not_agreed"]) == ("1", "1.0")
    assert (by["2023"]["events"], by["2023"]["met_on"]) == ("1", "0")
    months = [
        r["period"]
        for r in csv.DictReader(io.StringIO(run("reactions", "--by", "month", "--csv", "--since", "2022").output))
    ]
    assert months[0] == "2022-05" and months[-1] == "2023-12" and "2022-06" in months


def test_every_output_format(linked, run):
    for fmt in ("table", "csv", "tsv", "json", "jsonl", "markdown"):
        result = run("reactions", "--format", fmt)
        assert result.exit_code == 0 and L1 in result.output, fmt
    listed = list(csv.DictReader(io.StringIO(run("reactions", "--csv").output)))
    assert json.loads(listed[0]["responses"])[0].startswith("council-press-statement issued")


def test_other_kinds_are_a_usage_error(linked, run):
    result = run("reactions", "meetings")
    assert result.exit_code == 2 and "reactions are for launch, nuclear-test, not meeting" in result.stderr


def test_on_the_bundled_records(tmp_path):
    result = Runner(tmp_path)("reactions", "--by", "year", "--json", "--repo", str(PROJECT))
    table = json.loads(result.stdout)
    assert result.exit_code == 0 and table[0]["period"] == "2006"
    assert sum(r["events"] for r in table) > 100


def _printed(run_or_runner, *args) -> list[dict]:
    result = run_or_runner("reactions", "--json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _database_rows(path) -> list[dict]:
    import sqlite3

    from dprk_records.output.datasette import REACTIONS_SQL

    db = sqlite3.connect(str(path))
    try:
        cursor = db.execute(REACTIONS_SQL)  # the datasette query, as served
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row)) for row in cursor]
    finally:
        db.close()


def _as_query_row(row: dict) -> dict:
    return {**row, "responses": "; ".join(row["responses"]) if row["responses"] else None}


def test_the_exports_and_the_datasette_query_agree_with_reactions_on_the_bundled_records(tmp_path):
    run = Runner(tmp_path)
    printed = _printed(run, "--repo", str(PROJECT))
    assert len(printed) > 100
    assert run("export", "--format", "sqlite", "-o", "all.sqlite", "--repo", str(PROJECT)).exit_code == 0
    assert _database_rows(tmp_path / "all.sqlite") == [_as_query_row(r) for r in printed]  # every event, every column
    assert run("export", "--format", "datapackage", "-o", "package", "--repo", str(PROJECT)).exit_code == 0
    with open(tmp_path / "package" / "reactions.csv", encoding="utf-8", newline="") as handle:
        packaged = {r["id"]: r for r in csv.DictReader(handle)}
    assert list(packaged) == [r["id"] for r in printed]
    for row in printed:
        assert (packaged[row["id"]]["response"], packaged[row["id"]]["first_meeting"]) == (
            row["response"],
            row["first_meeting"] or "",
        )
    with open(tmp_path / "package" / "reactions_responses.csv", encoding="utf-8", newline="") as handle:
        texts = [(r["reactions_id"], r["text"]) for r in csv.DictReader(handle)]
    assert texts == [(r["id"], text) for r in printed for text in r["responses"] or []]


def test_a_presidential_statement_with_its_own_record_counts_once_everywhere(linked, run):
    # the meeting's outcome names the statement record, which speaks for it
    write_record(
        linked,
        "meeting",
        sample(
            "meeting",
            id="2016-02-08-prst",
            date="2016-02-08",
            launches=[L1],
            outcomes=[{"type": "presidential-statement", "status": "adopted", "statement": "2016-02-08-prst-record"}],
        ),
    )
    write_record(
        linked,
        "statement",
        sample(
            "statement",
            id="2016-02-08-prst-record",
            date="2016-02-08",
            type="presidential-statement",
            responds_to=[L1],
            meeting="2016-02-08-prst",
        ),
    )
    printed = _printed(run)
    [first] = [r for r in printed if r["id"] == L1]
    assert sum("2016-02-08" in text for text in first["responses"]) == 1
    assert run("export", "--format", "sqlite", "-o", "x.sqlite").exit_code == 0
    assert _database_rows(linked / "x.sqlite") == [_as_query_row(r) for r in printed]


def test_the_response_class_and_days_to_it(linked, run):
    found = rows(run("reactions", "--json"))
    assert (found[L1]["response"], found[L1]["days_to_response"]) == ("agreed-product", 0)
    assert (found[L2]["response"], found[L2]["days_to_response"]) == ("product-not-agreed", 1)
    assert (found[L3]["response"], found[L3]["days_to_response"]) == ("none", None)


def edit_schema(repo, name, change):
    path = repo / "schema" / f"{name}.schema.json"
    schema = json.loads(path.read_text())
    change(schema)
    path.write_text(json.dumps(schema, indent=2))


def test_what_an_event_or_an_agreed_product_is_comes_from_the_schema(linked, run):
    edit_schema(linked, "nuclear-test", lambda s: s.pop("x-answered"))
    assert list(rows(run("reactions", "--json"))) == [L1, L2, L3]  # nuclear tests are no longer events
    edit_schema(
        linked,
        "meeting",
        lambda s: s["properties"]["outcomes"]["items"]["properties"]["status"].update({"x-agreed": ["issued"]}),
    )
    found = rows(run("reactions", "--json"))
    assert found[L1]["first_agreed_product"] == "2016-02-07-press-statement"  # the statement record, still agreed
    edit_schema(
        linked,
        "meeting",
        lambda s: s["properties"]["outcomes"]["items"]["properties"]["status"].update({"x-agreed": ["adoptd"]}),
    )
    result = run("reactions")
    assert (
        result.exit_code == 1
        and "x-agreed must list allowed values" in result.stderr
        and "Traceback" not in result.stderr
    )


def test_a_filtered_export_keeps_the_reactions_with_no_dangling_key(linked, run):
    import sqlite3

    printed = _printed(run, "launches")
    for kinds in (("launches",), ("launches", "meetings"), ("statements",)):
        assert run("export", *kinds, "--format", "sqlite", "-o", "part.sqlite", "--force").exit_code == 0
        db = sqlite3.connect(str(linked / "part.sqlite"))
        try:
            assert db.execute("PRAGMA foreign_key_check").fetchall() == [], kinds
            tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        finally:
            db.close()
        if "launches" in kinds:
            assert _database_rows(linked / "part.sqlite") == [_as_query_row(r) for r in printed]
        else:
            assert "reactions" not in tables and "votes" in tables  # statements answer events; they are none


def test_a_record_dated_year_0000_is_invalid_and_breaks_no_command(repo, run):
    # there is no year 0 in the calendar dates name (nor in Python's): validation refuses it as
    # it refuses 2023-02-30, and commands that read records without checking them find no day in it
    write_record(repo, "launch", sample("launch", id="0000-zero", date="0000"))
    write_record(repo, "launch", sample("launch"))
    write_record(
        repo,
        "meeting",
        sample(
            "meeting",
            launches=["0000-zero", "2023-08-30-srbm"],
            outcomes=[{"type": "press-statement", "status": "issued"}],
        ),
    )
    result = run("validate")
    assert (
        result.exit_code == 1
        and "records/launches/0000-zero.yaml:3:7: $.date: '0000' is not a day on the calendar" in result.stdout
    )
    rows = {row["id"]: row for row in json.loads(run("reactions", "--json").output)}
    assert (
        rows["0000-zero"]["first_meeting"] == "2023-08-25-open-briefing"
        and rows["0000-zero"]["days_to_meeting"] is None
    )
    assert rows["2023-08-30-srbm"]["days_to_meeting"] == -5
    summary = run("reactions", "--by", "year", "--csv")
    assert summary.exit_code == 0 and summary.output.splitlines()[1].startswith("2023,1,1,")
    assert run("stats", "--csv").exit_code == 0
    for args in (
        ["query", "--since", "0000"],
        [
            "add",
            "launch",
            "--date",
            "0000",
            "--title",
            "t",
            "--summary",
            "s",
            "--category",
            "SRBM",
            "--source",
            json.dumps(sample("launch")["sources"][0]),
        ],
    ):
        result = run(*args)
        assert (
            result.exit_code == 2
            and "'0000' is not a day on the calendar (the calendar has no year 0000)" in result.stderr
        ), result.stderr
    result = run("query", "--since", "2023\n")  # a date ends where the text does, as the schema reads it
    assert result.exit_code == 2 and "is not a date" in result.stderr, result.stderr


def test_years_before_1000_are_counted_in_their_own_period(repo, run):
    write_record(repo, "launch", sample("launch", id="0999-early", date="0999"))
    write_record(repo, "launch", sample("launch", id="1001-late", date="1001-02"))
    stats = list(csv.reader(io.StringIO(run("stats", "launches", "--csv").output)))
    assert [row[0] for row in stats[1:]] == ["0999", "1000", "1001", "total"]
    assert [row[-1] for row in stats[1:]] == ["1", "0", "1", "2"]
    summary = list(csv.reader(io.StringIO(run("reactions", "--by", "year", "--csv").output)))
    assert [(row[0], row[1]) for row in summary[1:]] == [("0999", "1"), ("1000", "0"), ("1001", "1")]
