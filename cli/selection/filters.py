"""Selecting records: kinds, dates, conditions, text search, order and limit.

Everything here works on plain dicts (parsed records) and reads field names, types
and date-ness from the schema (dprk_records.records.kinds). Nothing imports click.

Partial dates are spans. A record dated `2023-11` covers 2023-11-01 to 2023-11-30;
`2023` covers the whole year. A date bound is a span too. Comparisons on dates are
comparisons of spans:

- `--since D` keeps a record whose span ends on or after D's first day (it overlaps
  D or anything later); `--until D` keeps a record whose span starts on or before
  D's last day. So `2023-11` matches `--since 2023-11-15` and `--until 2023-11-01`.
- In `--where`, on a date field: `=` the spans overlap, `!=` they do not,
  `<` the field's span ends before the value's starts, `>` it starts after the
  value's ends, `<=` is `--until` and `>=` is `--since`.

Records are read through Repository.iter_data, one at a time. Without --sort they
stream in the default order, each record's own date (the first day it covers) then
id; with --sort the selected records are kept and sorted.
"""

from __future__ import annotations

import itertools
import math
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from dprk_records.errors import UsageError
from dprk_records.records.allowed import boolean, listing, not_allowed, spelled
from dprk_records.records.dates import date_problem, date_span
from dprk_records.records.kinds import Field, Kind, values_at
from dprk_records.records.suggest import did_you_mean, nearest

KIND_COLUMN = "kind"  # the column naming a record's kind; not a schema field

OPERATORS = ("!=", "<=", ">=", "=", "~", "<", ">")
_WHERE = re.compile(r"^\s*([A-Za-z0-9_][A-Za-z0-9_.\-]*)\s*(!=|<=|>=|=|~|<|>)\s?(.*)$", re.S)


# --- dates ---------------------------------------------------------------------


def parse_date_bound(text: str, param: str, where: str = "") -> tuple[str, str]:
    span = date_span(text)
    if span is None:
        raise UsageError("{" + param + "}" + where + ": " + date_problem(text), params=(param,))
    return span


# --- fields --------------------------------------------------------------------


def field_for(kinds: list[Kind], dotted: str) -> Field | None:
    """The field at a dotted path in the first of `kinds` that has it."""
    for kind in kinds:
        found = kind.field(dotted)
        if found is not None and found.path:
            return found
    return None


def field_names(kinds: list[Kind]) -> list[str]:
    """Every dotted field path of the kinds, in schema order, without repeats."""
    names: list[str] = []
    for kind in kinds:
        for item in kind.root.walk():
            if item.path and item.dotted not in names:
                names.append(item.dotted)
    return names


def unknown_field(param: str, name: str, kinds: list[Kind], valid: list[str]) -> UsageError:
    which = ", ".join(k.name for k in kinds)
    hint = did_you_mean(nearest(name, valid)) or "valid fields: " + ", ".join(valid)
    return UsageError(f"unknown field {name!r} in {{{param}}} for {which}", hint=hint, params=(param,))


# --- conditions ----------------------------------------------------------------


@dataclass
class Condition:
    """One `--where FIELD OP VALUE`."""

    text: str
    path: tuple[str, ...]
    op: str
    value: str
    type: str = "string"  # string, number, boolean, date, kind
    operand: Any = None
    unknown_value: bool = False  # VALUE is not one of the field's allowed values
    field: Field | None = None

    def hint(self) -> str | None:
        """When VALUE is not one of the field's allowed values, what they are."""
        if not self.unknown_value or self.field is None:
            return None
        return f"{'.'.join(self.path)}: {not_allowed(self.field, self.value, listing(self.path))}"

    def matches(self, kind: Kind, data: dict[str, Any]) -> bool:
        if self.type == "kind":
            values: list[Any] = [kind.name]
        else:
            values = [v for _, v in values_at(data, self.path) if v is not None]
        if self.op == "!=":
            return not any(self._test("=", v) for v in values)
        return any(self._test(self.op, v) for v in values)

    def _test(self, op: str, value: Any) -> bool:
        if isinstance(value, (dict, list)):
            return False
        if op == "~":
            return self.value.casefold() in _text(value).casefold()
        if self.type == "date":
            span = date_span(value)
            if span is None:
                return False
            lo, hi = self.operand
            if op == "=":
                return span[0] <= hi and span[1] >= lo
            if op == "<":
                return span[1] < lo
            if op == ">":
                return span[0] > hi
            if op == "<=":
                return span[0] <= hi
            return span[1] >= lo  # >=
        if self.type == "number":
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                return False
            left, right = value, self.operand
        elif self.type == "boolean":
            if not isinstance(value, bool):
                return False
            left, right = value, self.operand
        else:
            left, right = _text(value), self.value
        return _compare(op, left, right)


