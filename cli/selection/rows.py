"""Turning records into rows of a table: columns from the schema, cells from the data.

Columns come in schema order (Kind.fields):
- a scalar field is one column (`count`);
- the record's own date (`x-role: date`) is followed by two more: `date_start` and
  `date_end`, the first and last day the (possibly partial) date covers, so that
  `2024-10` reads as October 2024 and never as 1 October;
- a list of scalars is one column holding the list (`requested_by`);
- an object's fields become dotted columns (`period.start`, `period.end`);
- a list of objects gives one dotted column per field of its elements
  (`observations.actor`, `observations.apogee_km`), each holding the list of the
  elements' values in element order (an element without the field gives null, so the
  n-th value always belongs to the n-th element).
A cell of a single-valued column keeps its type: numbers stay numbers. A cell of a list
column (`Column.multi`) is a list; each writer shows it in its own way (CSV and TSV as a
JSON array, which splits back exactly; JSON as an array; the terminal joined by "; ").

With `explode`, a record gives one row per element of a list field, and that field's
columns hold that one element (so they are single-valued, and numbers stay numbers).

Several kinds at once form one timeline: the columns are `kind` plus the required,
single-valued top-level fields that every chosen kind has, with the date first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from typing import Any

from dprk_records.errors import DataError, UsageError
from dprk_records.records.dates import date_span
from dprk_records.records.kinds import Field, Kind
from dprk_records.selection.filters import KIND_COLUMN, Selection, unknown_field

SPAN_SUFFIXES = ("_start", "_end")
TIMELINE_TABLE = ("date", "kind", "id", "title")  # the terminal's default for several kinds at once


@dataclass(frozen=True)
class Column:
    name: str  # dotted, as shown in headers
    path: tuple[str, ...]  # () for the kind column
    type: str  # string, integer, number, boolean; date for a span column
    multi: bool = False  # a list per record: the path runs through a list
    span: str | None = None  # "start" or "end": the day the date at `path` starts or ends on
    description: str = ""  # from the schema

    @property
    def is_kind(self) -> bool:
        return not self.path


def _type(item: Field) -> str:
    leaf = item
    while leaf.items is not None:
        leaf = leaf.items
    return leaf.type if leaf.type in ("integer", "number", "boolean") else "string"


def span_columns(name: str, path: tuple[str, ...], description: str = "") -> list[Column]:
    """The `date_start` and `date_end` columns that follow a record's date column."""
    return [
        Column(
            name + suffix,
            path,
            "date",
            span=suffix[1:],
            description=f"The {'first' if suffix == '_start' else 'last'} day that {name} covers (YYYY-MM-DD).",
        )
        for suffix in SPAN_SUFFIXES
    ]


def kind_columns(kind: Kind) -> list[Column]:
    """Every column of one kind, in schema order."""
    columns: list[Column] = []

    def add(item: Field, in_list: bool) -> None:
        node = item
        multi = in_list or item.type == "array"
        if node.type == "array" and node.items is not None:
            node = node.items
        if node.keys:
            for child in node.keys.values():
                add(child, multi)
            return
        columns.append(Column(item.dotted, item.path, _type(item), multi, description=item.description))
        if item.path == (kind.date_field,) and not multi:
            columns.extend(span_columns(item.dotted, item.path))

    for item in kind.fields.values():
        add(item, False)
    return columns


