"""The downloads the site offers, made by the export code itself (dprk_records.output.export):
every record as CSV (all kinds on one timeline, and each kind with all its columns), the
SQLite database and the Frictionless data package, each with the derived `reactions` and
`votes` tables. Built in a temporary folder outside the site's, then handed over as bytes
so that the site writes only those that changed.
"""

from __future__ import annotations

import io
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from dprk_records.output.datapackage import write_datapackage
from dprk_records.output.export import derived_tables, write_database, write_selection
from dprk_records.selection.filters import build_selection

DATA = "data"
SQLITE_FILE = f"{DATA}/dprk-records.sqlite"
TIMELINE = f"{DATA}/dprk-records.csv"
PACKAGE = f"{DATA}/package"


def exports(repo: Any) -> tuple[dict[str, bytes], list[dict[str, str]]]:
    """The export files (path in the site -> bytes) and a list of them for the home page."""
    files: dict[str, bytes] = {}
    listed: list[dict[str, str]] = []
    everything = build_selection(repo, [])
    out = io.StringIO(newline="")
    write_selection(repo, everything, out, "csv")
    files[TIMELINE] = out.getvalue().encode("utf-8")
    listed.append(
        {
            "href": TIMELINE,
            "label": "Every record (CSV)",
            "about": "one row per record, with the columns every kind shares",
        }
    )
    for kind in everything.kinds:
        out = io.StringIO(newline="")
        write_selection(repo, build_selection(repo, [kind.name]), out, "csv")
        path = f"{DATA}/{kind.folder}.csv"
        files[path] = out.getvalue().encode("utf-8")
        listed.append(
            {"href": path, "label": f"{kind.title} records (CSV)", "about": "every field, one row per record"}
        )
    temp = Path(tempfile.mkdtemp(prefix="dprk-site-"))
    try:
        database = temp / "dprk-records.sqlite"
        write_database(repo, everything, database, SQLITE_FILE)
        files[SQLITE_FILE] = database.read_bytes()
        listed.append(
            {
                "href": SQLITE_FILE,
                "label": "SQLite database",
                "about": "a table per kind and list field, with reactions and votes",
            }
        )
        extra, watch = derived_tables(repo, everything)
        write_datapackage(temp / "package", everything.kinds, watch(everything.records(repo)), derived=extra)
        for name in sorted(os.listdir(temp / "package")):
            files[f"{PACKAGE}/{name}"] = (temp / "package" / name).read_bytes()
        listed.append(
            {
                "href": f"{PACKAGE}/datapackage.json",
                "label": "Frictionless data package",
                "about": "datapackage.json and a CSV file per table",
            }
        )
    finally:
        shutil.rmtree(temp, ignore_errors=True)
    return files, listed
