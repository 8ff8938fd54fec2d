"""Asking for the fields still missing, one prompt per field (or per key of a list
element), each answer checked against the schema before the next is asked. The command
line passes in the callbacks that talk to the terminal (`ask`, `confirm`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable

from cli.editing.options import ENUM_CHOICES_MAX, scalar_field, shape, singular
from cli.editing.record import missing, with_id
from cli.editing.values import parse_json, parse_scalar
from cli.errors import UsageError
from cli.records.kinds import Field, Kind


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
            parts = [p.strip() for p in re.split(r"[,\s]+" if scalar_field(self.field).enum else r",", text) if p.strip()]
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
        if element.enum and text not in [str(v) for v in element.enum]:
            same = [str(v) for v in element.enum if str(v).casefold() == text.casefold()]
            if same:  # allowed values match without regard to case
                text = same[0]
        return parse_scalar(element, text, self.label)


def _set(data: Any, pointer: tuple[Any, ...], value: Any) -> None:
    node = data
    for part in pointer[:-1]:
        node = node[part]
    node[pointer[-1]] = value


def answer_problems(kind: Kind, context: dict[str, Any], pointer: tuple[Any, ...], value: Any) -> list[str]:
    """What the schema (and the calendar) says against `value` at `pointer`, ignoring the rest of the record."""
    import copy

    from cli.checks.problems import schema_problems

    probe = copy.deepcopy(context)
    _set(probe, pointer, value)
    messages = []
    for error in kind.validator.iter_errors(probe):
        path = tuple(error.absolute_path)
        if path[: len(pointer)] == pointer:
            messages.extend(problem.message for problem in schema_problems(kind, "", error, None)
                            if problem.message not in messages)
    if messages:
        return messages
    from cli.records.dates import calendar_problems

    messages.extend(message for where, message in calendar_problems(kind, probe) if where[: len(pointer)] == pointer)
    return messages


Ask = Callable[[Question], Any]
Confirm = Callable[[str], bool]


def prompt_missing(kind: Kind, data: dict[str, Any], ask: Ask, confirm: Confirm) -> dict[str, Any]:
    """Ask for every missing required field, in schema order, and return the completed data.

    A list of objects (sources, say) is asked element by element, key by key: the
    element's required keys must be answered, the others may be left empty.
    """
    data = dict(data)
    for item in missing(kind, data):
        how = shape(item)
        if how in ("objects", "object"):
            element_field = item.items if how == "objects" and item.items is not None else item
            elements: list[dict[str, Any]] = []
            while True:
                pointer: tuple[Any, ...] = (item.name, len(elements)) if how == "objects" else (item.name,)
                element: dict[str, Any] = {}
                context = dict(data)
                context[item.name] = elements + [element] if how == "objects" else element
                for key, child in element_field.keys.items():
                    label = f"{item.name}[{len(elements) + 1}].{key}" if how == "objects" else f"{item.name}.{key}"
                    answer = ask(Question(kind, child, label, pointer + (key,), child.required, context))
                    if answer is not None:
                        element[key] = answer
                if how == "object":
                    data[item.name] = element
                    break
                elements.append(element)
                if not confirm(f"Add another {singular(item.name) or item.name}?"):
                    break
            if how == "objects":
                data[item.name] = elements
        else:
            answer = ask(Question(kind, item, item.name, (item.name,), True, dict(data)))
            if answer is not None:
                data[item.name] = answer
    return with_id(kind, data)
