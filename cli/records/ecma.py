"""JSON Schema patterns, read as JSON Schema means them (ECMA-262), run by Python's `re`.

A `pattern` in JSON Schema is an ECMA-262 regular expression. Python's `re` reads most
of it the same way, with differences that would let through what the schema refuses:

- `$` in ECMA-262 (without the m flag) matches only at the very end of the string;
  in Python it also matches before a final newline, so `^[a-z]+$` would accept "x\\n".
  It becomes `\\Z`.
- `\\d` and `\\w` are ASCII in ECMA-262 (`[0-9]`, `[A-Za-z0-9_]`) but take in every
  Unicode digit and letter in Python. They become those ASCII classes.

Everything else is passed through. `translate` is used by both the fast checker and
the jsonschema validator, so the two agree.
"""

from __future__ import annotations

import re
from functools import lru_cache

_CLASS_ESCAPES = {"d": "0-9", "w": "A-Za-z0-9_"}
_OUTSIDE = {"d": "[0-9]", "D": "[^0-9]", "w": "[A-Za-z0-9_]", "W": "[^A-Za-z0-9_]"}


def translate(pattern: str) -> str:
    """The Python regular expression that matches what the ECMA-262 `pattern` matches."""
    out: list[str] = []
    in_class = False
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern):
            nxt = pattern[i + 1]
            if in_class and nxt in _CLASS_ESCAPES:
                out.append(_CLASS_ESCAPES[nxt])
            elif not in_class and nxt in _OUTSIDE:
                out.append(_OUTSIDE[nxt])
            else:
                out.append(char + nxt)
            i += 2
            continue
        if in_class:
            if char == "]":
                in_class = False
            out.append(char)
        elif char == "[":
            in_class = True
            out.append(char)
            # a `]` (or `^]`) right after the opening bracket is a literal in Python
            if pattern[i + 1 : i + 2] == "^":
                out.append("^")
                i += 1
            if pattern[i + 1 : i + 2] == "]":
                out.append("\\]")
                i += 1
        elif char == "$":
            out.append(r"\Z")
        else:
            out.append(char)
        i += 1
    return "".join(out)


@lru_cache(maxsize=256)
def compile_pattern(pattern: str) -> re.Pattern[str]:
    """`pattern` translated and compiled (re.error if it is not a valid expression)."""
    return re.compile(translate(pattern))


def search(pattern: str, text: str) -> bool:
    """Whether `text` matches the ECMA-262 `pattern` somewhere (as JSON Schema's `pattern` asks)."""
    return compile_pattern(pattern).search(text) is not None
