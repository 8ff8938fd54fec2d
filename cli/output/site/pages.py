"""What each record page and index page of the site shows, from the schema and the records.

Kinds, their folders, titles and field labels come from the schema files alone: a new
kind gets its index and record pages with no change here. A record page lists every
field under its schema title, nested objects and lists included; a reference to another
record (`x-references`) is a link to its page; a text that is an http(s) address is a
link, any other text is text. Two parts get a section of their own when a kind has
them: the observations (a list whose elements have a field of `x-role: stance`), claims
and assessments apart, each with who said it (the list's `x-key`), and the sources (the
field of `x-role: sources`), each with its quote and a link. Backlinks are found once for all records (`backlink_index`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dprk_records.records.dates import date_span
from dprk_records.records.kinds import Field, Kind
from dprk_records.records.values import values_at
from dprk_records.selection.rows import cell, kind_columns, table_columns

ORDERS = (("index", "newest first"), ("oldest-first", "oldest first"), ("by-title", "by title"))
# A year's page in each order: years/<YYYY><suffix>.html (the plain name is oldest first)
YEAR_ORDERS = (
    ("", "oldest first"),
    ("-newest-first", "newest first"),
    ("-by-kind", "by kind"),
    ("-by-title", "by title"),
)


@dataclass
class Entry:
    """One record on the site: where its page is and what a link to it says."""

    record: Any
    data: dict[str, Any]
    kind: Kind
    id: str
    title: str
    date: str
    year: str
    sort_date: str
    backlinks: list[tuple[Entry, str]] = field(default_factory=list)  # (record linking here, via field label)

    @property
    def path(self) -> str:
        return f"{self.kind.folder}/{self.id}.html"


def plural(kind: Kind) -> str:
    """A kind's name for a list of its records, from its folder: Launches, Nuclear tests."""
    words = kind.folder.replace("-", " ")
    return words[:1].upper() + words[1:]


def entry_of(record: Any, data: dict[str, Any]) -> Entry:
    kind = record.kind
    title_field = kind.role_field("title") or "title"
    date = data.get(kind.date_field) if kind.date_field else None
    span = date_span(date)
    title = data.get(title_field)
    return Entry(
        record,
        data,
        kind,
        record.id,
        title if isinstance(title, str) and title else record.id,
        str(date) if date is not None else "",
        span[0][:4] if span else "",
        span[0] if span else "",
    )


def backlink_index(entries: dict[str, Entry]) -> None:
    """Fill each entry's backlinks: every record whose reference fields name it."""
    for source in entries.values():
        for item in source.kind.reference_fields:
            for _, value in values_at(source.data, item.path):
                target = entries.get(value) if isinstance(value, str) else None
                if target is not None and target is not source:
                    label = _label(source.kind, item)
                    if (source, label) not in target.backlinks:
                        target.backlinks.append((source, label))
    for target in entries.values():
        target.backlinks.sort(key=lambda pair: (pair[0].sort_date, pair[0].id))


def _label(kind: Kind, item: Field) -> str:
    """A nested field's label with the labels of the fields holding it: `outcomes › responds to`."""
    labels, node = [], kind.root
    for part in item.path:
        while node.items is not None and not node.keys:
            node = node.items
        node = node.keys.get(part) if node is not None else None
        if node is None:
            return item.dotted
        labels.append(node.title)
    return " › ".join(labels)


# --- a record's fields as a tree the template walks -----------------------------------


def node(
    item: Field | None, value: Any, entries: dict[str, Entry], root: str, reference: bool = False
) -> dict[str, Any]:
    """A value as the template shows it: text (a link where it is a reference or an
    address), a list, or an object's fields with their labels. `reference`: the value
    is in a list whose field is marked `x-references`."""
    reference = reference or bool(item is not None and item.references)
    if isinstance(value, dict):
        keys = item.keys if item is not None else {}
        return {"t": "object", "fields": fields(keys, value, entries, root)}
    if isinstance(value, list):
        inner = item.items if item is not None else None
        return {"t": "list", "items": [node(inner, v, entries, root, reference) for v in value]}
    text = "yes" if value is True else "no" if value is False else str(value)
    target = entries.get(value) if reference and isinstance(value, str) else None
    if target is not None:
        return {
            "t": "record",
            "text": text,
            "href": root + target.path,
            "title": target.title,
            "kind": target.kind.title,
        }
    name = (item.leaf.names or {}).get(value) if item is not None and isinstance(value, str) else None
    return {"t": "text", "text": text, "name": name}


def fields(
    keys: dict[str, Field], data: dict[str, Any], entries: dict[str, Entry], root: str, skip: tuple[str, ...] = ()
) -> list[dict[str, Any]]:
    """Each field present, in schema order (fields the schema does not name after them)."""
    out = []
    for name in [*keys, *(k for k in data if k not in keys)]:
        if name in skip or name not in data:
            continue
        item = keys.get(name)
        out.append(
            {
                "name": name,
                "label": item.title if item else name.replace("_", " "),
                "help": item.description if item else "",
                "value": node(item, data[name], entries, root),
            }
        )
    return out


def observation_field(kind: Kind) -> Field | None:
    """The top-level list whose elements say who claims or assesses what (the schema's
    `x-role: stance` on a field of its elements)."""
    for item in kind.fields.values():
        element = item.items
        if item.type == "array" and element is not None and _stance(element) is not None:
            return item
    return None


