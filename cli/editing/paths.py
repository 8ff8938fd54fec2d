"""Changing one part of a record, named by the paths `dprk diff` prints.

A path is a field, then any number of steps: `.name` (a key of an object),
`[key=value]` (the element of a list of objects whose natural key, or named key, has
that value), `[=value]` (the element of a list of plain values that is that value) and
`[N]` (the element at index N, from 0). For example:

    observations[actor=KCNA].apogee_km
    outcomes[type=resolution].vote.against_states
    requested_by[=USA]
    sources[2]

The grammar, with its escapes, is dprk_records.records.paths: every path `dprk diff` prints
reads back here as the same part.

`--set PATH=VALUE` gives the part at PATH a new value, read as the schema wants it there
(a number for a number, JSON for an object or a list); `--append PATH=VALUE` adds an
element to the list at PATH; `--remove PATH` takes away the element or field at PATH.
Operations apply to the record as it is on disk when `update` writes it, so a change
made meanwhile by another command stays.
"""

from __future__ import annotations

import contextlib
import copy
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from dprk_records.editing.values import parse_value
from dprk_records.errors import UsageError
from dprk_records.records import paths
from dprk_records.records.allowed import spelled as spelled_value
from dprk_records.records.kinds import Field, Kind
from dprk_records.records.paths import Step
from dprk_records.records.suggest import did_you_mean, nearest


def parse_path(text: str, option: str) -> list[Step]:
    try:
        return paths.parse_path(text)
    except paths.PathError as exc:
        raise _unreadable(text, option, exc) from None


def split_assignment(text: str, option: str) -> tuple[list[Step], str, str]:
    """PATH=VALUE: the path's steps, its text, and the value (after the first `=` that
    follows a whole step)."""
    example = "for example {set='observations[actor=KCNA].apogee_km=490'}"
    try:
        steps, at = paths.read_path(text, stop_at_equals=True)
    except paths.PathError as exc:
        if "=" not in text[exc.at :]:
            raise UsageError(f"{option} {text!r}: expected PATH=VALUE", hint=example) from None
        raise _unreadable(text, option, exc) from None
    if at >= len(text):
        raise UsageError(f"{option} {text!r}: expected PATH=VALUE", hint=example)
    return steps, text[:at], text[at + 1 :]


def _unreadable(text: str, option: str, exc: paths.PathError) -> UsageError:
    if exc.at == 0 and not text.startswith('["'):
        return UsageError(
            f"{option} {text!r}: a path starts with a field name", hint="for example observations[actor=KCNA].apogee_km"
        )
    return UsageError(
        f"{option} {text!r}: cannot read the path from {text[exc.at :]!r}: {exc}",
        hint="steps are .field, [N], [key=value] and [=value], as 'dprk diff' prints them",
    )


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
    hits = [i for i, item in enumerate(items) if paths.selects(step, item)]
    if not hits:
        named = [paths.label(item.get(key) if key else item) for item in items if not key or isinstance(item, dict)]
        known = [text for text in named if text is not None]
        what = f"has {key}" if key else "is"
        raise UsageError(
            f"{where}: no element {what} {value!r}", hint=("the list has: " + ", ".join(known)) if known else None
        )
    if len(hits) > 1:
        raise UsageError(
            f"{where}: {len(hits)} elements {'have ' + key if key else 'are'} {value!r}",
            hint="name one by its place, [N], from 0",
        )
    return hits[0]


def _walk(data: Any, steps: list[Step], option: str, text: str, create: bool) -> tuple[Any, Step]:
    """The container holding the last step's part, and that step. With `create`,
    objects missing on the way are made (for --set)."""
    node = data
    for place, step in enumerate(steps[:-1]):
        done = paths.format_path(steps[:place]) or "the record"
        if step.key is not None:
            if not isinstance(node, dict):
                raise UsageError(f"{option} {text!r}: {done} is not an object with fields")
            if step.key not in node:
                if not create:
                    raise UsageError(f"{option} {text!r}: the record has no {paths.format_path(steps[: place + 1])}")
                node[step.key] = {}
            node = node[step.key]
        else:
            if not isinstance(node, list):
                raise UsageError(f"{option} {text!r}: {done} is not a list")
            node = node[_element(node, step, f"{option} {text!r}", None)]
    return node, steps[-1]


def _value(kind: Kind, steps: list[Step], text: str, option: str, element: bool = False) -> Any:
    field = field_at(kind, steps)
    if field is None:
        raise no_field(kind, steps, option)
    if element:
        field = field.items if field.items is not None else field
    return parse_value(field, text, option)


