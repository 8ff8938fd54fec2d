"""A record being made or changed: its fields in schema order, its id from date and title,
the required fields still missing, and changes merged into the fields it has.

Conventions from the data model (DESIGN.md, "Data conventions") that the code relies
on: a record's id lives in the `id` field and is its file name; an id is made from the
`date` field and a slug of the `title` field.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from dprk_records.editing.options import OptionSpec, can_make_id, option_specs, values_from_options
from dprk_records.errors import DataError, UsageError
from dprk_records.records.kinds import Field, Kind

SLUG_MAX = 50  # characters of title slug kept in a made-up id


def ordered(kind: Kind, data: dict[str, Any]) -> dict[str, Any]:
    """`data` with top-level keys in schema order (unknown keys last, for validation to name)."""
    known = [k for k in kind.fields if k in data]
    return {k: data[k] for k in known + [k for k in data if k not in kind.fields]}


def field_name(kind: Kind, name: str) -> str:
    """A top-level field named as on the command line (`requested-by`, `--requested-by`) -> `requested_by`."""
    key = name.lstrip("-").replace("-", "_")
    if key in kind.fields:
        return key
    for spec in option_specs(kind):
        if "--" + name.lstrip("-") in spec.flags:
            return spec.name
    from dprk_records.records.suggest import did_you_mean, nearest

    close = did_you_mean(nearest(key, list(kind.fields)))
    raise UsageError(f"{kind.name} has no field {name!r}", hint=close or "fields are: " + ", ".join(kind.fields))


def slugify(text: str, limit: int = SLUG_MAX) -> str:
    """Lowercase ASCII words joined by hyphens, cut at a word boundary within `limit` characters."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    words = re.findall(r"[a-z0-9]+", plain)
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > limit:
            break
        slug = candidate
    if not slug and words:
        slug = words[0][:limit]
    return slug


def make_id(kind: Kind, data: dict[str, Any]) -> str | None:
    """The id made from the record's date and a slug of its title, or None when they are missing."""
    date, title = data.get(kind.role_field("date")), data.get(kind.role_field("title"))
    if not isinstance(date, str) or not isinstance(title, str):
        return None
    slug = slugify(title)
    if not slug:
        return None
    return f"{date}-{slug}"


def with_id(kind: Kind, data: dict[str, Any], strict: bool = False) -> dict[str, Any]:
    """`data` with its id filled in from date and title when it has none.

    With `strict`, a title that gives no slug (no letters or digits) is a usage error.
    """
    if data.get(kind.id_field) in (None, "") and can_make_id(kind):
        made = make_id(kind, data)
        title = data.get(kind.role_field("title") or "")
        if (
            made is None
            and strict
            and isinstance(title, str)
            and isinstance(data.get(kind.role_field("date") or ""), str)
        ):
            raise UsageError(
                f"the title {title!r} has no letters or digits to make an id from", hint="give {id}", params=("id",)
            )
        if made is not None:
            data = dict(data)
            data[kind.id_field] = made
    return ordered(kind, data)


def fields_to_ask(
    kind: Kind, data: dict[str, Any], specs: list[OptionSpec], *, may_prompt: bool, from_file: str | None = None
) -> list[Field]:
    """Required fields still missing, to be asked for, when asking is allowed.

    Otherwise an error naming them: invalid data (DataError, exit 1) when the record came
    from a file (`from_file`, its name), a usage error (exit 2) when options are missing.
    """
    needed = missing(kind, data)
    if needed and not may_prompt:
        if from_file is not None:
            names = ", ".join(item.name for item in needed)
            raise DataError(
                f"{from_file}: the {kind.name} lacks required fields: {names}",
                hint="add them to the file, or give them as options",
            )
        raise UsageError(
            f"a {kind.name} needs {describe_missing(needed, specs)}",
            hint="give them as options, or use {from_file} or {edit}, or run in a terminal to be asked",
            params={"from_file": "a file", "edit": "the editor"},
        )
    return needed


def missing(kind: Kind, data: dict[str, Any]) -> list[Field]:
    """Required top-level fields not yet given (the id only when it cannot be made)."""
    out = []
    for name in kind.required:
        if name in data and data[name] not in (None, "", [], {}):
            continue
        if name == kind.id_field and can_make_id(kind):
            continue
        item = kind.fields.get(name)
        if item is not None:
            out.append(item)
    return out


def describe_missing(fields: list[Field], specs: list[OptionSpec]) -> str:
    flags = {spec.name: spec.flags[0] for spec in specs}
    return ", ".join(flags.get(item.name, item.name) for item in fields)


def merge(kind: Kind, old: dict[str, Any], changes: dict[str, Any], unset: Iterable[str] = ()) -> dict[str, Any]:
    """`old` with `changes` applied field by field (a value of None removes the field), then `unset` removed."""
    new = dict(old)
    for name, value in changes.items():
        if value is None:
            new.pop(name, None)
        else:
            new[name] = value
    for name in unset:
        new.pop(field_name(kind, name), None)
    return ordered(kind, new)


def check_unset(kind: Kind, changes: dict[str, Any], unset: Iterable[str]) -> None:
    """A field may be set or unset in one command, not both."""
    for name in unset:
        key = field_name(kind, name)
        if changes.get(key) is not None:
            raise UsageError(
                f"{{unset}} {name} and a new value for {key} were both given",
                hint="give one or the other",
                params=("unset",),
            )


# --- the add and update flows, minus the interactive parts -------------------------------


def given(
    kind: Kind, specs: list[OptionSpec], params: dict[str, Any], document: dict[str, Any] | None
) -> dict[str, Any]:
    """The fields given: a document from --from-file (allowed values matched in any case,
    as for options), overridden by options."""
    from dprk_records.records.allowed import normalise

    data = normalise(kind.root, dict(document or {}))
    data.update(values_from_options(specs, params))
    return data
