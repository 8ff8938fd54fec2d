"""`dprk serve`: the records in datasette, with metadata made from the schema files.

The SQLite export (cli.output.sqlitedb, through the parse cache) is written to the
tool's own folder, `.dprk-cache/serve/`, with a metadata file giving every table and
column its title and description from the schemas, facets on the fields with a few
allowed values, the record's title as the label of every reference, and two canned
queries: `reactions` (the Council's response to each launch and nuclear test) and
`timeline` (every record by date). Because references are foreign keys, a launch's page
lists the meetings and statements that point at it. datasette is imported only when it
is asked for; without it, one line says how to install it.

A checkout is untrusted: datasette runs in a Python started in isolated mode (`-I`: no
current folder, no PYTHON* variables) whose import path is set to this process's own
path without the current folder and the repository (serve_command), so a `datasette.py`
or `uvicorn.py` in a pull request is never imported. Files in the serve folder are
written only as regular files, never through a committed link (cli.records.writing).
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from pathlib import Path
from typing import Any

from cli.errors import DataError, UsageError
from cli.output.tables import Layout, Table
from cli.records.kinds import Kind

INSTALL = "pip install 'dprk-records[serve]'"
DATABASE = "dprk"
FACET_MAX = 20  # an enum with more values than this (state codes) is no use as a facet


def check_installed(root: Path | None = None) -> None:
    """A UsageError when datasette cannot be imported from the path it will run with
    (see import_path): a `datasette.py` in the current folder does not count."""
    saved = sys.path[:]
    sys.path[:] = import_path(root)
    try:
        found = importlib.util.find_spec("datasette") is not None
    except (ImportError, ValueError):  # a module blocked or broken counts as missing
        found = False
    finally:
        sys.path[:] = saved
    if not found:
        raise UsageError("dprk serve needs datasette, which is not installed", hint=INSTALL)


def metadata(layout: Layout, event_kinds: list[Kind]) -> dict[str, Any]:
    tables: dict[str, Any] = {}
    for table in layout.tables():
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
        tables[table.name] = entry
    queries = {
        "timeline": {"title": "Every record by date", "description": "Meetings, launches, nuclear tests, statements and reports in one list.",
                     "sql": "SELECT date, date_start, date_end, kind, id, title FROM records ORDER BY date_start, id"},
    }
    reactions = reactions_sql(layout, event_kinds)
    if reactions:
        queries["reactions"] = {"title": "The Council's response to each launch and nuclear test",
                                "description": "The first meeting held on each event and the days to it, and every statement and "
                                               "meeting outcome that responds to it, with its status.",
                                "sql": reactions}
    return {"title": "dprk-records: the DPRK file at the UN Security Council",
            "description": "One row per record; lists are tables of their own, and references are foreign keys.",
            "databases": {DATABASE: {"tables": tables, "queries": queries}}}


def reactions_sql(layout: Layout, event_kinds: list[Kind]) -> str | None:
    """The `reactions` query, from the tables the layout has (None without events or meetings)."""
    events = [layout.by_kind[k.name] for k in event_kinds if k.name in layout.by_kind]
    meeting = layout.by_kind.get("meeting")
    if not events or meeting is None:
        return None
    event_names = {t.name for t in events}
    union = " UNION ALL ".join(
        f"SELECT id, '{t.kind.name}' AS kind, date, date_start, "  # type: ignore[union-attr]
        + (", ".join(c if any(col.name == c for col in t.columns) else f"NULL AS {c}" for c in ("category", "name")))
        + f" FROM {t.name}" for t in events)
    took = []
    responses = []
    for child in _descendants(meeting):
        for column in child.columns:
            target = column.references[0] if column.references else None
            if target in event_names or target == layout.records.name:
                parent_key = child.primary_key[0]
                took.append(f"SELECT {column.name} AS event, {parent_key} AS meeting_id FROM {child.name}")
                if child.parent is not meeting:  # an outcome's responds_to
                    responses.append(
                        f"SELECT r.{column.name} AS event, m.date_start AS day, o.type || ' ' || coalesce(o.status, '') || ': ' || m.id AS response "
                        f"FROM {child.name} r JOIN {child.parent.name} o ON o.{parent_key} = r.{parent_key} "  # type: ignore[union-attr]
                        f"AND o.position = r.{child.primary_key[1]} JOIN meeting m ON m.id = r.{parent_key}")
    statement = layout.by_kind.get("statement")
    if statement is not None:
        for child in statement.children:
            if child.columns[-1].references and child.columns[-1].references[0] in event_names | {layout.records.name}:
                responses.append(f"SELECT r.{child.columns[-1].name} AS event, s.date_start AS day, "
                                 f"s.type || ' ' || s.status || ': ' || s.id AS response FROM {child.name} r "
                                 f"JOIN {statement.name} s ON s.id = r.{child.primary_key[0]}")
    if not took:
        return None
    responses_sql = " UNION ALL ".join(responses) or "SELECT NULL AS event, NULL AS day, NULL AS response WHERE 0"
    return (
        f"WITH events AS ({union}),\n"
        f"took AS ({' UNION '.join(took)}),\n"
        "first AS (SELECT t.event, m.id AS meeting, min(m.date_start) AS day FROM took t JOIN meeting m ON m.id = t.meeting_id "
        "WHERE m.status = 'held' GROUP BY t.event),\n"
        f"responses AS ({responses_sql})\n"
        "SELECT e.date, e.kind, e.id, e.category, e.name, f.meeting AS first_meeting,\n"
        "  CAST(julianday(f.day) - julianday(e.date_start) AS INTEGER) AS days_to_meeting,\n"
        "  (SELECT group_concat(response, '; ') FROM (SELECT response FROM responses r WHERE r.event = e.id ORDER BY r.day)) AS responses\n"
        "FROM events e LEFT JOIN first f ON f.event = e.id\nORDER BY e.date_start, e.id"
    )


def _descendants(table: Table) -> list[Table]:
    out = []
    for child in table.children:
        out.append(child)
        out.extend(_descendants(child))
    return out


SIDECARS = ("-journal", "-wal", "-shm")  # files SQLite keeps beside a database, and opens when they are there


def clear_folder(folder: Path, shown: str) -> tuple[Path, Path]:
    """The database and metadata paths in the serve folder, after refusing (DataError) a
    link or anything but a regular file at any name the tool or SQLite writes there, and
    removing journals left by an earlier run (which SQLite would otherwise play back)."""
    from cli.records.writing import refuse_link

    database = folder / f"{DATABASE}.sqlite"
    meta = folder / "metadata.json"
    hint = "remove it; dprk serve makes the file afresh at every start"
    for path in (database, meta, *(Path(f"{database}{suffix}") for suffix in SIDECARS)):
        refuse_link(path, f"{shown}/{path.name}", hint=hint)
    for suffix in SIDECARS:
        try:
            os.unlink(f"{database}{suffix}")
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise DataError(f"cannot remove {shown}/{database.name}{suffix}: {exc.strerror or exc}", hint=hint) from None
    return database, meta


def write_metadata(path: Path, data: dict[str, Any], shown: str | None = None) -> None:
    from cli.records.writing import write_file

    write_file(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n", shown=shown,
               hint="remove it; dprk serve makes the file afresh at every start")


def check_port(port: int, host: str = "127.0.0.1") -> None:
    """A DataError when `port` on `host` cannot be listened on (another server has it),
    found by binding it as the server will (address reuse on, as uvicorn sets it)."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        if os.name == "posix":
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
            sock.listen()
        except OSError as exc:
            raise DataError(f"cannot serve on {host}:{port}: {exc.strerror or exc}",
                            hint="another program uses that port; choose another with --port") from None


