"""Records into an SQLite database: the tables of dprk_records.output.tables, with foreign keys.

Beside the tables, an index on every foreign-key column (what joins use), a view
`timeline` with the columns every kind shares (date, its span, kind, id, title, ...),
and the derived tables `reactions` and `votes` (dprk_records.output.derived).
Values always go in as parameters; names are quoted identifiers.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from dprk_records.errors import DataError
from dprk_records.output.tables import Layout, Table, sql_name
from dprk_records.records.kinds import Kind
from dprk_records.selection.filters import KIND_COLUMN
from dprk_records.selection.rows import timeline_columns

SQL_TYPES = {"integer": "INTEGER", "number": "REAL", "boolean": "INTEGER"}
TIMELINE_VIEW = "timeline"


def ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _distinct(table: Table) -> None:
    """Column names of one table must differ (SQLite compares them ignoring case)."""
    seen: set[str] = set()
    for column in table.columns:
        if column.name.casefold() in seen:
            raise DataError(
                f"cannot export to SQLite: the schema gives table {table.name!r} two columns named {column.name!r}",
                hint="rename one of the fields (hyphens and dots become underscores in SQL names)",
            )
        seen.add(column.name.casefold())


def _value(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (list, dict)):
        import json

        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, int) and not -(2**63) <= value < 2**63:
        return str(value)  # beyond SQLite's 64-bit integers: an INTEGER column keeps it as a REAL
    return value


def create(db: sqlite3.Connection, table: Table) -> str:
    """Create one table with its keys and indexes; return its INSERT statement."""
    _distinct(table)
    defs = [
        f"{ident(c.name)} {SQL_TYPES.get(c.type, 'TEXT')}" + (" NOT NULL" if c.name in table.primary_key else "")
        for c in table.columns
    ]
    defs.append(f"PRIMARY KEY ({', '.join(map(ident, table.primary_key))})")
    for columns, target, target_columns in table.foreign_keys:
        defs.append(
            f"FOREIGN KEY ({', '.join(map(ident, columns))}) REFERENCES {ident(target)} ({', '.join(map(ident, target_columns))})"
        )
    db.execute(f"CREATE TABLE {ident(table.name)} ({', '.join(defs)})")
    for n, (columns, _, _) in enumerate(table.foreign_keys):
        db.execute(
            f"CREATE INDEX {ident(f'{table.name}_fk{n}')} ON {ident(table.name)} ({', '.join(map(ident, columns))})"
        )
    names = [c.name for c in table.columns]
    return f"INSERT INTO {ident(table.name)} ({', '.join(map(ident, names))}) VALUES ({', '.join('?' for _ in names)})"


def write_sqlite(
    path: Path,
    kinds: list[Kind],
    records: Iterable[tuple[Any, dict[str, Any]]],
    display: str | None = None,
    derived: Any = None,
) -> int:
    """Create a database at `path` (a new, empty file) holding the records; returns the count.

    `display` names the file in errors (the export's target, not the temporary file);
    `derived` (dprk_records.output.derived.Derived) adds its tables, filled after the records.
    """
    layout = Layout(kinds)
    path.unlink(missing_ok=True)
    db = sqlite3.connect(str(path))
    # the file is a temporary one, synced once when it is complete (atomic_output): no sync
    # per statement (each CREATE TABLE would otherwise be a transaction of its own, synced)
    db.execute("PRAGMA synchronous = OFF")
    try:
        with db:
            extra = list(derived.tables) if derived is not None else []
            inserts = {table.name: create(db, table) for table in [*layout.tables(), *extra]}
            db.executemany(inserts[layout.state_table.name], layout.state_rows())
            _timeline(db, kinds, layout)
        count = 0
        with db:
            for record, data in records:
                for table, row in layout.rows(record, data):
                    db.execute(inserts[table.name], [_value(v) for v in row])
                count += 1
        if derived is not None:
            with db:
                for table, row in derived.fill():
                    db.execute(inserts[table.name], [_value(v) for v in row])
        return count
    except sqlite3.Error as exc:
        raise DataError(f"{display or path}: the SQLite export failed: {exc}") from None
    finally:
        db.close()


def _timeline(db: sqlite3.Connection, kinds: list[Kind], layout: Layout) -> None:
    common = timeline_columns(kinds)
    selects = []
    for kind in kinds:
        literal = db.execute("SELECT quote(?)", (kind.name,)).fetchone()[0]
        parts = [f"{literal} AS {ident(KIND_COLUMN)}" if c.is_kind else ident(sql_name(c.name)) for c in common]
        selects.append(f"SELECT {', '.join(parts)} FROM {ident(layout.by_kind[kind.name].name)}")
    if selects:
        db.execute(f"CREATE VIEW {ident(TIMELINE_VIEW)} AS " + " UNION ALL ".join(selects))
