"""dprk export: every format read back with the standard library, the formula guard, safe files."""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
from pathlib import Path

import pytest

from conftest import SOURCE, add_kind, ref, sample, write_record

OBSERVATIONS = [
    {"actor": "KCNA", "actor_type": "state-media", "stance": "claim", "apogee_km": 6000.5, "outcome": "success"},
    {
        "actor": "Japanese officials",
        "actor_type": "government",
        "actor_state": "JPN",
        "stance": "assessment",
        "flight_minutes": 86,
    },
]
LAUNCH = sample("launch", observations=OBSERVATIONS, tags=["srbm", "east-sea"])
FORMULA_LAUNCH = sample(
    "launch",
    id="2023-11-formula",
    date="2023-11",
    title='=HYPERLINK("http://x")',
    summary="-2 missiles, per +reports",
    name="@sum",
    count=3,
    landing_area="\tsea",
)
MEETING = sample(
    "meeting",
    launches=["2023-08-30-srbm"],
    outcomes=[
        {"type": "press-elements", "status": "not-agreed", "proposed_by": ["USA", "ALB"], "opposed_by": ["CHN", "RUS"]}
    ],
)
MEETING2 = sample("meeting", id="2023-12-18-briefing", date="2023-12-18", requested_by=["USA", "JPN", "KOR"])
REPORT = sample("sanctions-report", period={"start": "2023-02-01", "end": "2023-07-31"}, key_findings=["One.", "Two."])
STATEMENT = sample("statement", responds_to=["2023-08-30-srbm"])


@pytest.fixture
def data(repo: Path) -> Path:
    write_record(repo, "launch", LAUNCH)
    write_record(repo, "launch", FORMULA_LAUNCH)
    write_record(repo, "meeting", MEETING)
    write_record(repo, "meeting", MEETING2)
    write_record(repo, "sanctions-report", REPORT)
    write_record(repo, "statement", STATEMENT)
    return repo


def read_csv(path: Path, delimiter: str = ",") -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter=delimiter))


# --- CSV and TSV ---------------------------------------------------------------------------------


def test_csv_file_reads_back_with_schema_columns(run, data, repo):
    result = run("export", "launches", "-o", "out.csv")
    assert result.exit_code == 0, result.output
    assert "wrote 2 records to out.csv" in result.output
    raw = (repo / "out.csv").read_bytes()
    assert raw.startswith(b"id,date,date_start,date_end,date_note,title,summary,category,count,")
    assert b"\r\n" in raw  # RFC 4180 line ends
    rows = read_csv(repo / "out.csv")
    first = rows[0]
    assert first["id"] == "2023-08-30-srbm" and first["count"] == "2"
    assert first["date_start"] == first["date_end"] == "2023-08-30"
    assert rows[1]["date"] == "2023-11" and (rows[1]["date_start"], rows[1]["date_end"]) == ("2023-11-01", "2023-11-30")
    # a list cell is a JSON array: it splits back exactly, whatever its items hold
    assert json.loads(first["tags"]) == ["srbm", "east-sea"]
    assert json.loads(first["observations.actor"]) == ["KCNA", "Japanese officials"]
    assert json.loads(first["observations.apogee_km"]) == [6000.5, None]  # aligned with the elements
    assert json.loads(first["observations.flight_minutes"]) == [None, 86]
    assert json.loads(first["sources.quote"]) == [LAUNCH["sources"][0]["quote"]]


def test_a_list_item_holding_the_separator_splits_back_exactly(run, repo):
    note = "first part; second part, with a comma"
    write_record(
        repo, "launch", sample("launch", tags=["a-b"], sources=[dict(SOURCE, note=note), dict(SOURCE, quote="x; y")])
    )
    rows = list(csv.DictReader(io.StringIO(run("export", "launches").output)))
    assert json.loads(rows[0]["sources.note"]) == [note, None]
    assert json.loads(rows[0]["sources.quote"]) == [SOURCE["quote"], "x; y"]


def test_csv_lists_nested_lists_and_flattens_objects(run, data, repo):
    meetings = list(csv.DictReader(io.StringIO(run("export", "meetings").output)))
    assert json.loads(meetings[0]["outcomes.proposed_by"]) == [["USA", "ALB"]]
    assert json.loads(meetings[0]["requested_by"]) == ["ALB", "USA"]
    reports = list(csv.DictReader(io.StringIO(run("export", "sanctions-reports").output)))
    assert reports[0]["period.start"] == "2023-02-01" and reports[0]["period.end"] == "2023-07-31"
    assert json.loads(reports[0]["key_findings"]) == ["One.", "Two."]


