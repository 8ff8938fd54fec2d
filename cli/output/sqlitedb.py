"""Records into an SQLite database, with tables and columns from the schema.

Layout (names from the schema; `-` and `.` in names become `_`):
- one table per kind, named after the kind (`meeting`, `launch`, `sanctions_report`),
  with `id` as primary key and one typed column per single-valued field
  (integer -> INTEGER, number -> REAL, boolean -> INTEGER 0/1, else TEXT); an
  object's fields become columns joined by `_` (`period_start`);
- one child table per list field, named `<kind>_<field>` (`meeting_requested_by`),
  keyed by `<kind>_id` with the element's `position` (0, 1, ...):
  a list of scalars has a `value` column, so
  `SELECT value, count(*) FROM meeting_requested_by GROUP BY value` counts requests
  per state; a list of objects has one column per field of its elements
  (`launch_observations.apogee_km`), lists inside an element joined with "; ";
- a view `timeline` with the columns every kind shares (date, kind, id, title, ...).

Values always go in as parameters; names are quoted identifiers.
"""

from __future__ import annotations

import sqlite3
from functools import cached_property
from pathlib import Path
from typing import Any, Iterable

from cli.selection.filters import KIND_COLUMN
from cli.errors import DataError
from cli.records.kinds import Field, Kind
from cli.selection.rows import timeline_columns

SQL_TYPES = {"integer": "INTEGER", "number": "REAL", "boolean": "INTEGER"}
TIMELINE_VIEW = "timeline"
POSITION = "position"
VALUE = "value"


def ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def sql_name(*parts: str) -> str:
    return "_".join(p.replace("-", "_").replace(".", "_") for p in parts)


def _distinct(table: str, names: list[str]) -> None:
    """Column names of one table must differ (SQLite compares them ignoring case)."""
    seen: set[str] = set()
    for name in names:
        if name.casefold() in seen:
            raise DataError(f"cannot export to SQLite: the schema gives table {table!r} two columns named {name!r}",
                            hint="rename one of the fields (hyphens and dots become underscores in SQL names)")
        seen.add(name.casefold())


def _sql_type(item: Field) -> str:
    return SQL_TYPES.get(item.type, "TEXT")


def _flat(fields: dict[str, Field], prefix: tuple[str, ...] = ()) -> list[tuple[str, tuple[str, ...], Field]]:
    """Single-valued columns from fields: (column name, path from here, field); objects flattened."""
    out = []
    for name, item in fields.items():
        path = prefix + (name,)
        if item.type == "object" and item.keys:
            out += _flat(item.keys, path)
        else:
            out.append((sql_name(*path), path, item))
    return out


def _get(data: Any, path: tuple[str, ...]) -> Any:
    for part in path:
        if not isinstance(data, dict) or part not in data:
            return None
        data = data[part]
    return data


def _value(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, list):
        return "; ".join(str(_value(v)) for v in value)
    if isinstance(value, dict):
        import json

        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, int) and not -(2**63) <= value < 2**63:
        return str(value)  # beyond SQLite's 64-bit integers: an INTEGER column keeps it as a REAL
    return value


