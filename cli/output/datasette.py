"""`dprk serve`: the records in datasette, with metadata made from the schema files.

The SQLite export (dprk_records.output.sqlitedb, through the parse cache) is written to the
tool's own folder, `.dprk-cache/serve/`, with a metadata file giving every table and
column its title and description from the schemas, facets on the fields with a few
allowed values, the record's title as the label of every reference, and canned
queries named apart from the tables and views: `reactions_by_event` (the Council's
response to each launch and nuclear test, read from the `reactions` table the export
writes), `votes_by_state` (from `votes`) and `records_by_date` (every record by date). Because references are foreign keys, a launch's page
lists the meetings and statements that point at it. datasette is imported only when it
is asked for; without it, one line says how to install it.

A checkout is untrusted: datasette runs in a Python started in isolated mode (`-I`: no
current folder, no PYTHON* variables) whose import path is set to this process's own
path without the current folder and the repository (serve_command), so a `datasette.py`
or `uvicorn.py` in a pull request is never imported. Files in the serve folder are
written only as regular files, never through a committed link (dprk_records.records.writing).
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from pathlib import Path
from typing import Any

from dprk_records.errors import DataError, UsageError
from dprk_records.output.tables import Layout, Table

INSTALL = "pip install 'dprk-records[serve]'"
DATABASE = "dprk"
FACET_MAX = 20  # an enum with more values than this (state codes) is no use as a facet
RECORDS_BY_DATE, REACTIONS_QUERY, VOTES_QUERY = "records_by_date", "reactions_by_event", "votes_by_state"


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


REACTIONS_SQL = """SELECT r.date, r.kind, r.id, r.category, r.name, r.first_meeting, r.days_to_meeting,
  (SELECT group_concat(text, '; ') FROM (SELECT x.text FROM reactions_responses x WHERE x.reactions_id = r.id ORDER BY x.position)) AS responses,
  r.first_agreed_product, r.days_to_product, r.response, r.days_to_response
FROM reactions r ORDER BY r.date_start, r.id"""
VOTES_SQL = """SELECT v.year, v.state, v.name, v.in_favour, v.against, v.abstaining, v.vetoes, v.joint_statements,
  (SELECT group_concat(record_id, '; ') FROM (SELECT x.record_id FROM votes_vetoed x WHERE x.votes_year = v.year AND x.votes_state = v.state ORDER BY x.position)) AS vetoed
FROM votes v ORDER BY v.year, v.state"""
RECORDS_BY_DATE_SQL = "SELECT date, date_start, date_end, kind, id, title FROM records ORDER BY date_start, id"


def metadata(layout: Layout, derived: list[Table] = ()) -> dict[str, Any]:
    """datasette's metadata for the tables of `layout` and the `derived` ones (dprk_records.output.derived).

    The canned queries are named apart from every table and view: `records_by_date`
    (the view `timeline` keeps its own name), `reactions_by_event` and `votes_by_state`
    read the derived tables, made by the same code as `dprk reactions` and `dprk votes`."""
    tables: dict[str, Any] = {}
    for table in [*layout.tables(), *derived]:
        entry: dict[str, Any] = {
            "description": table.description or table.name,
            "columns": {c.name: c.description for c in table.columns if c.description},
        }
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
        RECORDS_BY_DATE: {
            "title": "Every record by date",
            "description": "Meetings, launches, nuclear tests, statements and reports in one list.",
            "sql": RECORDS_BY_DATE_SQL,
        },
    }
    if "reactions" in names:
        queries[REACTIONS_QUERY] = {
            "title": "The Council's response to each launch and nuclear test",
            "description": "The rows of `dprk reactions`: the first meeting held on each event and the days to it, "
            "every statement and meeting outcome that responds to it, and its response class.",
            "sql": REACTIONS_SQL,
        }
    if "votes" in names:
        queries[VOTES_QUERY] = {
            "title": "Positions of Council members by year",
            "description": "The rows of `dprk votes`: votes in favour, against and abstaining, vetoes and joint "
            "statements signed, where a source lists the states.",
            "sql": VOTES_SQL,
        }
    return {
        "title": "dprk-records: the DPRK file at the UN Security Council",
        "description": "One row per record; lists are tables of their own, and references are foreign keys.",
        "databases": {DATABASE: {"tables": tables, "queries": queries}},
    }


SIDECARS = ("-journal", "-wal", "-shm")  # files SQLite keeps beside a database, and opens when they are there


def clear_folder(folder: Path, shown: str) -> tuple[Path, Path]:
    """The database and metadata paths in the serve folder, after refusing (DataError) a
    link or anything but a regular file at any name the tool or SQLite writes there, and
    removing journals left by an earlier run (which SQLite would otherwise play back)."""
    from dprk_records.records.writing import refuse_link

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
            raise DataError(
                f"cannot remove {shown}/{database.name}{suffix}: {exc.strerror or exc}", hint=hint
            ) from None
    return database, meta


def write_metadata(path: Path, data: dict[str, Any], shown: str | None = None) -> None:
    from dprk_records.records.writing import write_file

    write_file(
        path,
        json.dumps(data, indent=2, ensure_ascii=False) + "\n",
        shown=shown,
        hint="remove it; dprk serve makes the file afresh at every start",
    )


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
            raise DataError(
                f"cannot serve on {host}:{port}: {exc.strerror or exc}",
                hint="another program uses that port; choose another with {port}",
                params=("port",),
            ) from None


def import_path(root: Path | None = None, path: list[str] | None = None) -> list[str]:
    """This process's import path (`path`, default sys.path) without what a checkout can
    put modules in: the current folder (an empty or relative entry, or the folder itself),
    and the repository's root."""
    unsafe = {os.path.realpath(os.getcwd())}
    if root is not None:
        unsafe.add(os.path.realpath(root))
    return [
        entry
        for entry in (sys.path if path is None else path)
        if entry and os.path.isabs(entry) and os.path.realpath(entry) not in unsafe
    ]


# Run by `python -I -c`: isolated mode puts neither the current folder nor $PYTHONPATH on
# the path; the path is then set, before anything else is imported, to the entries given
# (argv[1] says how many), and datasette runs as `python -m datasette` would run it.
_START = (
    "import sys; n = int(sys.argv[1]); sys.path[:] = sys.argv[2:2 + n]; sys.argv[:] = ['datasette', *sys.argv[2 + n:]]; "
    "import runpy; runpy.run_module('datasette', run_name='__main__', alter_sys=True)"
)


def serve_command(
    database: Path, meta: Path, port: int, host: str = "127.0.0.1", root: Path | None = None
) -> list[str]:
    """The command line that runs datasette on `database` with `meta`, importing nothing
    from the current folder or the repository at `root` (see import_path)."""
    path = import_path(root)
    return [
        sys.executable,
        "-I",
        "-c",
        _START,
        str(len(path)),
        *path,
        "serve",
        os.path.abspath(database),
        "--host",
        host,
        "--port",
        str(port),
        "--metadata",
        os.path.abspath(meta),
        "--setting",
        "default_page_size",
        "50",
    ]