def test_formula_cells_are_escaped_and_numbers_left_alone(run, data, repo):
    rows = list(csv.DictReader(io.StringIO(run("export", "launches").output)))
    bad = rows[1]
    assert bad["title"] == '\'=HYPERLINK("http://x")'
    assert bad["summary"] == "'-2 missiles, per +reports"
    assert bad["name"] == "'@sum"
    assert bad["landing_area"] == "'\tsea"
    assert bad["count"] == "3"  # a number is never touched
    assert rows[0]["id"] == "2023-08-30-srbm"  # dates and ids untouched


def test_negative_numbers_stay_numbers(run, repo):
    # the schema forbids negative numbers in records, so check the writer directly
    from dprk_records.output.formats import write_delimited

    out = io.StringIO()
    write_delimited(out, ["n", "s"], [[-5, "-5"], [2.5, "+1"]])
    assert list(csv.reader(io.StringIO(out.getvalue()))) == [["n", "s"], ["-5", "'-5"], ["2.5", "'+1"]]


def test_no_escape_formulas(run, data):
    rows = list(csv.DictReader(io.StringIO(run("export", "launches", "--no-escape-formulas").output)))
    assert rows[1]["title"] == '=HYPERLINK("http://x")'


def test_tsv_reads_back(run, data, repo):
    assert run("export", "launches", "--format", "tsv", "-o", "out.tsv").exit_code == 0
    rows = read_csv(repo / "out.tsv", delimiter="\t")
    assert [r["id"] for r in rows] == ["2023-08-30-srbm", "2023-11-formula"]
    assert rows[1]["landing_area"] == "'\tsea"


def test_bom(run, data, repo):
    run("export", "launches", "--bom", "-o", "bom.csv")
    raw = (repo / "bom.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfid,date")
    with open(repo / "bom.csv", newline="", encoding="utf-8-sig") as handle:
        assert next(csv.reader(handle))[0] == "id"


def test_explode_one_row_per_requesting_state(run, data):
    result = run("export", "meetings", "--explode", "requested_by", "--fields", "id,requested_by")
    rows = list(csv.reader(io.StringIO(result.output)))
    assert rows == [
        ["id", "requested_by"],
        ["2023-08-25-open-briefing", "ALB"],
        ["2023-08-25-open-briefing", "USA"],
        ["2023-12-18-briefing", "USA"],
        ["2023-12-18-briefing", "JPN"],
        ["2023-12-18-briefing", "KOR"],
    ]


def test_explode_keeps_numbers(run, data):
    result = run(
        "export", "launches", "--format", "jsonl", "--explode", "observations", "--fields", "id,observations.apogee_km"
    )
    values = [json.loads(line)["observations.apogee_km"] for line in result.output.splitlines()]
    assert values == [6000.5, None, None]


def test_empty_export(run, data, repo):
    assert run("export", "launches", "--since", "2030", "-o", "none.csv").exit_code == 0
    assert read_csv(repo / "none.csv") == []
    assert (repo / "none.csv").read_text().startswith("id,date,")


# --- JSON and JSON Lines ----------------------------------------------------------------------------


def test_json_holds_records_exactly_as_stored(run, data, repo):
    run("export", "--format", "json", "-o", "all.json")
    records = json.loads((repo / "all.json").read_text(encoding="utf-8"))
    by_id = {r["id"]: r for r in records}
    assert by_id["2023-08-30-srbm"] == LAUNCH
    assert by_id["2023-11-formula"] == FORMULA_LAUNCH  # no escaping in JSON
    assert by_id["2023-09-12-panel-midterm"] == REPORT
    assert len(records) == 6


def test_jsonl_one_record_per_line(run, data):
    lines = run("export", "meetings", "--format", "jsonl").output.splitlines()
    assert [json.loads(line) for line in lines] == [MEETING, MEETING2]


def test_markdown(run, data):
    text = run("export", "statements", "--format", "markdown", "--fields", "id,type").output
    assert text.splitlines() == ["| id | type |", "| --- | --- |", "| 2023-08-24-sg-statement | secretary-general |"]


