"""Kinds of record, read from the schema files.

The schema files in schema/ are the single source of truth: a file with an `x-kind`
keyword is a kind of record; its `x-folder` is where its records live; its properties,
in order, are the fields (and the column order of every export); each property's
`description` is its help text. Adding a kind means adding one schema file.

Annotations of our own (JSON Schema ignores keywords it does not know):
- `x-kind`, `x-folder`: on a kind schema, its name and its folder under records/.
- `x-references`: on a field holding record ids, the kinds those ids must be.
- `x-unique`: on a field holding a document symbol that no two records may share.
- `x-key`: on a list of objects, the field that identifies an element (for diffs).
- `x-example`: on a list of objects, one element as JSON (for help text).
- `x-matches`: on a field whose value must be one of the values of another field of the
  same record, named by its dotted path (an `according_to` actor must be the actor of
  one of the record's `observations`).
- `x-names`: on an enum of state codes, the display name of each code.
- `x-form`: on a field with a `pattern`, the form it asks for in words (`a web address:
  http:// or https:// and no spaces`), for the message when a value does not have it.
- `x-role`: what a field is to the tool: `id` (the record's id, also its file name),
  `date` (an ISO date prefix: spans, calendar checks), `title` (the words an id's
  slug is made from), `stance` (in an observation, whether it is a claim or an
  assessment: the site shows each apart), `sources` (the documents the record rests on:
  a section of their own on the site). Set once on the shared definitions.
- `x-table-columns`: on a kind schema, the terminal table's default columns, chosen
  for an 80-column terminal (dprk_records.selection.rows).
- `x-answered`, `x-response`, `x-held`, `x-agreed`, `x-refused`, `x-vetoed`,
  `x-council-product`, `x-answers-named-only`, `x-no-product`, `x-joint`, `x-position`,
  `x-permanent-members`: what the Council's responses and members' positions are, read
  by `reactions` and `votes` (dprk_records.selection.vocabulary).
- `x-lane`: on a field of an event kind, the chart's lanes, one per allowed value in
  enum order (dprk_records.output.chart).

Nothing here imports jsonschema until a validator is asked for. The schema files are
read by dprk_records.records.schemas.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dprk_records.errors import DataError
from dprk_records.records.dates import date_span
from dprk_records.records.fastcheck import compile_schema

if TYPE_CHECKING:
    from dprk_records.records.schemas import Schemas

SCHEMA_SUFFIX = ".schema.json"
HEADER_PREFIX = "# yaml-language-server: "
_HEADER = re.compile(r"^#\s*yaml-language-server:\s*\$schema=(\S+)")


def declared_schema(text: str) -> str | None:
    """The schema file named by a record's first-line header comment, if it has one."""
    match = _HEADER.match(text)
    return Path(match.group(1)).name if match else None


_SLUG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")


@dataclass
class Field:
    """One field of a kind (or of a nested object), with its schema resolved."""

    name: str
    path: tuple[str, ...]
    schema: dict[str, Any]
    required: bool = False
    keys: dict[str, Field] = field(default_factory=dict)  # properties of an object
    items: Field | None = None  # element of an array
    is_item: bool = False  # this field is the element of its parent list

    @property
    def type(self) -> str:
        kind = self.schema.get("type")
        if kind:
            return kind
        if "enum" in self.schema:
            return "string"
        return "any"

    @property
    def title(self) -> str:
        """The field's name in words, for people: its schema `title`, else its name."""
        title = self.schema.get("title")
        return title if isinstance(title, str) and title else self.name.replace("_", " ")

    @property
    def description(self) -> str:
        return self.schema.get("description") or (self.items.schema.get("description", "") if self.items else "")

    @property
    def enum(self) -> list[Any] | None:
        return self.schema.get("enum")

    @property
    def names(self) -> dict[str, str] | None:
        return self.schema.get("x-names")

    @property
    def references(self) -> list[str] | None:
        return self.schema.get("x-references")

    @property
    def unique(self) -> bool:
        return bool(self.schema.get("x-unique"))

    @property
    def key(self) -> str | None:
        return self.schema.get("x-key")

    @property
    def matches(self) -> str | None:
        """`x-matches`: the dotted path of another field of the same record whose values
        this field's value must be one of (e.g. `observations.actor`)."""
        return self.schema.get("x-matches")

    @property
    def example(self) -> str | None:
        return self.schema.get("x-example")

    @property
    def role(self) -> str | None:
        return self.schema.get("x-role")

    @property
    def is_date(self) -> bool:
        return self.role == "date"

    @property
    def leaf(self) -> Field:
        """The field itself, or for a list of scalars (or of lists), its innermost element."""
        item = self
        while item.items is not None and not item.keys:
            item = item.items
        return item

    @property
    def dotted(self) -> str:
        return ".".join(self.path)

    def walk(self) -> Iterator[Field]:
        """This field and every field below it, depth first, in schema order."""
        yield self
        for child in self.keys.values():
            yield from child.walk()
        if self.items is not None:
            yield from self.items.walk()