class KindTables:
    """The main table and child tables of one kind."""

    def __init__(self, kind: Kind, id_field: str):
        self.kind = kind
        self.table = sql_name(kind.name)
        self.key = sql_name(kind.name, id_field)
        self.id_field = id_field
        # the id column holds the record's id as its file name gives it: the one every
        # command uses, unique within a kind even when a file's own id field is wrong
        self.columns = [(n, p, f) for n, p, f in _flat(kind.fields) if f.type != "array" and p != (id_field,)]
        self.children: list[tuple[str, str, list[tuple[str, tuple[str, ...], Field]] | None]] = []
        for name, item in kind.fields.items():
            if item.type != "array" or item.items is None:
                continue
            element = item.items
            table = sql_name(kind.name, name)
            if element.keys:
                self.children.append((table, name, _flat(element.keys)))
            else:
                self.children.append((table, name, None))

    def create(self, db: sqlite3.Connection) -> None:
        _distinct(self.table, [self.id_field] + [n for n, _, _ in self.columns])
        for table, field_name, columns in self.children:
            _distinct(table, [self.key, POSITION] + ([VALUE] if columns is None else [n for n, _, _ in columns]))
        defs = [f"{ident(self.id_field)} TEXT PRIMARY KEY"]
        for name, path, item in self.columns:
            defs.append(f"{ident(name)} {_sql_type(item.leaf)}")
        db.execute(f"CREATE TABLE {ident(self.table)} ({', '.join(defs)})")
        for table, field_name, columns in self.children:
            defs = [f"{ident(self.key)} TEXT NOT NULL REFERENCES {ident(self.table)}({ident(self.id_field)})", f"{ident(POSITION)} INTEGER NOT NULL"]
            if columns is None:
                element = self.kind.fields[field_name].leaf
                defs.append(f"{ident(VALUE)} {_sql_type(element)}")
            else:
                defs += [f"{ident(n)} {_sql_type(f.leaf) if f.type != 'array' else 'TEXT'}" for n, _, f in columns]
            defs.append(f"PRIMARY KEY ({ident(self.key)}, {ident(POSITION)})")
            db.execute(f"CREATE TABLE {ident(table)} ({', '.join(defs)})")

    @cached_property
    def statements(self) -> tuple[str, list[str]]:
        """The INSERT statements: the main table's, then one per child table (built once)."""
        names = [self.id_field] + [n for n, _, _ in self.columns]
        main = f"INSERT INTO {ident(self.table)} ({', '.join(map(ident, names))}) VALUES ({', '.join('?' for _ in names)})"
        children = []
        for table, _, columns in self.children:
            cols = [self.key, POSITION] + ([VALUE] if columns is None else [n for n, _, _ in columns])
            children.append(f"INSERT INTO {ident(table)} ({', '.join(map(ident, cols))}) VALUES ({', '.join('?' for _ in cols)})")
        return main, children

    def insert(self, db: sqlite3.Connection, record_id: str, data: dict[str, Any]) -> None:
        main, children = self.statements
        db.execute(main, [record_id] + [_value(_get(data, p)) for _, p, _ in self.columns])
        for statement, (_, field_name, columns) in zip(children, self.children):
            elements = data.get(field_name) or []
            if columns is None:
                rows = [(record_id, i, _value(v)) for i, v in enumerate(elements)]
            else:
                rows = [(record_id, i, *[_value(_get(e, p)) for _, p, _ in columns]) for i, e in enumerate(elements)]
            db.executemany(statement, rows)


def write_sqlite(path: Path, kinds: list[Kind], records: Iterable[tuple[Any, dict[str, Any]]], display: str | None = None) -> int:
    """Create a database at `path` (a new, empty file) holding the records; returns the count.

    `display` names the file in errors (the export's target, not the temporary file).
    """
    tables = {kind.name: KindTables(kind, kind.id_field) for kind in kinds}
    path.unlink(missing_ok=True)
    db = sqlite3.connect(str(path))
    try:
        with db:
            for table in tables.values():
                table.create(db)
            common = timeline_columns(kinds)
            selects = []
            for kind in kinds:
                literal = db.execute("SELECT quote(?)", (kind.name,)).fetchone()[0]
                parts = [f"{literal} AS {ident(KIND_COLUMN)}" if c.is_kind else ident(sql_name(c.name)) for c in common]
                selects.append(f"SELECT {', '.join(parts)} FROM {ident(tables[kind.name].table)}")
            db.execute(f"CREATE VIEW {ident(TIMELINE_VIEW)} AS " + " UNION ALL ".join(selects))
        count = 0
        with db:
            for record, data in records:
                tables[record.kind.name].insert(db, record.id, data)
                count += 1
        return count
    except sqlite3.Error as exc:
        raise DataError(f"{display or path}: the SQLite export failed: {exc}") from None
    finally:
        db.close()