# --- SQLite ------------------------------------------------------------------------------------------


def test_sqlite_needs_a_file(run, data):
    result = run("export", "--format", "sqlite")
    assert result.exit_code == 2 and "needs -o FILE" in result.output


def test_sqlite_tables_types_children_and_view(run, data, repo):
    result = run("export", "--format", "sqlite", "-o", "dprk.sqlite")
    assert result.exit_code == 0, result.output
    db = sqlite3.connect(repo / "dprk.sqlite")
    try:
        launch = db.execute("SELECT id, date, title, count, typeof(count) FROM launch ORDER BY id").fetchall()
        assert launch == [
            ("2023-08-30-srbm", "2023-08-30", LAUNCH["title"], 2, "integer"),
            ("2023-11-formula", "2023-11", FORMULA_LAUNCH["title"], 3, "integer"),
        ]
        requests = db.execute(
            "SELECT state, count(*) FROM meeting_requested_by GROUP BY state ORDER BY state"
        ).fetchall()
        assert requests == [("ALB", 1), ("JPN", 1), ("KOR", 1), ("USA", 2)]
        observations = db.execute(
            "SELECT launch_id, position, actor, apogee_km, typeof(apogee_km), flight_minutes FROM launch_observations ORDER BY position"
        ).fetchall()
        assert observations == [
            ("2023-08-30-srbm", 0, "KCNA", 6000.5, "real", None),
            ("2023-08-30-srbm", 1, "Japanese officials", None, "null", 86.0),
        ]
        assert db.execute("SELECT state FROM meeting_outcomes_proposed_by ORDER BY position").fetchall() == [
            ("USA",),
            ("ALB",),
        ]
        assert db.execute("SELECT period_start, period_end FROM sanctions_report").fetchall() == [
            ("2023-02-01", "2023-07-31")
        ]
        assert db.execute("SELECT record_id FROM statement_responds_to").fetchall() == [("2023-08-30-srbm",)]
        assert db.execute("SELECT date_start, date_end FROM launch WHERE id = '2023-11-formula'").fetchone() == (
            "2023-11-01",
            "2023-11-30",
        )
        timeline = db.execute("SELECT date, kind, id, title FROM timeline ORDER BY date, id").fetchall()
        assert [row[2] for row in timeline] == [
            "2023-08-24-sg-statement",
            "2023-08-25-open-briefing",
            "2023-08-30-srbm",
            "2023-09-12-panel-midterm",
            "2023-11-formula",
            "2023-12-18-briefing",
        ]
        assert {row[1] for row in timeline} == {"launch", "meeting", "statement", "sanctions-report"}
    finally:
        db.close()


def test_sqlite_values_are_parameters_not_sql(run, repo):
    tricky = sample("launch", title="x'); DROP TABLE launch; --", summary="Robert'); --")
    write_record(repo, "launch", tricky)
    assert run("export", "--format", "sqlite", "-o", "t.sqlite").exit_code == 0
    db = sqlite3.connect(repo / "t.sqlite")
    try:
        assert db.execute("SELECT title, summary FROM launch").fetchall() == [(tricky["title"], tricky["summary"])]
    finally:
        db.close()


def test_sqlite_keys_records_by_file_name(run, repo):
    write_record(repo, "launch", sample("launch"))
    write_record(repo, "launch", sample("launch"), name="2023-08-31-copy")  # its id field is stale
    assert run("export", "--format", "sqlite", "-o", "k.sqlite").exit_code == 0
    db = sqlite3.connect(repo / "k.sqlite")
    try:
        assert db.execute("SELECT id FROM launch ORDER BY id").fetchall() == [
            ("2023-08-30-srbm",),
            ("2023-08-31-copy",),
        ]
    finally:
        db.close()