def _compare(op: str, left: Any, right: Any) -> bool:
    import operator

    return {"=": operator.eq, "<": operator.lt, "<=": operator.le, ">": operator.gt}.get(op, operator.ge)(left, right)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def parse_where(text: str, kinds: list[Kind]) -> Condition:
    """Parse `FIELD OP VALUE` (spaces around OP optional) against the chosen kinds."""
    valid = [KIND_COLUMN] + field_names(kinds)
    match = _WHERE.match(text)
    if not match or match.group(3)[:1] in ("=", "<", ">", "!", "~"):
        name = re.split(r"[\s=<>!~]", text.strip(), maxsplit=1)[0]
        if name and name not in valid:
            raise unknown_field("where", name, kinds, valid)
        raise UsageError(
            f"{{where}} {text!r}: expected FIELD OP VALUE with OP one of {' '.join(OPERATORS)}",
            hint="for example {where='count>=2'} or {where='observations.actor=KCNA'}",
            params=("where",),
        )
    name, op, value = match.group(1), match.group(2), match.group(3)
    if name == KIND_COLUMN:
        return Condition(text, (), op, value, "kind")
    item = field_for(kinds, name)
    if item is None:
        raise unknown_field("where", name, kinds, valid)
    leaf = item.leaf
    condition = Condition(text, item.path, op, value, field=leaf)
    if op == "~":
        return condition
    if leaf.is_date:
        condition.type = "date"
        condition.operand = parse_date_bound(value, "where", f" {name}{op}")
    elif leaf.type in ("integer", "number"):
        condition.type = "number"
        condition.operand = parse_number(value)
        if condition.operand is None:  # nan and inf would match nothing, silently
            raise UsageError(f"{{where}} {text!r}: {name} is a number, and {value!r} is not one", params=("where",))
    elif leaf.type == "boolean":
        condition.type, condition.operand = "boolean", boolean(value)
        if condition.operand is None:
            raise UsageError(f"{{where}} {text!r}: {name} is true or false, not {value!r}", params=("where",))
    elif leaf.enum and op in ("=", "!="):
        found = spelled(leaf, value)  # allowed values match in any case: `category=icbm` finds ICBM
        if found is not None:
            condition.value = str(found)
        else:
            condition.unknown_value = True
    elif leaf.type in ("object", "array"):
        raise UsageError(
            f"{{where}} {text!r}: {name} holds nested fields; name one of them",
            hint="fields: " + ", ".join(n for n in valid if n.startswith(name + ".")),
            params=("where",),
        )
    return condition


def parse_number(text: str) -> int | float | None:
    """A number as written: an integer of any size stays an exact int; else a finite float; else None."""
    text = text.strip()
    if re.fullmatch(r"[-+]?[0-9]+", text):
        return int(text)
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


# --- text search -----------------------------------------------------------------


def contains_text(data: Any, needle: str) -> bool:
    """Whether any string or number anywhere in `data` contains `needle` (case-insensitive)."""
    if isinstance(data, dict):
        return any(contains_text(v, needle) for v in data.values())
    if isinstance(data, list):
        return any(contains_text(v, needle) for v in data)
    if data is None:
        return False
    return needle in _text(data).casefold()


# --- ordering --------------------------------------------------------------------


@dataclass
class SortKey:
    name: str
    path: tuple[str, ...]
    descending: bool
    numeric: bool


def parse_sort(text: str, kinds: list[Kind]) -> list[SortKey]:
    keys = []
    valid = [KIND_COLUMN] + field_names(kinds)
    for part in [p.strip() for p in text.split(",") if p.strip()]:
        descending = part.startswith("-")
        name = part.lstrip("-")
        if name == KIND_COLUMN:
            keys.append(SortKey(name, (), descending, False))
            continue
        item = field_for(kinds, name)
        if item is None:
            raise unknown_field("sort", name, kinds, valid)
        keys.append(SortKey(name, item.path, descending, item.leaf.type in ("integer", "number")))
    if not keys:
        raise UsageError("{sort} needs a field name", hint="for example {sort=date} or {sort=-count}", params=("sort",))
    return keys


class _Desc:
    """Wraps a sort key so that it sorts in reverse."""

    __slots__ = ("key",)

    def __init__(self, key: Any):
        self.key = key

    def __lt__(self, other: _Desc) -> bool:
        return other.key < self.key

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Desc) and other.key == self.key