def import_path(root: Path | None = None, path: list[str] | None = None) -> list[str]:
    """This process's import path (`path`, default sys.path) without what a checkout can
    put modules in: the current folder (an empty or relative entry, or the folder itself),
    and the repository's root."""
    unsafe = {os.path.realpath(os.getcwd())}
    if root is not None:
        unsafe.add(os.path.realpath(root))
    return [entry for entry in (sys.path if path is None else path)
            if entry and os.path.isabs(entry) and os.path.realpath(entry) not in unsafe]


# Run by `python -I -c`: isolated mode puts neither the current folder nor $PYTHONPATH on
# the path; the path is then set, before anything else is imported, to the entries given
# (argv[1] says how many), and datasette runs as `python -m datasette` would run it.
_START = ("import sys; n = int(sys.argv[1]); sys.path[:] = sys.argv[2:2 + n]; sys.argv[:] = ['datasette', *sys.argv[2 + n:]]; "
          "import runpy; runpy.run_module('datasette', run_name='__main__', alter_sys=True)")


def serve_command(database: Path, meta: Path, port: int, host: str = "127.0.0.1", root: Path | None = None) -> list[str]:
    """The command line that runs datasette on `database` with `meta`, importing nothing
    from the current folder or the repository at `root` (see import_path)."""
    path = import_path(root)
    return [sys.executable, "-I", "-c", _START, str(len(path)), *path,
            "serve", os.path.abspath(database), "--host", host, "--port", str(port),
            "--metadata", os.path.abspath(meta), "--setting", "default_page_size", "50"]

