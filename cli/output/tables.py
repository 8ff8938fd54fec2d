"""Records as related tables, the layout the SQLite export and the data package share.

Made from the schema, with names for what they hold:

- `records`: every record (id, kind, date, its span, title), which a reference that may
  point at several kinds refers to;
- `states`: the state codes and their names (`x-names`), which state columns refer to;
- one table per kind (`launch`, `sanctions_report`), keyed by `id`, with one column per
  single-valued field (an object's fields joined by `_`: `period_start`) and the span
  of the record's date (`date_start`, `date_end`);
- one table per list, at any depth (`meeting_requested_by`, `meeting_outcomes`,
  `meeting_outcomes_responds_to`), keyed by its parent's key and its own `position`
  (0, 1, ...). A list of plain values has one column named for what it holds:
  `launch_id` for ids of launches, `record_id` for ids of several kinds, `state` for
  state codes, else `value`.

Every reference is a foreign key: to the kind's table when it may point at one kind,
else to `records`; state columns to `states`; a list table to its parent.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from dprk_records.errors import DataError
from dprk_records.records.dates import date_span
from dprk_records.records.kinds import Field, Kind

RECORDS_TABLE = "records"
STATES_TABLE = "states"
POSITION = "position"


def sql_name(*parts: str) -> str:
    return "_".join(p.replace("-", "_").replace(".", "_") for p in parts)


@dataclass
class TableColumn:
    """A column of a related table (SQLite, a data package): its SQL name, type and
    constraints. Not a column of rows (dprk_records.selection.rows.Column), which is a
    dotted path into a record as query and CSV show it."""

    name: str
    type: str  # string, integer, number, boolean, date
    description: str = ""
    path: tuple[str, ...] = ()  # where the value is, from the table's element
    span: str | None = None  # "start" or "end" of the date at `path`
    enum: list[Any] | None = None
    pattern: str | None = None
    references: tuple[str, str] | None = None  # (table, column)


@dataclass
class Table:
    name: str
    description: str
    columns: list[TableColumn] = field(default_factory=list)
    primary_key: list[str] = field(default_factory=list)
    parent: Table | None = None
    list_path: tuple[str, ...] = ()  # the list field (from the parent element) whose elements are rows
    children: list[Table] = field(default_factory=list)
    scalar_items: bool = False  # a list of plain values: its one value column is the element itself
    kind: Kind | None = None

    @property
    def key_columns(self) -> list[TableColumn]:
        return [c for c in self.columns if c.name in self.primary_key]

    @property
    def foreign_keys(self) -> list[tuple[list[str], str, list[str]]]:
        keys = []
        if self.parent is not None:
            own = self.primary_key[:-1]
            keys.append((own, self.parent.name, self.parent.primary_key))
        for column in self.columns:
            if column.references:
                keys.append(([column.name], column.references[0], [column.references[1]]))
        return keys


class Layout:
    """The tables of the chosen kinds, and each record's rows in them."""

    def __init__(self, kinds: list[Kind]):
        self.kinds = kinds
        self.states = _state_names(kinds)
        self.records = Table(
            RECORDS_TABLE,
            "Every record, whatever its kind: what references to several kinds point at.",
            [
                TableColumn("id", "string", "The record's id (its file name)."),
                TableColumn("kind", "string", "The kind of record."),
                TableColumn(
                    "date", "string", "The record's date, as precise as its sources (YYYY, YYYY-MM or YYYY-MM-DD)."
                ),
                TableColumn("date_start", "date", "The first day the date covers."),
                TableColumn("date_end", "date", "The last day the date covers."),
                TableColumn("title", "string", "The record's title."),
            ],
            ["id"],
        )
        self.state_table = Table(
            STATES_TABLE,
            "States, by ISO 3166-1 alpha-3 code, with their names.",
            [
                TableColumn("code", "string", "ISO 3166-1 alpha-3 code."),
                TableColumn("name", "string", "The state's name."),
            ],
            ["code"],
        )
        self.by_kind = {kind.name: self._kind_table(kind) for kind in kinds}
        names = [t.name for t in self.tables()]
        if len(set(names)) != len(names):
            raise DataError(
                "cannot lay the records out as tables: two tables would share a name",
                hint="rename a kind or field (hyphens and dots become underscores in table names)",
            )

    def tables(self) -> Iterator[Table]:
        yield self.records
        yield self.state_table
        for table in self.by_kind.values():
            yield from _walk(table)

    # --- building the tables -----------------------------------------------------------

    def _kind_table(self, kind: Kind) -> Table:
        table = Table(
            sql_name(kind.name),
            kind.description,
            [TableColumn("id", "string", "The record's id (its file name).")],
            ["id"],
            kind=kind,
        )
        self._fields(table, kind, kind.fields, (), top=True)
        return table

    def _fields(
        self, table: Table, kind: Kind, fields: dict[str, Field], prefix: tuple[str, ...], top: bool = False
    ) -> None:
        for name, item in fields.items():
            path = prefix + (name,)
            if top and name == kind.id_field:
                continue
            if item.type == "array" and item.items is not None:
                table.children.append(self._list_table(table, kind, item, path))
            elif item.type == "object" and item.keys:
                self._fields(table, kind, item.keys, path)
            else:
                table.columns.append(self._column(sql_name(*path), item, path))
                if top and name == kind.date_field:
                    for end in ("start", "end"):
                        table.columns.append(
                            TableColumn(
                                f"{sql_name(*path)}_{end}",
                                "date",
                                f"The {'first' if end == 'start' else 'last'} day that {name} covers.",
                                path,
                                span=end,
                            )
                        )

    def _list_table(self, parent: Table, kind: Kind, item: Field, path: tuple[str, ...]) -> Table:
        name = sql_name(parent.name, *path)
        keys = [_key_column(parent, c) for c in parent.key_columns]
        table = Table(
            name,
            item.description,
            keys + [TableColumn(POSITION, "integer", "The element's place in the list, from 0.")],
            [c.name for c in keys] + [POSITION],
            parent=parent,
            list_path=path,
            kind=kind,
        )
        element = item.items
        assert element is not None
        if element.keys:
            self._fields(table, kind, element.keys, ())
        elif element.type == "array":
            table.columns.append(TableColumn("value", "string", element.description, ()))  # a list of lists: JSON text
        else:
            references = item.references or element.references  # `x-references` sits on the list field
            column = self._column(self._value_name(element, references), element, (), references)
            column.description = item.description or column.description
            table.columns.append(column)
            table.scalar_items = True
        return table

    def _value_name(self, element: Field, references: list[str] | None) -> str:
        if references:
            return f"{sql_name(references[0])}_id" if len(references) == 1 else "record_id"
        if element.names:
            return "state"
        return "value"

    def _column(
        self, name: str, item: Field, path: tuple[str, ...], references: list[str] | None = None
    ) -> TableColumn:
        column = TableColumn(
            name, _type(item), item.description, path, enum=item.enum, pattern=item.schema.get("pattern")
        )
        references = references or item.references
        if references:
            item_references = references
            # a foreign key only where the tables it points into are part of this export
            chosen = {k.name for k in self.kinds}
            if len(item_references) == 1 and item_references[0] in chosen:
                column.references = (sql_name(item_references[0]), "id")
            elif set(item_references) <= chosen:
                column.references = (RECORDS_TABLE, "id")
        elif item.names:
            column.references = (STATES_TABLE, "code")
            column.enum = None  # the states table holds the codes
        return column

    # --- rows ---------------------------------------------------------------------------

    def rows(self, record: Any, data: dict[str, Any]) -> Iterator[tuple[Table, list[Any]]]:
        """Every row a record gives, parents before children."""
        kind = record.kind
        span = date_span(data.get(kind.date_field)) if kind.date_field else None
        yield (
            self.records,
            [
                record.id,
                kind.name,
                data.get(kind.date_field),
                span[0] if span else None,
                span[1] if span else None,
                data.get(kind.role_field("title") or "title"),
            ],
        )
        table = self.by_kind[kind.name]
        yield from self._element_rows(table, data, [record.id])

    def _element_rows(self, table: Table, element: Any, key: list[Any]) -> Iterator[tuple[Table, list[Any]]]:
        row = list(key)
        for column in table.columns[len(key) :]:
            row.append(_cell(element if not table.scalar_items else element, column, table.scalar_items))
        yield table, row
        for child in table.children:
            items = _get(element, child.list_path) if isinstance(element, dict) else None
            if not isinstance(items, list):
                continue
            for position, item in enumerate(items):
                yield from self._element_rows(child, item, key + [position])

    def state_rows(self) -> list[list[Any]]:
        return [[code, name] for code, name in sorted(self.states.items())]