class Kind:
    """One kind of record: its name, folder, fields and (lazily) its validator."""

    def __init__(self, schemas: Schemas, file: Path, schema: dict[str, Any]):
        self.schemas = schemas
        self.file = file
        self.schema = schema
        self.name: str = schema["x-kind"]
        self.folder: str = schema.get("x-folder", f"{self.name}s")
        for keyword, value in (("x-kind", self.name), ("x-folder", self.folder)):
            if not isinstance(value, str) or not _SLUG.fullmatch(value):
                raise DataError(
                    f"{file}: {keyword} must be lowercase letters, digits and hyphens (a folder name under records/), not {value!r}"
                )
        self.title: str = schema.get("title") or self.name
        self.description: str = schema.get("description", "")

    def __repr__(self) -> str:
        return f"Kind({self.name!r})"

    @cached_property
    def root(self) -> Field:
        return self.schemas.build_field("", (), self.schema, self.file, required=True)

    @property
    def fields(self) -> dict[str, Field]:
        """Top-level fields, in schema order."""
        return self.root.keys

    def role_field(self, role: str) -> str | None:
        """The name of the top-level field with this `x-role` (id, date, title), if any."""
        for name, item in self.fields.items():
            if item.role == role:
                return name
        return None

    @property
    def id_field(self) -> str:
        return self.role_field("id") or "id"

    @cached_property
    def date_field(self) -> str | None:
        """The record's own date: the field with `x-role: date` (else the first date field)."""
        named = self.role_field("date")
        if named is not None:
            return named
        return next((name for name, item in self.fields.items() if item.is_date), None)

    def sort_date(self, data: Any) -> str:
        """The first day (ISO) of the record's own date, for ordering records by date;
        "" when the record has no such date (it sorts first)."""

        value = data.get(self.date_field) if isinstance(data, dict) and self.date_field else None
        span = date_span(value)
        return span[0] if span else ""

    @property
    def required(self) -> list[str]:
        return list(self.schema.get("required", []))

    @property
    def header(self) -> str:
        """The first line of every canonical record file of this kind."""
        return f"{HEADER_PREFIX}$schema=../../schema/{self.file.name}"

    @cached_property
    def reference_fields(self) -> list[Field]:
        return [f for f in self.root.walk() if f.references]

    @cached_property
    def unique_fields(self) -> list[Field]:
        return [f for f in self.root.walk() if f.unique]

    @cached_property
    def match_fields(self) -> list[Field]:
        return [f for f in self.root.walk() if f.matches]

    @cached_property
    def date_fields(self) -> list[Field]:
        return [f for f in self.root.walk() if f.is_date]

    @cached_property
    def validator(self) -> Any:
        """A jsonschema validator for this kind, built once."""
        return self.schemas.validator_for(self)

    @cached_property
    def fast_check(self) -> Any:
        """A yes/no checker compiled from the schema (see dprk_records.records.fastcheck), or None."""

        try:
            inlined = self.schemas.inline(self.schema, self.file)
        except DataError:
            return None
        return compile_schema(inlined, lambda node: node)

    def field(self, dotted: str) -> Field | None:
        """The field at a dotted path such as `observations.actor`, or None."""
        node: Field | None = self.root
        for part in dotted.split("."):
            if node is None:
                return None
            while node.items is not None and not node.keys:
                node = node.items
            node = node.keys.get(part) if node is not None else None
        return node
