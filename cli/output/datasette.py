"""`dprk serve`: the records in datasette, with metadata made from the schema files.

The SQLite export (cli.output.sqlitedb, through the parse cache) is written to the
tool's own folder, `.dprk-cache/serve/`, with a metadata file giving every table and
column its title and description from the schemas, facets on the fields with a few
allowed values, the record's title as the label of every reference, and canned
queries named apart from the tables and views: `reactions_by_event` (the Council's
response to each launch and nuclear test, read from the `reactions` table the export
writes), `votes_by_state` (from `votes`) and `records_by_date` (every record by date). Because references are foreign keys, a launch's page
lists the meetings and statements that point at it. datasette is imported only when it
is asked for; without it, one line says how to install it.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

from cli.errors import DataError, UsageError
from cli.output.tables import Layout, Table

INSTALL = "pip install 'dprk-records[serve]'"
DATABASE = "dprk"
FACET_MAX = 20  # an enum with more values than this (state codes) is no use as a facet
RECORDS_BY_DATE, REACTIONS_QUERY, VOTES_QUERY = "records_by_date", "reactions_by_event", "votes_by_state"


def check_installed() -> None:
    try:
        found = importlib.util.find_spec("datasette") is not None
    except (ImportError, ValueError):  # a module blocked or broken counts as missing
        found = False
    if not found:
        raise UsageError("dprk serve needs datasette, which is not installed", hint=INSTALL)


REACTIONS_SQL = """SELECT r.date, r.kind, r.id, r.category, r.name, r.first_meeting, r.days_to_meeting,
  (SELECT group_concat(text, '; ') FROM (SELECT x.text FROM reactions_responses x WHERE x.reactions_id = r.id ORDER BY x.position)) AS responses,
  r.first_agreed_product, r.days_to_product, r.response, r.days_to_response
FROM reactions r ORDER BY r.date_start, r.id"""
VOTES_SQL = """SELECT v.year, v.state, v.name, v.in_favour, v.against, v.abstaining, v.vetoes, v.joint_statements,
  (SELECT group_concat(record_id, '; ') FROM (SELECT x.record_id FROM votes_vetoed x WHERE x.votes_year = v.year AND x.votes_state = v.state ORDER BY x.position)) AS vetoed
FROM votes v ORDER BY v.year, v.state"""
RECORDS_BY_DATE_SQL = "SELECT date, date_start, date_end, kind, id, title FROM records ORDER BY date_start, id"


def metadata(layout: Layout, derived: list[Table] = ()) -> dict[str, Any]:
    """datasette's metadata for the tables of `layout` and the `derived` ones (cli.output.derived).

    The canned queries are named apart from every table and view: `records_by_date`
    (the view `timeline` keeps its own name), `reactions_by_event` and `votes_by_state`
    read the derived tables, made by the same code as `dprk reactions` and `dprk votes`."""
    tables: dict[str, Any] = {}
    for table in [*layout.tables(), *derived]:
        entry: dict[str, Any] = {"description": table.description or table.name,
                                 "columns": {c.name: c.description for c in table.columns if c.description}}
        if table.kind is not None and table.parent is None:
            entry["title"] = table.kind.title
            entry["label_column"] = "title"
            entry["sort"] = "date_start" if any(c.name == "date_start" for c in table.columns) else "id"
            facets = [c.name for c in table.columns if c.enum and len(c.enum) <= FACET_MAX]
            if facets:
                entry["facets"] = facets
        elif table.name == layout.records.name:
            entry["label_column"] = "title"
            entry["facets"] = ["kind"]
        elif table.name == layout.state_table.name:
            entry["label_column"] = "name"
        elif table.kind is None and table.parent is None:
            facets = [c.name for c in table.columns if c.enum]
            if facets:
                entry["facets"] = facets
        tables[table.name] = entry
    names = {t.name for t in derived}
    queries: dict[str, Any] = {
        RECORDS_BY_DATE: {"title": "Every record by date", "description": "Meetings, launches, nuclear tests, statements and reports in one list.",
                          "sql": RECORDS_BY_DATE_SQL},
    }
    if "reactions" in names:
        queries[REACTIONS_QUERY] = {"title": "The Council's response to each launch and nuclear test",
                                    "description": "The rows of `dprk reactions`: the first meeting held on each event and the days to it, "
                                                   "every statement and meeting outcome that responds to it, and its response class.",
                                    "sql": REACTIONS_SQL}
    if "votes" in names:
        queries[VOTES_QUERY] = {"title": "Positions of Council members by year",
                                "description": "The rows of `dprk votes`: votes in favour, against and abstaining, vetoes and joint "
                                               "statements signed, where a source lists the states.",
                                "sql": VOTES_SQL}
    return {"title": "dprk-records: the DPRK file at the UN Security Council",
            "description": "One row per record; lists are tables of their own, and references are foreign keys.",
            "databases": {DATABASE: {"tables": tables, "queries": queries}}}


def write_metadata(path: Path, data: dict[str, Any]) -> None:
    try:
        path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    except OSError as exc:
        raise DataError(f"cannot write {path}: {exc.strerror or exc}") from None


def serve_command(database: Path, meta: Path, port: int, host: str = "127.0.0.1") -> list[str]:
    """The datasette command line that serves `database` with `meta`."""
    import sys

    return [sys.executable, "-m", "datasette", "serve", str(database), "--host", host, "--port", str(port),
            "--metadata", str(meta), "--setting", "default_page_size", "50"]

