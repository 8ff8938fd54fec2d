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
- `x-role`: what a field is to the tool: `id` (the record's id, also its file name),
  `date` (an ISO date prefix: spans, calendar checks), `title` (the words an id's
  slug is made from). Set once on the shared definitions.

Nothing here imports jsonschema until a validator is asked for.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Iterator

from cli.errors import DataError, UsageError

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
    keys: dict[str, "Field"] = field(default_factory=dict)  # properties of an object
    items: "Field | None" = None  # element of an array
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
    def leaf(self) -> "Field":
        """The field itself, or for a list of scalars (or of lists), its innermost element."""
        item = self
        while item.items is not None and not item.keys:
            item = item.items
        return item

    @property
    def dotted(self) -> str:
        return ".".join(self.path)

    def walk(self) -> Iterator["Field"]:
        """This field and every field below it, depth first, in schema order."""
        yield self
        for child in self.keys.values():
            yield from child.walk()
        if self.items is not None:
            yield from self.items.walk()


class Kind:
    """One kind of record: its name, folder, fields and (lazily) its validator."""

    def __init__(self, schemas: "Schemas", file: Path, schema: dict[str, Any]):
        self.schemas = schemas
        self.file = file
        self.schema = schema
        self.name: str = schema["x-kind"]
        self.folder: str = schema.get("x-folder", f"{self.name}s")
        for keyword, value in (("x-kind", self.name), ("x-folder", self.folder)):
            if not isinstance(value, str) or not _SLUG.fullmatch(value):
                raise DataError(f"{file}: {keyword} must be lowercase letters, digits and hyphens (a folder name under records/), not {value!r}")
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
        from cli.dates import date_span

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
        """A yes/no checker compiled from the schema (see cli.fastcheck), or None."""
        from cli.fastcheck import compile_schema

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


def values_at(data: Any, path: tuple[str, ...]) -> Iterator[tuple[tuple[Any, ...], Any]]:
    """Every value found at a field path in a record, with its concrete pointer.

    Lists are entered transparently: the path ("outcomes", "symbol") yields
    (("outcomes", 0, "symbol"), "S/RES/1") and so on. A list value at the end of the
    path yields each element with its index.
    """

    def walk(node: Any, rest: tuple[str, ...], pointer: tuple[Any, ...]) -> Iterator[tuple[tuple[Any, ...], Any]]:
        if isinstance(node, list):
            for index, element in enumerate(node):
                yield from walk(element, rest, pointer + (index,))
            return
        if not rest:
            yield pointer, node
            return
        if isinstance(node, dict) and rest[0] in node:
            yield from walk(node[rest[0]], rest[1:], pointer + (rest[0],))

    yield from walk(data, path, ())


class Schemas:
    """All schema files of a repository: the kinds, and the shared definitions."""

    def __init__(self, directory: Path, texts: dict[str, bytes] | None = None):
        """The schema files in `directory`, or, with `texts`, the files named there with
        those contents (the schema folder of a git revision; `directory` names it in errors)."""
        self.directory = directory
        self.documents: dict[str, dict[str, Any]] = {}
        self.kinds: dict[str, Kind] = {}
        if texts is None:
            if not directory.is_dir():
                raise UsageError(f"no schema folder at {directory}", hint="run dprk inside a dprk-records repository or pass --repo")
            files = [(file, None) for file in sorted(directory.glob("*" + SCHEMA_SUFFIX))]
        else:
            files = [(directory / name, data) for name, data in sorted(texts.items()) if name.endswith(SCHEMA_SUFFIX)]
        for file, data in files:
            document = _read_json(file, data)
            self.documents[file.name] = document
            if isinstance(document, dict) and "x-kind" in document:
                kind = Kind(self, file, document)
                if kind.name in self.kinds:
                    raise DataError(f"{file}: kind {kind.name!r} is defined twice")
                self.kinds[kind.name] = kind
        if not self.kinds:
            raise DataError(f"{directory}: no kind schemas found (files *.schema.json with an x-kind keyword)")
        for kind in self.kinds.values():
            kind.root  # resolves every $ref now, so a broken one is one clear error
        self.by_folder = {kind.folder: kind for kind in self.kinds.values()}

    # --- lookup ---------------------------------------------------------------

    def names(self) -> list[str]:
        return list(self.kinds)

    def get(self, name: str) -> Kind:
        """A kind by name, singular or plural (`launch`, `launches`), or a usage error."""
        key = name.strip().lower().replace("_", "-")
        if key in self.kinds:
            return self.kinds[key]
        if key in self.by_folder:
            return self.by_folder[key]
        raise UsageError(f"unknown kind {name!r}", hint="kinds are: " + ", ".join(self.kinds))

    # --- field trees ----------------------------------------------------------

    def resolve(self, node: dict[str, Any], file: Path) -> tuple[dict[str, Any], Path]:
        """Follow a local `$ref`, keeping sibling keywords (a description, say) on top."""
        seen = 0
        while isinstance(node, dict) and "$ref" in node:
            seen += 1
            if seen > 20:
                raise DataError(f"{file}: $ref chain too long at {node['$ref']}")
            target_file, _, fragment = node["$ref"].partition("#")
            target_path = (file.parent / target_file) if target_file else file
            document = self.documents.get(target_path.name) if target_file else self.documents.get(file.name)
            if document is None:
                raise DataError(f"{file}: $ref {node['$ref']!r} names a file that is not in {self.directory}")
            target: Any = document
            for part in [p for p in fragment.split("/") if p]:
                if not isinstance(target, dict) or part not in target:
                    raise DataError(f"{file}: $ref {node['$ref']!r} points at nothing")
                target = target[part]
            merged = dict(target)
            merged.update({k: v for k, v in node.items() if k != "$ref"})
            node, file = merged, target_path
        return node, file

    def inline(self, node: Any, file: Path, depth: int = 0) -> Any:
        """A copy of `node` with every local `$ref` replaced by what it points at."""
        if depth > 50:
            raise DataError(f"{file}: schema nesting too deep (a $ref loop?)")
        if isinstance(node, dict):
            if "$ref" in node:
                node, file = self.resolve(node, file)
            return {k: self.inline(v, file, depth + 1) for k, v in node.items() if k != "$defs"}
        if isinstance(node, list):
            return [self.inline(v, file, depth + 1) for v in node]
        return node

    def build_field(self, name: str, path: tuple[str, ...], node: dict[str, Any], file: Path, required: bool = False, is_item: bool = False) -> Field:
        schema, file = self.resolve(node, file)
        result = Field(name=name, path=path, schema=schema, required=required, is_item=is_item)
        required_names = set(schema.get("required", []))
        for key, child in (schema.get("properties") or {}).items():
            result.keys[key] = self.build_field(key, path + (key,), child, file, key in required_names)
        if isinstance(schema.get("items"), dict):
            result.items = self.build_field(name, path, schema["items"], file, is_item=True)
        return result

    # --- validation -------------------------------------------------------------

    @cached_property
    def registry(self) -> Any:
        from referencing import Registry, Resource
        from referencing.jsonschema import DRAFT202012

        def refuse(uri: str) -> Any:
            from referencing.exceptions import NoSuchResource

            raise NoSuchResource(ref=uri)

        resources = [
            (self.uri(name), Resource.from_contents(doc, default_specification=DRAFT202012))
            for name, doc in self.documents.items()
        ]
        return Registry(retrieve=refuse).with_resources(resources)

    def uri(self, file_name: str) -> str:
        return (self.directory.resolve() / file_name).as_uri()

    def validator_for(self, kind: Kind) -> Any:
        from jsonschema.exceptions import SchemaError

        schema = dict(kind.schema)
        schema.setdefault("$id", self.uri(kind.file.name))
        cls = ecma_validator_class()
        try:
            cls.check_schema(schema)
        except SchemaError as exc:
            raise DataError(f"{kind.file}: not a valid JSON Schema: {exc.message}") from None
        return cls(schema, registry=self.registry)

    def check_all(self) -> None:
        """Check every kind schema against the JSON Schema meta-schema (DataError if not)."""
        for kind in self.kinds.values():
            kind.validator


_VALIDATOR_CLASS: Any = None


def ecma_validator_class() -> Any:
    """Draft 2020-12, with `pattern` read as ECMA-262 (see cli.ecma), built once."""
    global _VALIDATOR_CLASS
    if _VALIDATOR_CLASS is None:
        from jsonschema import Draft202012Validator, validators
        from jsonschema.exceptions import ValidationError

        from cli.ecma import search

        def pattern(validator: Any, expected: str, instance: Any, schema: dict[str, Any]) -> Any:
            if validator.is_type(instance, "string") and not search(expected, instance):
                yield ValidationError(f"{instance!r} does not match {expected!r}")

        _VALIDATOR_CLASS = validators.extend(Draft202012Validator, {"pattern": pattern})
    return _VALIDATOR_CLASS


def _read_json(file: Path, data: bytes | None = None) -> Any:
    try:
        text = file.read_text(encoding="utf-8") if data is None else data.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(f"{file}: cannot read schema file: {exc}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataError(f"{file}:{exc.lineno}:{exc.colno}: schema file is not valid JSON: {exc.msg}") from None
