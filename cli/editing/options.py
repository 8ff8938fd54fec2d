"""Command-line options made from a kind's schema: one per top-level field, with its
flags, choices, metavar and help, and the field values the given options stand for.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from dprk_records.editing.values import parse_json, parse_scalar
from dprk_records.errors import UsageError
from dprk_records.records.allowed import normalise
from dprk_records.records.kinds import Field, Kind
from dprk_records.records.repository import check_id_text

ENUM_CHOICES_MAX = 20
EXAMPLE_DATE = "2023-11-21"  # larger enums (state codes) are checked, not listed, in help and prompts


@dataclass
class OptionSpec:
    """One generated command-line option for a top-level field."""

    field: Field
    flags: list[str]  # e.g. ["--source", "--sources"]
    param: str  # the keyword the value arrives under
    multiple: bool
    choices: list[str] | None
    metavar: str
    help: str

    @property
    def name(self) -> str:
        return self.field.name


def option_flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def singular(name: str) -> str | None:
    """A singular form of a plural field name, for an option alias (`sources` -> `source`)."""
    if name.endswith("ies") and len(name) > 4:
        return name[:-3] + "y"
    if name.endswith(("ches", "shes", "sses", "xes")):
        return name[:-2]
    if name.endswith("s") and not name.endswith("ss") and len(name) > 2:
        return name[:-1]
    return None


def shape(item: Field) -> str:
    """How a field is given on the command line: scalar, list (of scalars), objects (list of objects) or object."""
    if item.type == "array":
        element = item.items
        if element is not None and (element.type == "object" or element.keys):
            return "objects"
        return "list"
    if item.type == "object" or item.keys:
        return "object"
    return "scalar"


def scalar_field(item: Field) -> Field:
    return item.items if item.type == "array" and item.items is not None else item


def option_specs(
    kind: Kind, reserved: Iterable[str] = (), skip: Iterable[str] = (), *, update: bool = False
) -> list[OptionSpec]:
    """One option per top-level field of `kind`, in schema order.

    `reserved` are flags the command line uses for itself: a field whose flag would
    clash gets `--KIND-FIELD` instead (a meeting's `format` is `--meeting-format`, as
    `--format` names the output format everywhere). `skip` are fields that get no
    option. With `update`, no field is marked as required (an update gives only what
    changes).
    """
    taken = set(reserved)
    skipped = set(skip)
    fields = kind.fields
    specs: list[OptionSpec] = []
    for name, item in fields.items():
        if name in skipped:
            continue
        how = shape(item)
        flag = option_flag(name)
        if flag in taken:
            flag = option_flag(f"{kind.name}_{name}")
        flags = [flag]
        single = singular(name)
        if how in ("objects", "list") and single and single not in fields and option_flag(single) not in taken:
            alias = option_flag(single)
            flags = [alias, flag] if how == "objects" else [flag, alias]
        taken.update(flags)
        element = scalar_field(item)
        choices = (
            [str(v) for v in element.enum]
            if element.enum and len(element.enum) <= ENUM_CHOICES_MAX and how != "objects"
            else None
        )
        specs.append(
            OptionSpec(
                item,
                flags,
                f"field__{len(specs)}",
                how in ("objects", "list"),
                choices,
                _metavar(item, how),
                option_help(item, how, made_id=name == kind.id_field and can_make_id(kind), update=update),
            )
        )
    return specs


def can_make_id(kind: Kind) -> bool:
    """Whether an id can be made for this kind: it has a date field and a title field."""
    return kind.role_field("date") is not None and kind.role_field("title") is not None


def _metavar(item: Field, how: str) -> str:
    if how in ("objects", "object"):
        return "JSON"
    element = scalar_field(item)
    if element.names:
        return "CODE"
    if element.references:
        return "ID"
    if element.is_date:
        return "DATE"
    return {"integer": "INT", "number": "NUMBER", "boolean": "BOOL"}.get(element.type, "TEXT")


def option_help(item: Field, how: str, made_id: bool = False, update: bool = False) -> str:
    parts = [item.description.rstrip(".") + "." if item.description else ""]
    element = scalar_field(item)
    if element.names:
        parts.append(
            f"An ISO 3166-1 alpha-3 code, any case (the codes and names: 'dprk schema --values {item.dotted}')."
        )
    if element.references:
        parts.append("The id of a " + " or ".join(element.references) + ".")
    if how == "list":
        parts.append("Repeat the option for each value.")
    elif how == "objects":
        parts.append("One JSON object per option; repeat it for each (the example at the end of this help shows one).")
    elif how == "object":
        parts.append("A JSON object (the example at the end of this help shows one).")
    if made_id and not update:
        parts.append("Default: the date and a slug of the title.")
    elif item.required and not update:
        parts.append("Required.")
    return " ".join(p for p in parts if p)


def example_json(item: Field | None) -> str | None:
    """A JSON example for an object field that has no x-example: its keys with placeholder values."""
    if item is None or not item.keys:
        return None
    sample: dict[str, Any] = {}
    for name, child in item.keys.items():
        if not child.required and len(sample) >= 2:
            continue
        element = scalar_field(child)
        if element.enum:
            value: Any = element.enum[0]
        elif element.is_date:
            value = EXAMPLE_DATE
        elif element.type in ("integer", "number"):
            value = 1
        elif element.type == "boolean":
            value = True
        else:
            value = "..."
        sample[name] = [value] if child.type == "array" else value
    return json.dumps(sample, ensure_ascii=False)


def shell_word(text: str) -> str:
    """`text` as one word for bash or any POSIX shell: as it is when nothing in it is
    special, else in single quotes, each `'` in it written `'\\''`."""
    if text and re.fullmatch(r"[A-Za-z0-9_@%+=:,./-]+", text):
        return text
    return "'" + text.replace("'", "'\\''") + "'"


def example_command(kind: Kind, specs: list[OptionSpec]) -> list[str]:
    """`dprk add KIND ...` as it runs when pasted (with --dry-run: nothing is written):
    the required options, and an example of every option that takes JSON, one option a
    line, each line but the last ending in a backslash."""
    words = [f"dprk add {kind.name} --dry-run"]
    for spec in specs:
        item = spec.field
        how = shape(item)
        if how == "objects":
            value = item.example or example_json(item.items)
        elif how == "object":
            value = example_json(item)
        elif item.required and not (item.role == "id" and can_make_id(kind)):
            value = _example_scalar(kind, scalar_field(item))
        else:
            continue
        if value is not None:
            words.append(f"{spec.flags[0]} {shell_word(value)}")
    return [word + " \\" for word in words[:-1]] + words[-1:]


def _example_scalar(kind: Kind, item: Field) -> str:
    examples = item.schema.get("examples")
    if isinstance(examples, list) and examples:
        return str(examples[0])
    if item.enum:
        return str(item.enum[0])
    if item.is_date:
        return EXAMPLE_DATE
    if item.role == "title":
        return f"Example {kind.name}"
    return {"integer": "1", "number": "1", "boolean": "true"}.get(item.type, "...")


def option_value(spec: OptionSpec, raw: Any) -> Any:
    """The field value of one option as given (a string, or a tuple of strings when repeatable)."""
    item = spec.field
    flag = spec.flags[0]
    how = shape(item)
    if how == "scalar":
        return parse_scalar(item, raw, flag)
    if how == "object":
        value = parse_json(raw, flag)
        if not isinstance(value, dict):
            raise UsageError(f"{flag}: expected a JSON object {{...}}, got {type(value).__name__}")
        return normalise(item, value)
    if how == "list":
        return [parse_scalar(item.items or item, text, flag) for text in raw]
    out: list[Any] = []
    for text in raw:
        value = parse_json(text, flag)
        elements = value if isinstance(value, list) else [value]
        for element in elements:
            if not isinstance(element, dict):
                raise UsageError(f"{flag}: expected a JSON object {{...}} per option, got {type(element).__name__}")
            out.append(normalise(item.items or item, element))
    return out


def given_options(specs: list[OptionSpec], params: dict[str, Any]) -> dict[str, str]:
    """The fields whose options were given, each with the option's flag (`{"title": "--title"}`)."""
    return {
        spec.name: spec.flags[0]
        for spec in specs
        if params.get(spec.param) is not None and not (spec.multiple and not params.get(spec.param))
    }


def values_from_options(specs: list[OptionSpec], params: dict[str, Any]) -> dict[str, Any]:
    """Field values for the options that were given (an option not given is left out)."""
    values: dict[str, Any] = {}
    for spec in specs:
        raw = params.get(spec.param)
        if raw is None or (spec.multiple and not raw):
            continue
        values[spec.name] = option_value(spec, raw)
        if spec.field.role == "id" and isinstance(values[spec.name], str):
            check_id_text(values[spec.name])  # `--id ../x` is a usage error before anything else
    return values
