"""A selection written as one SQLite database, the derived `reactions` and `votes` tables
included: what `export --format sqlite` and `serve` write, and the files SQLite keeps
beside a database, which an export refuses or replaces.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from dprk_records.errors import UsageError
from dprk_records.output.derived import derived
from dprk_records.output.sqlitedb import write_sqlite
from dprk_records.output.tables import Layout
from dprk_records.selection.filters import Selection


def sqlite_companions(path: Path, force: bool) -> list[Path]:
    """The files SQLite keeps beside a database (`NAME-wal`, `NAME-shm`, `NAME-journal`)
    left by an earlier database of that name. SQLite would read them into a new file of
    that name (a stale write-ahead log replaces its pages), so with `force` they go with
    the file they belong to; without it, or when one is not a regular file, it is a usage
    error and nothing is written."""
    found = []
    for suffix in ("-wal", "-shm", "-journal"):
        companion = path.with_name(path.name + suffix)
        if not os.path.lexists(companion):
            continue
        if companion.is_symlink() or not companion.is_file():
            raise UsageError(
                f"{str(companion)!r} is not a regular file; export will not replace {str(path)!r} beside it",
                hint="choose another {output}",
                params=("output",),
            )
        if not force:
            raise UsageError(
                f"{str(companion)!r} is left from an earlier SQLite database named {str(path)!r}, and SQLite "
                "would read it into the new one",
                hint="add {force} to replace both, or remove it",
                params=("output", "force"),
            )
        found.append(companion)
    return found


def derived_tables(repo: Any, selection: Selection) -> Any:
    """The `reactions` and `votes` tables of an export of `selection` (dprk_records.output.derived)."""

    return derived(repo, Layout(selection.kinds), use_cache=selection.use_cache)


def write_database(repo: Any, selection: Selection, path: Path, display: str) -> int:
    """The SQLite export of `selection` at `path` (a temporary file), derived tables included."""

    extra, watch = derived_tables(repo, selection)
    return write_sqlite(path, selection.kinds, watch(selection.records(repo)), display=display, derived=extra)