def _sort_value(kind: Kind, data: dict[str, Any], key: SortKey) -> tuple[int, Any]:
    """(missing, value): a record without the field sorts last, in either direction."""
    if not key.path:
        return 0, ("", kind.name)
    values = [v for _, v in values_at(data, key.path) if v is not None and not isinstance(v, (dict, list))]
    if not values:
        return 1, None
    value = values[0]
    if key.numeric and isinstance(value, (int, float)) and not isinstance(value, bool):
        return 0, (value, "")  # ints of any size and floats compare exactly; float() would overflow
    return 0, (math.inf, _text(value))


def sort_key(keys: list[SortKey]) -> Callable[[tuple[Any, dict[str, Any]]], Any]:
    """A key for (RecordFile, data) pairs; ties are broken by id."""

    def key(item: tuple[Any, dict[str, Any]]) -> Any:
        record, data = item
        parts: list[Any] = []
        for k in keys:
            missing, value = _sort_value(record.kind, data, k)
            if missing:
                parts += [1, 0]
            else:
                parts += [0, _Desc(value) if k.descending else value]
        parts.append(record.id)
        return tuple(parts)

    return key


# --- the selection -----------------------------------------------------------------


@dataclass
class Selection:
    kinds: list[Kind]
    since: tuple[str, str] | None = None
    until: tuple[str, str] | None = None
    where: list[Condition] = field(default_factory=list)
    search: str | None = None
    sort: list[SortKey] | None = None
    limit: int | None = None
    use_cache: bool = True
    progress: Callable[..., None] | None = None  # told of each record read (for a progress bar)

    def nothing_found(self) -> str:
        """What to tell someone whose selection found no record."""
        hints = [h for h in (c.hint() for c in self.where) if h]
        return "no record matches" + (f" ({'; '.join(hints)})" if hints else "")

    @property
    def timeline(self) -> bool:
        """Several kinds at once: shown as one timeline with their common columns."""
        return len(self.kinds) != 1

    def date_path(self, kind: Kind) -> tuple[str, ...] | None:
        """The path of a kind's record date."""
        return (kind.date_field,) if kind.date_field is not None else None

    def matches(self, kind: Kind, data: dict[str, Any]) -> bool:
        if self.since is not None or self.until is not None:
            path = self.date_path(kind)
            value = data.get(path[0]) if path else None
            span = date_span(value) if value is not None else None
            if span is None:
                return False
            if self.since is not None and span[1] < self.since[0]:
                return False
            if self.until is not None and span[0] > self.until[1]:
                return False
        for condition in self.where:
            if not condition.matches(kind, data):
                return False
        if self.search is not None and not contains_text(data, self.search.casefold()):
            return False
        return True

    def records(self, repo: Any) -> Iterator[tuple[Any, dict[str, Any]]]:
        """The selected records as (RecordFile, data): streamed unless a sort was asked for."""
        read = repo.iter_data(self.kinds, order="date", use_cache=self.use_cache, progress=self.progress)
        stream: Iterator[tuple[Any, dict[str, Any]]] = (
            (record, data) for record, data in read if self.matches(record.kind, data)
        )
        if self.sort:
            stream = iter(sorted(stream, key=sort_key(self.sort)))
        if self.limit is not None:
            stream = itertools.islice(stream, self.limit)
        return stream


def build_selection(
    repo: Any,
    kinds: Iterable[str] = (),
    *,
    since: str | None = None,
    until: str | None = None,
    where: Iterable[str] = (),
    search: str | None = None,
    sort: str | None = None,
    limit: int | None = None,
    use_cache: bool = True,
) -> Selection:
    """A Selection from these words, checked against the schema; a bad one raises a UsageError naming it (`param`)."""
    chosen = repo.kinds(kinds)
    if limit is not None and limit < 0:
        raise UsageError(f"{{limit}} {limit} is negative", hint="give 0 or more", params=("limit",))
    if search is not None and not search.strip():
        raise UsageError("{search} needs some text", hint="leave it out to keep every record", params=("search",))
    if sort is not None and not sort.strip():
        raise UsageError("{sort} needs a field", hint="for example {sort=date} or {sort=-count}", params=("sort",))
    if limit is not None and limit > sys.maxsize:
        raise UsageError(f"{{limit}} {limit} is too large", hint=f"give at most {sys.maxsize}", params=("limit",))
    return Selection(
        kinds=chosen,
        since=parse_date_bound(since, "since") if since is not None else None,
        until=parse_date_bound(until, "until") if until is not None else None,
        where=[parse_where(text, chosen) for text in where],
        search=search if search else None,
        use_cache=use_cache,
        sort=parse_sort(sort, chosen) if sort else None,
        limit=limit,
    )