def test_sqlite_export_of_a_fifth_kind_whose_first_field_is_not_the_id(run, repo):
    add_kind(
        repo,
        "visit",
        "visits",
        {
            "date": ref("date"),
            "id": ref("id"),
            "title": ref("title"),
            "summary": ref("summary"),
            "sources": ref("sources"),
        },
        ["date", "id", "title", "summary", "sources"],
    )
    base = {"date": "2023-09-13", "title": "Visit", "summary": "s", "sources": sample("launch")["sources"]}
    write_record(repo, "visit", {**base, "id": "2023-09-13-a"})
    write_record(repo, "visit", {**base, "id": "2023-09-13-b", "title": "Another visit"})
    assert run("validate").exit_code == 0
    assert run("export", "visits", "--format", "sqlite", "-o", "v.sqlite").exit_code == 0
    db = sqlite3.connect(repo / "v.sqlite")
    try:
        assert db.execute("SELECT id, date FROM visit ORDER BY id").fetchall() == [
            ("2023-09-13-a", "2023-09-13"),
            ("2023-09-13-b", "2023-09-13"),
        ]
        assert db.execute("SELECT count(*) FROM timeline").fetchone() == (2,)
    finally:
        db.close()


# --- files: atomic, no overwrite, clear errors ----------------------------------------------------------


def test_refuses_to_overwrite_without_force(run, data, repo):
    target = repo / "out.csv"
    target.write_text("keep me")
    result = run("export", "launches", "-o", "out.csv")
    assert result.exit_code == 2
    assert "already exists" in result.output and "--force" in result.output
    assert target.read_text() == "keep me"
    assert run("export", "launches", "-o", "out.csv", "--force").exit_code == 0
    assert target.read_text().startswith("id,date")
    # sqlite too
    result = run("export", "--format", "sqlite", "-o", "out.csv")
    assert result.exit_code == 2 and target.read_text().startswith("id,date")


def test_failed_export_leaves_no_partial_file(run, data, repo):
    # a broken record read after good ones: the export fails part-way
    (repo / "records" / "statements" / "2030-01-01-broken.yaml").write_text("id: [unclosed\n")
    for args in (
        ("-o", "new.csv"),
        ("--format", "jsonl", "-o", "new.jsonl"),
        ("--format", "sqlite", "-o", "new.sqlite"),
    ):
        result = run("export", *args)
        assert result.exit_code == 1
        assert "2030-01-01-broken.yaml" in result.output
        assert not (repo / args[-1]).exists()
    old = repo / "old.csv"
    old.write_text("old contents")
    assert run("export", "-o", "old.csv", "--force").exit_code == 1
    assert old.read_text() == "old contents"
    leftovers = [p.name for p in repo.iterdir() if p.name.startswith(".") and p.name not in (".git", ".dprk-cache")]
    assert leftovers == []


def test_missing_folder_is_one_clear_line(run, data):
    result = run("export", "-o", "no/such/folder/out.csv")
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].endswith(
        "error: cannot write 'no/such/folder/out.csv': folder 'no/such/folder' does not exist (create it first)"
    )


def test_file_in_place_of_folder_is_one_clear_line(run, data, repo):
    (repo / "plain.txt").write_text("x")
    result = run("export", "-o", "plain.txt/out.csv")
    assert result.exit_code == 2 and "is a file, not a folder" in result.output
    assert len(result.output.strip().splitlines()) == 1


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root can write anywhere")
def test_read_only_folder_is_one_clear_line(run, data, repo):
    locked = repo / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        result = run("export", "-o", "locked/out.csv")
        assert result.exit_code == 2
        assert "is not writable" in result.output and len(result.output.strip().splitlines()) == 1
    finally:
        locked.chmod(0o755)


def test_a_broken_record_stops_query_before_any_row(run, data, repo):
    """Records come in the order of their own dates, which are all learned before the first
    row: a broken file anywhere is one error, and no partial output precedes it."""
    (repo / "records" / "statements" / "2030-01-01-broken.yaml").write_text("id: [unclosed\n")
    result = run("query", "--jsonl")
    assert result.exit_code == 1
    errors = [line for line in result.output.splitlines() if "error:" in line]
    assert len(errors) == 1 and "2030-01-01-broken.yaml" in errors[0]
    assert not any(line.startswith("{") for line in result.output.splitlines())
    sorted_result = run("query", "--jsonl", "--sort", "id")
    assert sorted_result.exit_code == 1 and not any(line.startswith("{") for line in sorted_result.output.splitlines())


