"""Changing one part of a record, named by the paths `dprk diff` prints.

A path is a field, then any number of steps: `.name` (a key of an object),
`[key=value]` (the element of a list of objects whose natural key, or named key, has
that value) and `[N]` (the element at index N, from 0). For example:

    observations[actor=KCNA].apogee_km
    outcomes[type=resolution].vote.against_states
    sources[2]

`--set PATH=VALUE` gives the part at PATH a new value, read as the schema wants it there
(a number for a number, JSON for an object or a list); `--append PATH=VALUE` adds an
element to the list at PATH; `--remove PATH` takes away the element or field at PATH.
Operations apply to the record as it is on disk when `update` writes it, so a change
made meanwhile by another command stays.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from typing import Any

from cli.editing.values import parse_value
from cli.errors import UsageError
from cli.records.kinds import Field, Kind
from cli.records.suggest import did_you_mean, nearest

_STEP = re.compile(r"\.([A-Za-z_][A-Za-z0-9_-]*)|\[(\d+)\]|\[([A-Za-z_][A-Za-z0-9_-]*)=((?:[^\]\\]|\\.)*)\]")
_FIRST = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


@dataclass(frozen=True)
class Step:
    key: str | None = None  # `.key` (or the first field)
    index: int | None = None  # `[N]`
    match: tuple[str, str] | None = None  # `[key=value]`

    def __str__(self) -> str:
        if self.key is not None:
            return self.key
        if self.index is not None:
            return f"[{self.index}]"
        assert self.match is not None
        return f"[{self.match[0]}={self.match[1]}]"


def parse_path(text: str, option: str) -> list[Step]:
    first = _FIRST.match(text)
    if not first:
        raise UsageError(f"{option} {text!r}: a path starts with a field name", hint="for example observations[actor=KCNA].apogee_km")
    steps = [Step(key=first.group(0).replace("-", "_"))]
    at = first.end()
    while at < len(text):
        match = _STEP.match(text, at)
        if not match:
            raise UsageError(f"{option} {text!r}: cannot read the path from {text[at:]!r}",
                             hint="steps are .field, [N] and [key=value], as 'dprk diff' prints them")
        name, index, key, value = match.groups()
        if name is not None:
            steps.append(Step(key=name))
        elif index is not None:
            steps.append(Step(index=int(index)))
        else:
            steps.append(Step(match=(key, re.sub(r"\\(.)", r"\1", value))))
        at = match.end()
    return steps


def split_assignment(text: str, option: str) -> tuple[str, str]:
    """PATH=VALUE, split at the first `=` outside brackets."""
    depth = 0
    for i, char in enumerate(text):
        if char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
        elif char == "=" and depth == 0:
            return text[:i], text[i + 1:]
    raise UsageError(f"{option} {text!r}: expected PATH=VALUE", hint="for example --set 'observations[actor=KCNA].apogee_km=490'")


def field_at(kind: Kind, steps: list[Step]) -> Field | None:
    """The schema field a path names (selectors step into a list's elements)."""
    node: Field | None = kind.root
    for step in steps:
        if node is None:
            return None
        if step.key is not None:
            while node.items is not None and not node.keys:
                node = node.items
            node = node.keys.get(step.key)
        elif node.items is not None:
            node = node.items
        else:
            return None
    return node


def _element(items: list[Any], step: Step, where: str, field: Field | None) -> int:
    if step.index is not None:
        if not 0 <= step.index < len(items):
            raise UsageError(f"{where}: there is no element {step.index} (the list has {len(items)})")
        return step.index
    key, value = step.match  # type: ignore[misc]
    hits = [i for i, item in enumerate(items) if isinstance(item, dict) and str(item.get(key)) == value]
    if not hits:
        known = [str(item.get(key)) for item in items if isinstance(item, dict) and key in item]
        raise UsageError(f"{where}: no element has {key} {value!r}", hint=("the list has: " + ", ".join(known)) if known else None)
    if len(hits) > 1:
        raise UsageError(f"{where}: {len(hits)} elements have {key} {value!r}", hint="name one by its place, [N], from 0")
    return hits[0]


def _walk(data: Any, steps: list[Step], option: str, text: str, create: bool) -> tuple[Any, Step]:
    """The container holding the last step's part, and that step. With `create`,
    objects missing on the way are made (for --set)."""
    node = data
    done = ""
    for step in steps[:-1]:
        if step.key is not None:
            if not isinstance(node, dict):
                raise UsageError(f"{option} {text!r}: {done or 'the record'} is not an object with fields")
            if step.key not in node:
                if not create:
                    raise UsageError(f"{option} {text!r}: the record has no {(done + '.' if done else '') + step.key}")
                node[step.key] = {}
            node = node[step.key]
            done = f"{done}.{step.key}" if done else step.key
        else:
            if not isinstance(node, list):
                raise UsageError(f"{option} {text!r}: {done or 'the record'} is not a list")
            node = node[_element(node, step, f"{option} {text!r}", None)]
            done += str(step)
    return node, steps[-1]


def _value(kind: Kind, steps: list[Step], text: str, option: str, element: bool = False) -> Any:
    field = field_at(kind, steps)
    if field is None:
        raise no_field(kind, steps, option)
    if element:
        field = field.items if field.items is not None else field
    return parse_value(field, text, option)


def no_field(kind: Kind, steps: list[Step], option: str) -> UsageError:
    """A path naming no field of the kind: which step, and the field most likely meant."""
    shown = "".join(str(s) if s.key is None else "." + s.key for s in steps).lstrip(".")
    for place in range(1, len(steps) + 1):
        if field_at(kind, steps[:place]) is None:
            break
    parent = field_at(kind, steps[:place - 1])
    while parent is not None and parent.items is not None and not parent.keys:
        parent = parent.items
    names = list(parent.keys) if parent is not None else []
    wrong = steps[place - 1].key
    close = did_you_mean(nearest(wrong, names)) if wrong is not None else ""
    where = "".join(str(s) if s.key is None else "." + s.key for s in steps[:place - 1]).lstrip(".")
    listed = f"fields{' of ' + where if where else ''}: {', '.join(names)}" if names else f"fields are listed by 'dprk schema {kind.name}'"
    return UsageError(f"{option}: {kind.name} has no field at {shown}", hint=close or listed)


@dataclass
class Operation:
    """One --set, --append or --remove, applied to a copy of the record."""

    verb: str  # set, append, remove
    text: str  # as given
    steps: list[Step]
    value: Any = None

    def apply(self, data: dict[str, Any]) -> dict[str, Any]:
        option = f"--{self.verb}"
        data = copy.deepcopy(data)
        container, last = _walk(data, self.steps, option, self.text, create=self.verb == "set")
        if self.verb == "remove":
            if last.key is not None:
                if not isinstance(container, dict) or last.key not in container:
                    raise UsageError(f"{option} {self.text!r}: the record has no such field")
                del container[last.key]
            else:
                if not isinstance(container, list):
                    raise UsageError(f"{option} {self.text!r}: not a list")
                del container[_element(container, last, f"{option} {self.text!r}", None)]
            return data
        if last.key is not None:
            if not isinstance(container, dict):
                raise UsageError(f"{option} {self.text!r}: not an object with fields")
            if self.verb == "append":
                target = container.setdefault(last.key, [])
                if not isinstance(target, list):
                    raise UsageError(f"{option} {self.text!r}: {last.key} is not a list")
                target.append(self.value)
            else:
                container[last.key] = self.value
        else:
            if not isinstance(container, list):
                raise UsageError(f"{option} {self.text!r}: not a list")
            index = _element(container, last, f"{option} {self.text!r}", None)
            if self.verb == "append":
                if not isinstance(container[index], list):
                    raise UsageError(f"{option} {self.text!r}: that element is not a list")
                container[index].append(self.value)
            else:
                container[index] = self.value
        return data


def operations(kind: Kind, sets: tuple[str, ...] = (), appends: tuple[str, ...] = (), removes: tuple[str, ...] = ()) -> list[Operation]:
    """The operations the options ask for, checked against the schema (usage errors)."""
    out: list[Operation] = []
    for verb, items in (("set", sets), ("append", appends)):
        for text in items:
            path, value = split_assignment(text, f"--{verb}")
            steps = parse_path(path, f"--{verb}")
            out.append(Operation(verb, path, steps, _value(kind, steps, value, f"--{verb}", element=verb == "append")))
    for text in removes:
        steps = parse_path(text, "--remove")
        if field_at(kind, steps) is None:
            raise no_field(kind, steps, "--remove")
        out.append(Operation("remove", text, steps))
    return out