def spelled(kind: Kind, steps: list[Step]) -> list[Step]:
    """The steps with each selector's value that names an allowed value in another case
    spelled as the schema spells it (`requested_by[=usa]` is `requested_by[=USA]`), as
    every value typed is (dprk_records.records.allowed)."""
    out = []
    for place, step in enumerate(steps):
        node = field_at(kind, steps[:place])
        if step.match is not None and node is not None and node.items is not None:
            key, value = step.match
            target = node.items.keys.get(key) if key else node.items
            found = spelled_value(target, value) if target is not None else None
            if found is not None:
                step = Step(match=(key, str(found)))
        out.append(step)
    return out


def no_field(kind: Kind, steps: list[Step], option: str) -> UsageError:
    """A path naming no field of the kind: which step, and the field most likely meant."""
    shown = paths.format_path(steps)
    for place in range(1, len(steps) + 1):
        if field_at(kind, steps[:place]) is None:
            break
    parent = field_at(kind, steps[: place - 1])
    while parent is not None and parent.items is not None and not parent.keys:
        parent = parent.items
    names = list(parent.keys) if parent is not None else []
    wrong = steps[place - 1].key
    close = did_you_mean(nearest(wrong, names)) if wrong is not None else ""
    where = paths.format_path(steps[: place - 1])
    listed = (
        f"fields{' of ' + where if where else ''}: {', '.join(names)}"
        if names
        else f"fields are listed by 'dprk schema {kind.name}'"
    )
    return UsageError(f"{option}: {kind.name} has no field at {shown}", hint=close or listed)


@dataclass
class Operation:
    """One --set, --append or --remove, applied to a copy of the record."""

    verb: str  # set, append, remove
    text: str  # as given
    steps: list[Step]
    value: Any = None

    def apply(self, data: dict[str, Any]) -> dict[str, Any]:
        with _verbs():
            return self._apply(data)

    def _apply(self, data: dict[str, Any]) -> dict[str, Any]:
        option = "{" + self.verb + "}"
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


def operations(
    kind: Kind, given: Iterable[tuple[str, str]], fields: Mapping[str, str] | None = None
) -> list[Operation]:
    """The operations asked for, in the order given: (verb, text) pairs, verb one of set,
    append and remove. Checked against the schema (usage errors).

    Each applies to the record as the ones before it left it, so `--remove tags --append
    tags=x` leaves the list [x]. Two values for one part are refused: a path given a value
    by --set twice, and a path whose field is also given whole by an option: `fields` maps
    such a field to the option that gives it (`{"title": "--title"}`).
    """
    with _verbs():
        return _operations(kind, given, fields or {})


VERBS = ("set", "append", "remove")  # the parameters a message here names, as {set} (the command line: --set)


@contextlib.contextmanager
def _verbs() -> Iterator[None]:
    """A UsageError raised inside names the verbs in its own words: `set`, or the caller's (--set)."""
    try:
        yield
    except UsageError as exc:
        exc.params = tuple(dict.fromkeys((*exc.params, *VERBS)))
        raise


def _operations(kind: Kind, given: Iterable[tuple[str, str]], fields: Mapping[str, str]) -> list[Operation]:
    out: list[Operation] = []
    for verb, text in given:
        option = "{" + verb + "}"
        if verb == "remove":
            steps = spelled(kind, parse_path(text, option))
            if field_at(kind, steps) is None:
                raise no_field(kind, steps, option)
            out.append(Operation("remove", text, steps))
            continue
        steps, path, value = split_assignment(text, option)
        steps = spelled(kind, steps)
        out.append(Operation(verb, path, steps, _value(kind, steps, value, option, element=verb == "append")))
    _refuse_two_values(out, fields)
    return out


def _refuse_two_values(ops: list[Operation], fields: Mapping[str, str]) -> None:
    sets: dict[tuple[Step, ...], Operation] = {}
    for op in ops:
        top = op.steps[0].key
        if top in fields:
            raise UsageError(
                f"{fields[top]} and {{{op.verb}}} {op.text!r} both change {top}",
                hint="give the whole field with its option, or change its parts with {set}, {append} and {remove}",
            )
        if op.verb == "set":
            earlier = sets.setdefault(tuple(op.steps), op)
            if earlier is not op:
                raise UsageError(f"{{set}} gives {op.text} two values", hint="give one {set} for each part")