def _walk(table: Table) -> Iterator[Table]:
    yield table
    for child in table.children:
        yield from _walk(child)


def _key_column(parent: Table, column: TableColumn) -> TableColumn:
    """A parent's key column as it appears in a child table (`id` becomes `launch_id`)."""
    name = (
        f"{parent.name}_id"
        if column.name == "id"
        else (f"{parent.list_path[-1]}_{column.name}" if column.name == POSITION else column.name)
    )
    name = sql_name(name)
    return TableColumn(name, column.type, f"The key of the {parent.name} row this row belongs to.")


def _type(item: Field) -> str:
    return item.type if item.type in ("integer", "number", "boolean") else "string"


def _get(data: Any, path: tuple[str, ...]) -> Any:
    for part in path:
        if not isinstance(data, dict) or part not in data:
            return None
        data = data[part]
    return data


def _cell(element: Any, column: TableColumn, whole: bool) -> Any:
    value = element if whole else _get(element, column.path)
    if column.span:
        span = date_span(value)
        return (span[0] if column.span == "start" else span[1]) if span else None
    return value


def _state_names(kinds: list[Kind]) -> dict[str, str]:
    names: dict[str, str] = {}
    for kind in kinds:
        for item in kind.root.walk():
            if item.names:
                names.update(item.names)
    return names
