"""The built-in formats that write a file or folder of their own (`dprk export`; see
dprk_records.output.registry): an SQLite database, a Frictionless Data Package. Loaded only
by what exports, so that `query` loads neither.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dprk_records.output.database import derived_tables, sqlite_companions, write_database
from dprk_records.output.datapackage import write_datapackage
from dprk_records.output.formats import atomic_output, check_output
from dprk_records.output.writer import Writer


class SqliteWriter(Writer):
    name = "sqlite"
    help = "an SQLite database, written to a file"
    example = "dprk.sqlite"

    def write_file(self, repo: Any, selection: Any, output: str, *, force: bool) -> int:
        path = Path(output)
        check_output(path, force)
        companions = sqlite_companions(path, force)
        with atomic_output(path, force=force, binary=True) as temp:
            count = write_database(repo, selection, temp, output)
            for companion in companions:  # before the new file takes the name: SQLite would read them into it
                companion.unlink(missing_ok=True)
            return count


class DataPackageWriter(Writer):
    name = "datapackage"
    help = "a Frictionless Data Package, written to a folder"
    target = "folder"
    example = "dprk-package"

    def write_file(self, repo: Any, selection: Any, output: str, *, force: bool) -> int:
        extra, watch = derived_tables(repo, selection)
        return write_datapackage(
            Path(output), selection.kinds, watch(selection.records(repo)), force=force, derived=extra
        )