def timeline_columns(kinds: list[Kind]) -> list[Column]:
    """`kind` and the required single-valued fields every kind has; dates (and their spans) first."""
    if not kinds:
        return [Column(KIND_COLUMN, (), "string")]
    first = kinds[0]
    common = [
        name
        for name, item in first.fields.items()
        if item.type not in ("array", "object")
        and all(name in k.fields and name in k.required and k.fields[name].type == item.type for k in kinds)
    ]
    dates = [n for n in common if first.fields[n].is_date]
    rest = [n for n in common if n not in dates]
    columns: list[Column] = []
    for n in dates:
        columns.append(Column(n, (n,), "string", description=first.fields[n].description))
        if all(k.date_field == n for k in kinds):
            columns.extend(span_columns(n, (n,)))
    columns.append(Column(KIND_COLUMN, (), "string", description="The kind of record."))
    columns += [Column(n, (n,), _type(first.fields[n]), description=first.fields[n].description) for n in rest]
    return columns


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

    `compact` (for the terminal table) gives the kind's default columns, chosen for an
    80-column terminal (`x-table-columns`); for several kinds, date, kind, id and title.
    """
    available = {c.name: c for c in available_columns(selection.kinds)}
    names = [n.strip() for part in (fields or ()) for n in part.split(",") if n.strip()]
    if fields and not names:
        raise UsageError(
            "{fields} was given no field names",
            hint="for example {fields=id,date,title}; leave it out for the default columns",
            params=("fields",),
        )
    if names:
        chosen = []
        for name in names:
            if name not in available:
                raise unknown_field("fields", name, selection.kinds, list(available))
            chosen.append(available[name])
        return chosen
    if selection.timeline:
        columns = timeline_columns(selection.kinds)
        return [c for c in columns if c.name in TIMELINE_TABLE] if compact else columns
    kind = selection.kinds[0]
    columns = kind_columns(kind)
    if compact:
        return table_columns(kind, columns)
    return columns


def table_columns(kind: Kind, columns: list[Column]) -> list[Column]:
    """The terminal's default columns of a kind: its schema's `x-table-columns` (chosen for
    an 80-column terminal), else its top-level single fields."""
    declared = kind.schema.get("x-table-columns")
    if not declared:
        return [c for c in columns if len(c.path) == 1 and not c.span]
    named = {c.name: c for c in columns}
    unknown = [n for n in declared if n not in named]
    if unknown:
        raise DataError(
            f"{kind.file}: x-table-columns names {', '.join(map(repr, unknown))}, which the kind has not",
            hint="name columns of the kind (dprk schema " + kind.name + ")",
        )
    return [named[n] for n in declared]


def explode_field(selection: Selection, name: str) -> tuple[str, ...]:
    """Check that `name` is a top-level list field of every chosen kind that has it."""
    lists = []
    for kind in selection.kinds:
        for item_name, item in kind.fields.items():
            if item.type == "array" and item_name not in lists:
                lists.append(item_name)
    if not name.strip():
        raise UsageError(
            "{explode} was given no field name", hint="list fields: " + ", ".join(lists), params=("explode",)
        )
    if name not in lists:
        raise UsageError(
            f"{{explode}} {name!r} is not a list field of {', '.join(k.name for k in selection.kinds)}",
            hint="list fields: " + ", ".join(lists),
            params=("explode",),
        )
    return (name,)


# --- cells -----------------------------------------------------------------------------


def _pick(node: Any, path: tuple[str, ...], depth: int = 0) -> Any:
    """The value at `path` below `node`, a list of values where the path runs through a
    list, None where it names nothing."""
    while depth < len(path):
        if node.__class__ is list:
            return [_pick(element, path, depth) for element in node]
        if node.__class__ is not dict:
            return None
        node = node.get(path[depth])
        depth += 1
    return node


def reader(column: Column, memo: dict[tuple[str, ...], list[Any]] | None = None) -> Callable[[dict[str, Any]], Any]:
    """A function giving the value of `column` for one record: a scalar, a list (a list
    column), or None. Made once per column, so each row costs a lookup, not a plan.
    Readers made for one set of rows share `memo`, where the start and end columns of a
    date keep the span the first of them worked out for the row."""
    path = column.path
    if column.span:
        at = 0 if column.span == "start" else 1
        last = (memo if memo is not None else {}).setdefault(path, [None, None])

        def read_span(data: dict[str, Any]) -> Any:
            if last[0] is data:  # the other column of this date, for the same record, worked it out
                span = last[1]
            else:
                span = date_span(_pick(data, path))
                last[0], last[1] = data, span
            return span[at] if span else None

        return read_span
    if column.multi:
        pick = _pick
        if len(path) == 2:  # a field of each element of a top-level list: most list columns
            outer, inner = path

            def pick(data: dict[str, Any], _path: tuple[str, ...]) -> Any:
                top = data.get(outer)
                if top.__class__ is list:
                    return [e.get(inner) if e.__class__ is dict else _pick(e, _path, 1) for e in top]
                return top.get(inner) if top.__class__ is dict else None

        def read_multi(data: dict[str, Any]) -> Any:
            value = pick(data, path)
            if value.__class__ is not list:
                return None if value is None else [value]
            for v in value:  # None when no element has a value
                if v is not None and v != []:
                    return value
            return None

        return read_multi
    if len(path) == 1:
        name = path[0]

        def read_top(data: dict[str, Any]) -> Any:
            value = data.get(name)
            if value.__class__ is list:  # a list where the schema says one value: shown as it is
                return value or None
            return value

        return read_top

    def read_nested(data: dict[str, Any]) -> Any:
        value = _pick(data, path)
        if value.__class__ is list:
            return value or None
        return value

    return read_nested


def cell(data: dict[str, Any], column: Column) -> Any:
    """The value of one column for one record: a scalar, a list (a list column), or None."""
    return reader(column)(data)


def row_maker(
    columns: list[Column], explode: tuple[str, ...] | None = None
) -> Callable[[Any, dict[str, Any]], list[list[Any]]]:
    """A function giving one record's rows (one, or one per element with `explode`); the
    column readers are made once, here."""
    if explode:
        columns = [_exploded(c, explode) for c in columns]
    memo: dict[tuple[str, ...], list[Any]] = {}
    readers = [None if c.is_kind else reader(c, memo) for c in columns]

    def make(record: Any, data: dict[str, Any]) -> list[list[Any]]:
        kind_name = record.kind.name
        variants: Iterable[dict[str, Any]] = (data,)
        if explode:
            elements = data.get(explode[0])
            if isinstance(elements, list) and elements:
                variants = ({**data, explode[0]: element} for element in elements)
        return [[kind_name if read is None else read(variant) for read in readers] for variant in variants]

    return make


def rows(
    records: Iterable[tuple[Any, dict[str, Any]]], columns: list[Column], explode: tuple[str, ...] | None = None
) -> Iterator[list[Any]]:
    """One row (a list of cells, in column order) per record, or per element with `explode`."""
    make = row_maker(columns, explode)
    for record, data in records:
        yield from make(record, data)


def selected_rows(
    repo: Any, selection: Selection, columns: list[Column], explode: tuple[str, ...] | None = None
) -> Iterator[list[Any]]:
    """rows(selection.records(repo), columns, explode): the same rows in the same order,
    from the parse cache's views where it can (see selected_views)."""
    import json

    make = row_maker(columns, explode)
    encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    views = selected_views(
        repo, selection, "rows:" + view_key(columns, explode), lambda record, data: encode(make(record, data))
    )
    if views is None:
        yield from rows(selection.records(repo), columns, explode)
        return
    loads = json.loads
    for value in views:
        yield from loads(value)