def test_a_fifth_kind_needs_only_its_schema_file(run, data, repo):
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Note",
        "x-kind": "note",
        "x-folder": "notes",
        "type": "object",
        "required": ["id", "date", "title", "summary", "sources"],
        "properties": {
            "id": {"$ref": "definitions.schema.json#/$defs/id"},
            "date": {"$ref": "definitions.schema.json#/$defs/date"},
            "title": {"$ref": "definitions.schema.json#/$defs/title"},
            "summary": {"$ref": "definitions.schema.json#/$defs/summary"},
            "pages": {"type": "integer"},
            "about": {
                "type": "array",
                "items": {"$ref": "definitions.schema.json#/$defs/record_ref"},
                "x-references": ["launch"],
            },
            "sources": {"$ref": "definitions.schema.json#/$defs/sources"},
        },
    }
    (repo / "schema" / "note.schema.json").write_text(json.dumps(schema))
    note = {
        "id": "2023-12-01-note",
        "date": "2023-12",
        "title": "A note",
        "summary": "S.",
        "pages": 4,
        "about": ["2023-08-30-srbm"],
        "sources": LAUNCH["sources"],
    }
    write_record(repo, "note", note)
    rows = list(csv.DictReader(io.StringIO(run("export", "notes", "--where", "pages>3").output)))
    assert [(r["id"], r["pages"], json.loads(r["about"])) for r in rows] == [
        ("2023-12-01-note", "4", ["2023-08-30-srbm"])
    ]
    timeline = list(csv.DictReader(io.StringIO(run("query", "--csv", "--since", "2023-12").output)))
    assert ("note", "2023-12-01-note") in [(r["kind"], r["id"]) for r in timeline]
    assert run("export", "--format", "sqlite", "-o", "five.sqlite").exit_code == 0
    db = sqlite3.connect(repo / "five.sqlite")
    try:
        assert db.execute("SELECT pages, typeof(pages) FROM note").fetchall() == [(4, "integer")]
        assert db.execute("SELECT note_id, launch_id FROM note_about").fetchall() == [
            ("2023-12-01-note", "2023-08-30-srbm")
        ]
        assert ("note", "2023-12-01-note") in db.execute("SELECT kind, id FROM timeline").fetchall()
    finally:
        db.close()
    shown = json.loads(run("show", "2023-08-30-srbm", "--json").output)
    assert ("note", "about") in [(b["kind"], b["field"]) for b in shown["backlinks"]]
    assert "note" in run("stats").output.splitlines()[0]


def test_sqlite_references_are_foreign_keys_named_for_what_they_point_at(run, data, repo):
    assert run("export", "--format", "sqlite", "-o", "fk.sqlite").exit_code == 0
    db = sqlite3.connect(repo / "fk.sqlite")
    try:

        def keys(table: str) -> set[tuple[str, str, str]]:
            return {(row[3], row[2], row[4]) for row in db.execute(f"PRAGMA foreign_key_list({table})")}

        assert ("launch_id", "launch", "id") in keys("meeting_launches")
        assert ("record_id", "records", "id") in keys("statement_responds_to")  # a reference to several kinds
        assert ("presented_at", "meeting", "id") in keys("sanctions_report")
        assert ("state", "states", "code") in keys("meeting_requested_by")
        assert ("actor_state", "states", "code") in keys("launch_observations")
        assert ("meeting_id", "meeting_outcomes", "meeting_id") in keys("meeting_outcomes_proposed_by")
        assert db.execute("SELECT name FROM states WHERE code = 'PRK'").fetchone()[0]
        indexed = {row[0] for row in db.execute("SELECT tbl_name FROM sqlite_master WHERE type = 'index'")}
        assert {"meeting_launches", "statement_responds_to", "meeting_requested_by"} <= indexed
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
        # a join through the keys: the meetings that took up a launch
        joined = db.execute(
            "SELECT m.id FROM meeting m JOIN meeting_launches l ON l.meeting_id = m.id "
            "JOIN launch x ON x.id = l.launch_id WHERE x.id = '2023-08-30-srbm'"
        ).fetchall()
        assert joined
    finally:
        db.close()


def test_the_bundled_records_have_no_dangling_foreign_key(tmp_path):
    from conftest import PROJECT, Runner

    result = Runner(tmp_path)(
        "export", "--format", "sqlite", "-o", str(tmp_path / "all.sqlite"), "--repo", str(PROJECT)
    )
    assert result.exit_code == 0, result.output
    db = sqlite3.connect(tmp_path / "all.sqlite")
    try:
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
        assert (
            db.execute("SELECT count(*) FROM records").fetchone()[0]
            == db.execute("SELECT count(*) FROM timeline").fetchone()[0]
        )
    finally:
        db.close()
