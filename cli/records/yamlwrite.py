"""Canonical YAML out: the text of a record file.

A small emitter of our own: keys in the order the schema gives, block style, 2-space
indent, strings quoted only when a YAML 1.1 or 1.2 reader would otherwise read them as
something else, UTF-8, LF line ends and a final newline. Reading the text back with
dprk_records.records.yamlread gives the same data.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from dprk_records.records import yamlread
from dprk_records.records.yamlread import STR_TAG

_RESOLVERS: list[Any] = []  # our strict resolver and PyYAML's YAML 1.1 one, made when first needed
_SURROGATE = re.compile("[\ud800-\udfff]")
_UNSAFE_FIRST = set("-?:,[]{}#&*!|>'\"%@` .")
_NOT_PRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")


# Plain scalars that some reader takes for something other than a string, beyond what
# PyYAML's YAML 1.1 resolver knows: the whole YAML 1.1 boolean set (y, n, Y, N too), and
# the YAML 1.2 core schema's null, booleans, octal and hexadecimal integers, and the
# special floats. Such a string is written quoted.
_OTHER_READERS = re.compile(
    r"""^(?:y|Y|n|N|yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF
    |~|null|Null|NULL
    |[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+
    |[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?
    |[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$""",
    re.X,
)


def _resolves_to_str(text: str) -> bool:
    implicit = (True, False)
    if _OTHER_READERS.match(text):
        return False
    if not _RESOLVERS:
        yamlread.load_yaml()
        _RESOLVERS.extend((yamlread.StrictResolver(), yamlread.yaml.resolver.Resolver()))
    node = yamlread.ScalarNode
    return all(resolver.resolve(node, text, implicit) == STR_TAG for resolver in _RESOLVERS)


def _plain_ok(text: str) -> bool:
    if not text or text != text.strip() or not text.isprintable():
        return False
    if text[0] in _UNSAFE_FIRST and not (text[0] == "." and text[1:2].isalnum()):
        return False
    if ": " in text or " #" in text or text.endswith(":"):
        return False
    return _resolves_to_str(text)


def _double_quoted(text: str) -> str:
    quoted = json.dumps(text, ensure_ascii=False)
    return _NOT_PRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", quoted)


def _literal_ok(text: str) -> bool:
    if "\n" not in text or "\r" in text or text[0] in " \n":
        return False
    body = text[:-1] if text.endswith("\n") else text
    if body.endswith("\n"):
        return False
    if _NOT_PRINTABLE.search(text) or "\t" in text:
        return False
    return all(line == line.rstrip() for line in body.split("\n"))


def scalar(value: Any, indent: int = 0) -> str:
    """One scalar as canonical YAML text (a literal block starts with `|` and holds its lines)."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{value} cannot be stored in a record")
        return repr(value)
    if not isinstance(value, str):
        raise TypeError(f"cannot write a value of type {type(value).__name__}")
    if _SURROGATE.search(value):
        raise ValueError(
            f"{value.encode('utf-8', 'backslashreplace').decode()!r} holds bytes that are not UTF-8 text; give it as UTF-8"
        )
    if _plain_ok(value):
        return value
    if _literal_ok(value):
        chomp = "" if value.endswith("\n") else "-"
        body = value[:-1] if value.endswith("\n") else value
        pad = " " * indent
        lines = "".join((pad + line if line else "") + "\n" for line in body.split("\n"))
        return f"|{chomp}\n{lines}".rstrip("\n")
    if "\n" in value or _NOT_PRINTABLE.search(value) or "\t" in value or "\r" in value:
        return _double_quoted(value)
    return "'" + value.replace("'", "''") + "'"


def _ordered_keys(mapping: dict[str, Any], shape: Any) -> list[str]:
    known = list(shape.keys) if shape is not None else []
    present = [k for k in known if k in mapping]
    extra = sorted(k for k in mapping if k not in shape.keys) if shape is not None else list(mapping)
    return present + extra


def _child(shape: Any, key: str) -> Any:
    return shape.keys.get(key) if shape is not None else None


def _emit_mapping(mapping: dict[str, Any], shape: Any, indent: int, out: list[str]) -> None:
    pad = " " * indent
    for key in _ordered_keys(mapping, shape):
        value = mapping[key]
        name = scalar(key)
        child = _child(shape, key)
        if isinstance(value, dict) and value:
            out.append(f"{pad}{name}:\n")
            _emit_mapping(value, child, indent + 2, out)
        elif isinstance(value, list) and value:
            out.append(f"{pad}{name}:\n")
            _emit_sequence(value, child.items if child is not None else None, indent + 2, out)
        else:
            out.append(f"{pad}{name}: {_inline(value, indent + 2)}\n")


def _emit_sequence(items: list[Any], shape: Any, indent: int, out: list[str]) -> None:
    pad = " " * indent
    for value in items:
        if isinstance(value, dict) and value:
            block: list[str] = []
            _emit_mapping(value, shape, indent + 2, block)
            block[0] = pad + "- " + block[0][indent + 2 :]
            out.extend(block)
        elif isinstance(value, list) and value:
            out.append(f"{pad}-\n")
            _emit_sequence(value, shape.items if shape is not None else None, indent + 2, out)
        else:
            out.append(f"{pad}- {_inline(value, indent + 2)}\n")


def _inline(value: Any, indent: int) -> str:
    if isinstance(value, dict):
        return "{}"
    if isinstance(value, list):
        return "[]"
    return scalar(value, indent)


def dumps(record: dict[str, Any], shape: Any = None, header: str | None = None) -> str:
    """Canonical YAML text of one record. `shape` gives key order (see kinds.Shape)."""
    out: list[str] = []
    if header:
        out.append(header.rstrip("\n") + "\n")
    _emit_mapping(record, shape, 0, out)
    return "".join(out)