def view_key(columns: list[Column], explode: tuple[str, ...] | None = None) -> str:
    """What a record's rows are made for: the columns (all that a reader uses) and `explode`."""
    import json

    return json.dumps([[c.name, list(c.path), c.type, c.multi, c.span] for c in columns] + [list(explode or ())])


def selected_views(
    repo: Any, selection: Selection, key: str, make: Callable[[Any, dict[str, Any]], str]
) -> Iterator[str] | None:
    """`make(record, data)` for each selected record, in the selection's order, or None
    when the selection reads more of the records than their kind and date (--where,
    --search, --since, --until, --sort) or the cache is off.

    The text comes from the parse cache's views (dprk_records.records.reading.iter_views), kept
    under `key`, which must name everything `make` depends on besides the record: a
    record whose file has not changed is neither decoded nor made again."""
    if (
        not selection.use_cache
        or selection.since
        or selection.until
        or selection.where
        or selection.search
        or selection.sort
    ):
        return None
    import itertools

    from dprk_records.records.reading import iter_views

    stream: Iterator[tuple[Any, str]] = iter_views(repo, selection.kinds, key, make, progress=selection.progress)
    if selection.limit is not None:
        stream = itertools.islice(stream, selection.limit)
    return (value for _, value in stream)


def _exploded(column: Column, explode: tuple[str, ...]) -> Column:
    """A column of the exploded field: its list is one element per row, so one value (or
    a list only where a list lies inside the element)."""
    if column.path[:1] != explode or not column.multi:
        return column
    return replace(column, multi=False)
