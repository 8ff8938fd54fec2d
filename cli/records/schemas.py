"""The schema files of a repository: read, `$ref`s resolved, kinds made, validators built.

Schemas loads every `*.schema.json` in `schema/` (or, for a git revision, the files of
that revision's schema folder), makes a Kind of each file with an `x-kind`, resolves
local `$ref`s so that each kind's fields are known, and builds jsonschema validators
(once per kind, only when asked for) whose `pattern` is read as ECMA-262 (dprk_records.records.ecma).
Nothing here imports jsonschema until a validator is asked for.

Schema files are read under the records' link rule: the schema folder, or a schema
file, that is a link leading out of the repository is refused (one DataError), never
read; links inside the repository work. A schema file must be a regular file.
"""

from __future__ import annotations

import json
import os
from functools import cached_property
from pathlib import Path
from typing import Any

from dprk_records.errors import DataError, UsageError
from dprk_records.records.kinds import SCHEMA_SUFFIX, Field, Kind


class Schemas:
    """All schema files of a repository: the kinds, and the shared definitions."""

    def __init__(self, directory: Path, texts: dict[str, bytes] | None = None, root: Path | None = None):
        """The schema files in `directory`, or, with `texts`, the files named there with
        those contents (the schema folder of a git revision; `directory` names it in errors).
        With `root`, the repository's root: nothing that leads out of it is read (schema_files)."""
        self.directory = directory
        self.documents: dict[str, dict[str, Any]] = {}
        self.kinds: dict[str, Kind] = {}
        if texts is None:
            if not directory.is_dir():
                raise UsageError(
                    f"no schema folder at {directory}",
                    hint="work inside a dprk-records repository, or pass {repo}",
                    params={"repo": "its folder"},
                )
            files = [(file, None) for file in schema_files(directory, root, SCHEMA_SUFFIX)]
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
            kind.root  # noqa: B018 resolves every $ref now, so a broken one is one clear error
        self.by_folder = {kind.folder: kind for kind in self.kinds.values()}

    # --- lookup ---------------------------------------------------------------

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

    def build_field(
        self,
        name: str,
        path: tuple[str, ...],
        node: dict[str, Any],
        file: Path,
        required: bool = False,
        is_item: bool = False,
    ) -> Field:
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

        resources = []
        for name, doc in self.documents.items():
            resource = Resource.from_contents(doc, default_specification=DRAFT202012)
            resources.append((self.uri(name), resource))
            own = doc.get("$id") if isinstance(doc, dict) else None
            if isinstance(own, str) and own:  # known by its $id too (relative: the file's name)
                resources.append((own, resource))
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
            kind.validator  # noqa: B018 building it checks the schema


def within(path: str | os.PathLike[str], real_root: str) -> bool:
    """Whether `path`, with every link followed, is `real_root` (a resolved path) or lies in it."""
    real = os.path.realpath(path)
    return real == real_root or real.startswith(real_root.rstrip(os.sep) + os.sep)


def schema_files(directory: Path, root: Path | None, suffix: str = SCHEMA_SUFFIX) -> list[Path]:
    """The files named `*suffix` in the schema folder, sorted. With `root`, a DataError
    (one line, naming the path from the root) when the folder or one of those files is a
    link that leads out of the repository, or a file is not a regular file (a pipe would
    block): they are never opened."""
    if root is None:
        return sorted(directory.glob("*" + suffix))
    real_root = os.path.realpath(root)

    def shown(path: Path) -> str:
        return os.path.relpath(path, root).replace(os.sep, "/")

    if not within(directory, real_root):
        raise DataError(
            f"{shown(directory)}: is a link to a folder outside the repository; dprk reads schemas only inside the repository",
            hint="replace the link with a folder inside the repository",
        )
    files = sorted(directory.glob("*" + suffix))
    for file in files:
        if not within(file, real_root):
            raise DataError(
                f"{shown(file)}: is a link to a file outside the repository; dprk reads schemas only inside the repository",
                hint="replace the link with the file itself",
            )
        if not file.is_file():
            raise DataError(
                f"{shown(file)}: not a regular file (a folder, pipe or device named like a schema file)",
                hint="schema files are regular files",
            )
    return files


_VALIDATOR_CLASS: Any = None


def ecma_validator_class() -> Any:
    """Draft 2020-12, with `pattern` read as ECMA-262 (see dprk_records.records.ecma), built once."""
    global _VALIDATOR_CLASS
    if _VALIDATOR_CLASS is None:
        from jsonschema import Draft202012Validator, validators
        from jsonschema.exceptions import ValidationError

        from dprk_records.records.ecma import search

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
