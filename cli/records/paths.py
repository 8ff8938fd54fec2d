"""Paths to the parts of a record: the text `dprk diff` prints, and `dprk update --set`,
`--append` and `--remove` read back.

A path is a field, then any number of steps:

    name            a field (the first step; `-` may stand for `_`: requested-by)
    .name           a field of an object
    ["any key"]     a field whose name is not a plain name (also as the first step)
    [N]             the element at place N of a list, from 0
    [key=value]     the element of a list of objects whose `key` has that value
    [=value]        the element of a list of plain values that is that value

A value is text up to the first `]` that is not escaped; a quoted key is text up to the
first `"` that is not escaped. In both, a backslash escapes the next character (`\\]`,
`\\"`, `\\\\`), and `\\n`, `\\r`, `\\t`, `\\xHH`, `\\uHHHH` and `\\UHHHHHHHH` stand for the
character with that code, so a path is always one line and never holds a control
character. A value is the text of a string, or the JSON of a number, `true` or `false`.

`format_path` writes these paths and `parse_path` reads them, such that parsing what
`format_path` wrote gives back the same steps (`tests/test_properties.py` checks it for
any key and value); `select` finds the elements a selector names, by the same `label`
that wrote the value.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from dprk_records.errors import CONTROL

NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_BARE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")  # a key written as it is: no escape, no `-`
_INDEX = re.compile(r"\[([0-9]+)\]")
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t"}
_HEX = {"x": 2, "u": 4, "U": 8}


class PathError(ValueError):
    """A path that cannot be read; `at` is where reading stopped."""

    def __init__(self, message: str, at: int):
        super().__init__(message)
        self.at = at


@dataclass(frozen=True)
class Step:
    key: str | None = None  # a field of an object
    index: int | None = None  # `[N]`
    match: tuple[str, str] | None = None  # `[key=value]`; key "" is `[=value]`, an element that is the value

    def __str__(self) -> str:
        return format_path([self]) if self.key is None else self.key


def label(value: Any) -> str | None:
    """The text that names `value` in a selector: a string itself, a number or boolean as
    JSON. None for what no selector names (null, objects, lists)."""
    if isinstance(value, str):
        return value
    if isinstance(value, (bool, int, float)):
        return json.dumps(value)
    return None


def selects(step: Step, item: Any) -> bool:
    """Whether the element `item` of a list is one the selector `step` names."""
    assert step.match is not None
    key, value = step.match
    if key:
        if not isinstance(item, dict) or key not in item:
            return False
        item = item[key]
    return label(item) == value


def _escape(text: str, special: str) -> str:
    def one(match: re.Match[str]) -> str:
        char = match.group()
        if char in special or char == "\\":
            return "\\" + char
        return char.encode("unicode_escape").decode("ascii")

    return re.sub("[" + re.escape(special + "\\") + "]|" + CONTROL.pattern, one, text)


def format_step(step: Step, first: bool = False) -> str:
    if step.key is not None:
        if _BARE.match(step.key):
            return step.key if first else "." + step.key
        return '["' + _escape(step.key, '"') + '"]'
    if step.index is not None:
        return f"[{step.index}]"
    assert step.match is not None
    key, value = step.match
    return f"[{key}={_escape(value, ']')}]"


def format_path(steps: list[Step]) -> str:
    return "".join(format_step(step, first=i == 0) for i, step in enumerate(steps))


def join_key(path: str, key: str) -> str:
    """The path of field `key` of the object at `path` ("" for the record itself)."""
    return path + format_step(Step(key=key), first=not path)


def join_match(path: str, key: str, value: Any) -> str:
    """The path of the element whose `key` has `value` (`key` "": that is `value`) in the list at `path`."""
    text = label(value)
    assert text is not None and (not key or is_name(key)), (key, value)
    return path + format_step(Step(match=(key, text)))


def is_name(key: str) -> bool:
    """Whether `key` can name the field a selector matches on (`[key=value]`)."""
    return NAME.fullmatch(key) is not None


def _unescape(text: str, start: int, end_char: str) -> tuple[str, int]:
    """Text from `start` to the first unescaped `end_char`, unescaped, and the place after that character."""
    out: list[str] = []
    at = start
    while at < len(text):
        char = text[at]
        if char == end_char:
            return "".join(out), at + 1
        if char != "\\":
            out.append(char)
            at += 1
            continue
        if at + 1 >= len(text):
            break
        code = text[at + 1]
        if code in _HEX:
            digits = text[at + 2 : at + 2 + _HEX[code]]
            if len(digits) != _HEX[code] or not all(c in "0123456789abcdefABCDEF" for c in digits):
                raise PathError(f"\\{code} needs {_HEX[code]} hexadecimal digits", at)
            number = int(digits, 16)
            if number > 0x10FFFF:
                raise PathError(f"\\{code}{digits} is not a character", at)
            out.append(chr(number))
            at += 2 + _HEX[code]
        else:
            out.append(_ESCAPES.get(code, code))
            at += 2
    raise PathError(f"no closing {end_char}", start)


def read_path(text: str, stop_at_equals: bool = False) -> tuple[list[Step], int]:
    """The steps at the start of `text`, and where they end: at the end of the text, or,
    with `stop_at_equals`, at an `=` between steps (PATH=VALUE)."""
    steps: list[Step] = []
    at = 0
    while at < len(text):
        if steps and stop_at_equals and text[at] == "=":
            break
        if not steps:
            name = NAME.match(text, at)
            if name:
                steps.append(Step(key=name.group().replace("-", "_")))
                at = name.end()
                continue
            if not text.startswith('["', at):
                raise PathError("a path starts with a field name", at)
        if text.startswith(".", at) and steps:
            name = NAME.match(text, at + 1)
            if not name:
                raise PathError("a field name should follow '.'", at)
            steps.append(Step(key=name.group()))
            at = name.end()
        elif text.startswith('["', at):
            key, after = _unescape(text, at + 2, '"')
            if not text.startswith("]", after):
                raise PathError("expected ] after the quoted field name", after)
            steps.append(Step(key=key))
            at = after + 1
        elif (index := _INDEX.match(text, at)) is not None:
            steps.append(Step(index=int(index.group(1))))
            at = index.end()
        elif text.startswith("[", at):
            name = NAME.match(text, at + 1)
            key = name.group() if name else ""
            after_key = name.end() if name else at + 1
            if not text.startswith("=", after_key):
                raise PathError("a selector is [N], [key=value] or [=value]", at)
            value, at = _unescape(text, after_key + 1, "]")
            steps.append(Step(match=(key, value)))
        else:
            raise PathError('steps are .field, [N], [key=value], [=value] and ["field"]', at)
    if not steps:
        raise PathError("a path starts with a field name", 0)
    return steps, at


def parse_path(text: str) -> list[Step]:
    steps, _ = read_path(text)
    return steps
