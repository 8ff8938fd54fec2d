"""Turning records into rows of a table: columns from the schema, cells from the data.

Columns come in schema order (Kind.fields):
- a scalar field is one column (`count`);
- a list of scalars is one column, its elements joined with "; " (`requested_by`);
- an object's fields become dotted columns (`period.start`, `period.end`);
- a list of objects gives one dotted column per field of its elements
  (`observations.actor`, `observations.apogee_km`), each joining the elements'
  values with "; " in element order (an element without the field leaves an empty
  place, so the n-th value always belongs to the n-th element).
A cell holding one value keeps its type: numbers stay numbers.

With `explode`, a record gives one row per element of a list field, and that
field's columns hold that one element (so its numbers stay numbers).

Several kinds at once form one timeline: the columns are `kind` plus the required,
single-valued top-level fields that every chosen kind has, with the date first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Iterator

from cli.errors import UsageError
from cli.selection.filters import KIND_COLUMN, Selection
from cli.records.kinds import Field, Kind

JOIN = "; "
INNER_JOIN = ", "
_MISSING = object()


@dataclass(frozen=True)
class Column:
    name: str  # dotted, as shown in headers
    path: tuple[str, ...]  # () for the kind column
    type: str  # string, integer, number, boolean

    @property
    def is_kind(self) -> bool:
        return not self.path


def kind_columns(kind: Kind) -> list[Column]:
    """Every column of one kind, in schema order."""
    columns: list[Column] = []

    def add(item: Field) -> None:
        node = item
        if node.type == "array" and node.items is not None:
            node = node.items
        if node.keys:
            for child in node.keys.values():
                add(child)
            return
        leaf = node
        while leaf.items is not None:
            leaf = leaf.items
        columns.append(Column(item.dotted, item.path, leaf.type if leaf.type in ("integer", "number", "boolean") else "string"))

    for item in kind.fields.values():
        add(item)
    return columns


def timeline_columns(kinds: list[Kind]) -> list[Column]:
    """`kind` and the required single-valued fields every kind has; dates first."""
    if not kinds:
        return [Column(KIND_COLUMN, (), "string")]
    first = kinds[0]
    common = [
        name for name, item in first.fields.items()
        if item.type not in ("array", "object")
        and all(name in k.fields and name in k.required and k.fields[name].type == item.type for k in kinds)
    ]
    dates = [n for n in common if first.fields[n].is_date]
    rest = [n for n in common if n not in dates]
    columns = [Column(n, (n,), "string") for n in dates]
    columns.append(Column(KIND_COLUMN, (), "string"))
    columns += [Column(n, (n,), _scalar_type(first.fields[n])) for n in rest]
    return columns


def _scalar_type(item: Field) -> str:
    return item.type if item.type in ("integer", "number", "boolean") else "string"


def available_columns(kinds: list[Kind]) -> list[Column]:
    """Every column that can be asked for with --fields, without repeats."""
    seen: dict[str, Column] = {}
    if len(kinds) != 1:
        seen[KIND_COLUMN] = Column(KIND_COLUMN, (), "string")
    for kind in kinds:
        for column in kind_columns(kind):
            seen.setdefault(column.name, column)
    seen.setdefault(KIND_COLUMN, Column(KIND_COLUMN, (), "string"))
    return list(seen.values())


def choose_columns(selection: Selection, fields: Iterable[str] | None = None, *, compact: bool = False) -> list[Column]:
    """The columns to show: --fields if given, else the default for the selection.

    `compact` (for the terminal) leaves out the columns that come from lists of
    objects and nested objects, which are too wide to read on a screen.
    """
    available = {c.name: c for c in available_columns(selection.kinds)}
    names = [n.strip() for part in (fields or ()) for n in part.split(",") if n.strip()]
    if fields and not names:
        raise UsageError("--fields was given no field names", hint="for example --fields id,date,title; leave it out for the default columns")
    if names:
        chosen = []
        for name in names:
            if name not in available:
                which = ", ".join(k.name for k in selection.kinds)
                raise UsageError(f"unknown field {name!r} in --fields for {which}", hint="valid fields: " + ", ".join(available))
            chosen.append(available[name])
        return chosen
    if selection.timeline:
        return timeline_columns(selection.kinds)
    columns = kind_columns(selection.kinds[0])
    if compact:
        columns = [c for c in columns if len(c.path) == 1]
    return columns


def explode_field(selection: Selection, name: str) -> tuple[str, ...]:
    """Check that `name` is a top-level list field of every chosen kind that has it."""
    lists = []
    for kind in selection.kinds:
        for item_name, item in kind.fields.items():
            if item.type == "array" and item_name not in lists:
                lists.append(item_name)
    if not name.strip():
        raise UsageError("--explode was given no field name", hint="list fields: " + ", ".join(lists))
    if name not in lists:
        raise UsageError(f"--explode {name!r} is not a list field of {', '.join(k.name for k in selection.kinds)}",
                         hint="list fields: " + ", ".join(lists))
    return (name,)


# --- cells -----------------------------------------------------------------------------


def _pick(node: Any, path: tuple[str, ...]) -> Any:
    if not path:
        return node
    if isinstance(node, list):
        return [_pick(element, path) for element in node]
    if isinstance(node, dict):
        return _pick(node.get(path[0], _MISSING), path[1:]) if path[0] in node else _MISSING
    return _MISSING


def _text(value: Any) -> str:
    if value is _MISSING or value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return INNER_JOIN.join(_text(v) for v in value)
    return str(value)


def cell(data: dict[str, Any], path: tuple[str, ...]) -> Any:
    """The value of one column for one record: a scalar, a joined string, or None."""
    value = _pick(data, path)
    if isinstance(value, list):
        if all(v is _MISSING or v is None or v == [] for v in value):
            return None
        if len(value) == 1:
            return value[0] if not isinstance(value[0], list) else _text(value[0])
        return JOIN.join(_text(v) for v in value)
    if value is _MISSING:
        return None
    return value


def rows(records: Iterable[tuple[Any, dict[str, Any]]], columns: list[Column], explode: tuple[str, ...] | None = None) -> Iterator[list[Any]]:
    """One row (a list of cells, in column order) per record, or per element with `explode`."""
    for record, data in records:
        kind_name = record.kind.name
        variants: Iterable[dict[str, Any]] = (data,)
        if explode:
            elements = data.get(explode[0])
            if isinstance(elements, list) and elements:
                variants = ({**data, explode[0]: [element]} for element in elements)
        for variant in variants:
            yield [kind_name if c.is_kind else cell(variant, c.path) for c in columns]