def _stance(element: Field) -> str | None:
    """The name of the element's field with `x-role: stance` and allowed values, if any."""
    return next((name for name, item in element.keys.items() if item.role == "stance" and item.enum), None)


def _sources_field(kind: Kind) -> str | None:
    return kind.role_field("sources")


def record_page(entry: Entry, entries: dict[str, Entry], reaction: Any, root: str = "../") -> dict[str, Any]:
    """What a record's page shows."""
    kind, data = entry.kind, entry.data
    observed = observation_field(kind)
    sources_name = _sources_field(kind)
    sources = kind.fields.get(sources_name) if sources_name else None
    title_field = kind.role_field("title") or "title"
    summary_field = "summary" if isinstance(data.get("summary"), str) else None
    skip = tuple(
        n
        for n in (
            title_field,
            summary_field,
            observed.name if observed else None,
            sources_name,
        )
        if n
    )
    stances = []
    if observed is not None and isinstance(data.get(observed.name), list):
        element = observed.items
        field = _stance(element)
        allowed = element.keys[field].enum
        actor = observed.key if observed.key in element.keys else None
        listed = [o for o in data[observed.name] if isinstance(o, dict)]
        for stance in allowed:
            said = [_observation(element, actor, o, entries, root) for o in listed if o.get(field) == stance]
            if said:
                stances.append({"stance": stance, "label": _plural(stance), "items": said})
        other = [_observation(element, actor, o, entries, root) for o in listed if o.get(field) not in allowed]
        if other:
            stances.append({"stance": "other", "label": "Other observations", "items": other})
    return {
        "entry": entry,
        "summary": data.get(summary_field) if summary_field else None,
        "fields": fields(kind.fields, data, entries, root, skip),
        "observations": {"label": observed.title, "help": observed.description, "stances": stances}
        if observed
        else None,
        "sources": _sources(sources, data.get(sources_name), entries, root) if sources is not None else [],
        "sources_label": sources.title if sources is not None else "",
        "backlinks": entry.backlinks,
        "reaction": _reaction(reaction, entries) if reaction is not None else None,
    }


def _reaction(reaction: Any, entries: dict[str, Entry]) -> dict[str, Any]:
    """The Council's response to an event, with links to the meetings and products."""
    response, days = reaction.response()
    return {
        "label": response.replace("-", " "),
        "days": days,
        "meetings": [(start, entries.get(meeting), meeting) for start, meeting in sorted(reaction.meetings)],
        "responses": [(r, entries.get(r.id)) for r in reaction.ordered()],
    }


def _plural(word: str) -> str:
    return word[:1].upper() + word[1:].replace("-", " ") + "s"


def _observation(
    element: Field, actor: str | None, data: dict[str, Any], entries: dict[str, Entry], root: str
) -> dict[str, Any]:
    """One observation; `actor` is the field that says who (the list's `x-key`)."""
    who = data.get(actor) if actor else None
    return {"who": who, "fields": fields(element.keys, data, entries, root, skip=(_stance(element), actor))}


def _sources(item: Field, value: Any, entries: dict[str, Entry], root: str) -> list[dict[str, Any]]:
    element = item.items
    keys = element.keys if element is not None else {}
    out = []
    for source in value if isinstance(value, list) else []:
        if not isinstance(source, dict):
            continue
        out.append(
            {
                "title": source.get("title"),
                "url": source.get("url"),
                "publisher": source.get("publisher"),
                "date": source.get("date"),
                "quote": source.get("quote"),
                "fields": fields(keys, source, entries, root, skip=("title", "url", "publisher", "date", "quote")),
            }
        )
    return out


# --- index pages ----------------------------------------------------------------------


def index_columns(kind: Kind) -> list[Any]:
    """The columns of a kind's index table besides date and title: the schema's
    `x-table-columns` (else its single top-level fields), without id, date and title."""
    own = {kind.id_field, kind.date_field, kind.role_field("title") or "title"}
    return [c for c in table_columns(kind, kind_columns(kind)) if c.path and c.path[0] not in own and not c.span]


def ordered(entries: list[Entry], order: str) -> list[Entry]:
    """Entries in one of the orders of ORDERS or YEAR_ORDERS (newest first for any other)."""
    order = order.lstrip("-")
    if order == "by-title":
        return sorted(entries, key=lambda e: (e.title.casefold(), e.sort_date, e.id))
    if order == "by-kind":
        return sorted(entries, key=lambda e: (e.kind.title.casefold(), e.sort_date, e.id))
    oldest = sorted(entries, key=lambda e: (e.sort_date, e.id))
    return oldest if order in ("oldest-first", "") else oldest[::-1]


def index_rows(kind: Kind, entries: list[Entry], root: str) -> tuple[list[str], list[dict[str, Any]]]:
    """Header labels and rows of a kind's index table."""
    columns = index_columns(kind)
    labels = []
    for column in columns:
        item = kind.field(column.name)
        labels.append(item.title if item is not None else column.name)
    rows = []
    for entry in entries:
        cells = []
        for column in columns:
            value = cell(entry.data, column)
            cells.append(", ".join(map(str, value)) if isinstance(value, list) else value)
        rows.append({"entry": entry, "href": root + entry.path, "cells": cells})
    return labels, rows
