"""Asking for the fields still missing, one prompt per field (or per key of a list
element), each answer checked against the schema before the next is asked. The command
line passes in the callbacks that talk to the terminal (`ask`, `confirm`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from dprk_records.editing.options import ENUM_CHOICES_MAX, scalar_field, shape, singular
from dprk_records.editing.record import missing, with_id
from dprk_records.editing.values import parse_json, parse_scalar
from dprk_records.errors import UsageError
from dprk_records.records.kinds import Field, Kind


@dataclass
class Question:
    """One prompt: a field (or a key of a list element) to ask for, and how to check the answer."""

    kind: Kind
    field: Field
    label: str  # e.g. "category", "sources[1].publisher"
    pointer: tuple[Any, ...]  # where the answer goes in the record
    required: bool
    context: dict[str, Any] = field(default_factory=dict)  # the record so far, for checking

    @property
    def help(self) -> str:
        return self.field.description

    @property
    def choices(self) -> list[str] | None:
        element = scalar_field(self.field)
        if element.enum and len(element.enum) <= ENUM_CHOICES_MAX:
            return [str(v) for v in element.enum]
        return None

    @property
    def is_list(self) -> bool:
        return self.field.type == "array"

    def parse(self, text: str) -> Any:
        """The answer as a field value, checked against the schema; UsageError says what is wrong."""
        text = text.strip()
        if not text:
            if self.required:
                raise UsageError("a value is required")
            return None
        choices = self.choices
        if self.is_list and shape(self.field) == "list":
            parts = [
                p.strip() for p in re.split(r"[,\s]+" if scalar_field(self.field).enum else r",", text) if p.strip()
            ]
            value: Any = [self._one(p, choices) for p in parts]
        elif shape(self.field) in ("object", "objects"):
            value = parse_json(text, self.label)
        else:
            value = self._one(text, choices)
        problems = answer_problems(self.kind, self.context, self.pointer, value)
        if problems:
            raise UsageError("; ".join(problems))
        return value

    def _one(self, text: str, choices: list[str] | None) -> Any:
        element = scalar_field(self.field)
        if choices and text.isdigit() and 1 <= int(text) <= len(choices):
            text = choices[int(text) - 1]
        return parse_scalar(element, text, self.label)  # allowed values match in any case


def _set(data: Any, pointer: tuple[Any, ...], value: Any) -> None:
    node = data
    for part in pointer[:-1]:
        node = node[part]
    node[pointer[-1]] = value


def answer_problems(kind: Kind, context: dict[str, Any], pointer: tuple[Any, ...], value: Any) -> list[str]:
    """What the schema (and the calendar) says against `value` at `pointer`, ignoring the rest of the record."""
    import copy

    from dprk_records.checks.problems import schema_problems

    probe = copy.deepcopy(context)
    _set(probe, pointer, value)
    messages = []
    for error in kind.validator.iter_errors(probe):
        path = tuple(error.absolute_path)
        if path[: len(pointer)] == pointer:
            messages.extend(
                problem.message for problem in schema_problems(kind, "", error, None) if problem.message not in messages
            )
    if messages:
        return messages
    from dprk_records.records.dates import calendar_problems

    messages.extend(message for where, message in calendar_problems(kind, probe) if where[: len(pointer)] == pointer)
    return messages


Ask = Callable[[Question], Any]
Confirm = Callable[[str], bool]


def prompt_missing(
    kind: Kind, data: dict[str, Any], ask: Ask, confirm: Confirm, *, optional: bool = True
) -> dict[str, Any]:
    """Ask for every missing required field, in schema order; then, if the person wants
    them, for the optional fields not given; and return the completed data.

    A list of objects (sources, say) is asked element by element, key by key, each
    labelled as its path is (`sources[0].publisher`): the element's required keys must
    be answered, the others may be left empty. An optional field is skipped with Enter.
    """
    data = dict(data)
    for item in missing(kind, data):
        _ask_field(kind, data, item, ask, confirm, required=True)
    skip = {kind.id_field, kind.role_field("date") or "", kind.role_field("title") or ""}
    left = [item for name, item in kind.fields.items() if name not in data and not item.required and name not in skip]
    if optional and left and confirm(f"Add optional fields ({', '.join(item.name for item in left)})?"):
        for item in left:
            _ask_field(kind, data, item, ask, confirm, required=False)
    return with_id(kind, data)


def _ask_field(kind: Kind, data: dict[str, Any], item: Field, ask: Ask, confirm: Confirm, *, required: bool) -> None:
    how = shape(item)
    if how == "objects":
        element_field = item.items if item.items is not None else item
        elements: list[dict[str, Any]] = []
        title = item.title.lower()
        noun = singular(title) or title
        if noun.replace(" ", "_") not in (item.name, singular(item.name)):
            noun += f" ({item.name})"  # the field's title, and the name its option and paths use
        if not required and not confirm(f"Add {'an' if noun[:1] in 'aeiou' else 'a'} {noun}?"):
            return
        while True:
            pointer: tuple[Any, ...] = (item.name, len(elements))
            element: dict[str, Any] = {}
            context = dict(data)
            context[item.name] = elements + [element]
            for key, child in element_field.keys.items():
                answer = ask(
                    Question(
                        kind, child, f"{item.name}[{len(elements)}].{key}", pointer + (key,), child.required, context
                    )
                )
                if answer is not None:
                    element[key] = answer
            elements.append(element)
            if not confirm(f"Add another {noun}?"):
                break
        data[item.name] = elements
    elif how == "object":
        element = {}
        context = dict(data)
        context[item.name] = element
        for key, child in item.keys.items():
            answer = ask(
                Question(kind, child, f"{item.name}.{key}", (item.name, key), child.required and required, context)
            )
            if answer is not None:
                element[key] = answer
        if element:
            data[item.name] = element
    else:
        answer = ask(Question(kind, item, item.name, (item.name,), required, dict(data)))
        if answer is not None:
            data[item.name] = answer


def introduction(kind: Kind) -> str:
    """What the person about to be asked for a record should know first."""
    return (
        f"Adding a {kind.name}: {kind.description}\n"
        "The required fields come first, then optional ones you may skip with Enter. Lists are numbered "
        "from 0, as 'dprk diff' and 'update --set' name them. You will see the record before it is written. "
        "Stop at any time with Ctrl-C: nothing is written."
    )
