"""Strict YAML in, canonical YAML out.

Reading is done by libyaml (PyYAML's CParser) with a resolver of our own, so that
YAML 1.1 traps do not bite: dates, `yes`/`no`/`off` and `06:07` stay strings, and only
`true`/`false` are booleans. Duplicate keys, anchors, aliases, merge keys and explicit
tags other than the core ones are errors. Every error names the file, line and column.

Writing is done by a small emitter of our own: keys in the order the schema gives,
block style, 2-space indent, strings quoted only when a YAML 1.1 or 1.2 reader would
otherwise read them as something else, UTF-8, LF line ends and a final newline.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

import yaml
from yaml.cyaml import CParser
from yaml.nodes import MappingNode, ScalarNode, SequenceNode
from yaml.resolver import BaseResolver

from cli.errors import YamlError

MAX_BYTES = 1024 * 1024
MAX_DEPTH = 64

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"

_INT_RE = re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$")
_FLOAT_RE = re.compile(r"^[-+]?(?:(?:0|[1-9][0-9]*)(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$")


class _StrictResolver(BaseResolver):
    """Only JSON-like scalars are typed; everything else is a string."""


_StrictResolver.add_implicit_resolver(_BOOL, re.compile(r"^(?:true|false)$"), list("tf"))
_StrictResolver.add_implicit_resolver(_INT, _INT_RE, list("-+0123456789"))
_StrictResolver.add_implicit_resolver(_FLOAT, _FLOAT_RE, list("-+0123456789."))
_StrictResolver.add_implicit_resolver(_NULL, re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""])


class _Composer(CParser, _StrictResolver):
    """libyaml's parser and composer, with our resolver."""

    def __init__(self, stream: str):
        CParser.__init__(self, stream)
        _StrictResolver.__init__(self)


# --- reading -------------------------------------------------------------------


def _fail(message: str, path: str | None, mark: Any = None) -> YamlError:
    if mark is None:
        return YamlError(message, path=path)
    return YamlError(message, path=path, line=mark.line + 1, column=mark.column + 1)


def decode(data: bytes, path: str | None = None) -> str:
    """Bytes of a record file to text, refusing what is not plain UTF-8 YAML."""
    if len(data) > MAX_BYTES:
        raise YamlError(f"file is {len(data):,} bytes, over the 1 MiB limit for a record", path=path)
    if data.startswith(b"\xef\xbb\xbf"):
        raise YamlError("file starts with a UTF-8 byte-order mark; save it as UTF-8 without BOM", path=path, line=1, column=1)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise YamlError("file is UTF-16; save it as UTF-8", path=path, line=1, column=1)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise YamlError(f"not valid UTF-8 (byte 0x{data[exc.start]:02x}); save the file as UTF-8", path=path, line=line, column=column) from None
    if "\x00" in text:
        offset = text.index("\x00")
        line = text.count("\n", 0, offset) + 1
        raise YamlError("file contains NUL bytes: it is binary, not YAML", path=path, line=line, column=offset - text.rfind("\n", 0, offset))
    return text


def _prescan(text: str, path: str | None) -> None:
    """Reject anchors, aliases and deep nesting before anything is built.

    Runs only when the text could hold them, so the common file pays nothing.
    """
    brackets = text.count("[") + text.count("{")
    if "&" not in text and "*" not in text and brackets <= MAX_DEPTH:
        return
    depth = 0
    for event in yaml.parse(text, Loader=yaml.CSafeLoader):
        if isinstance(event, yaml.AliasEvent):
            raise _fail("aliases (*name) are not allowed in records; write the value out", path, event.start_mark)
        if getattr(event, "anchor", None) is not None:
            raise _fail("anchors (&name) are not allowed in records; write the value out", path, event.start_mark)
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                raise _fail(f"nesting is deeper than {MAX_DEPTH} levels", path, event.start_mark)
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1


def compose(text: str, path: str | None = None) -> Any:
    """The node tree of one YAML document (None for an empty one)."""
    composer = None
    try:
        _prescan(text, path)
        composer = _Composer(text)
        return composer.get_single_node()
    except yaml.MarkedYAMLError as exc:
        raise _portable(text, path, exc) from None
    except yaml.YAMLError as exc:
        raise YamlError(f"invalid YAML: {exc}", path=path) from None
    except RecursionError:
        raise YamlError(f"nesting is deeper than {MAX_DEPTH} levels", path=path) from None
    finally:
        if composer is not None:
            composer.dispose()


def _marked(exc: Any, path: str | None) -> YamlError:
    mark = exc.problem_mark or exc.context_mark
    message = exc.problem or "invalid YAML"
    if exc.context and "expected a single document" in exc.context:
        message = "several YAML documents in one file; a record file holds exactly one"
    return _fail(message, path, mark)


def _portable(text: str, path: str | None, fast_error: Any) -> YamlError:
    """The verdict on text that libyaml refused, made the same whatever libyaml build is installed.

    libyaml's own limits and wording differ between builds (newer ones stop at a
    nesting depth of their own, with a message of their own). So the text is read
    again by PyYAML's pure-Python parser, which stops at the first problem: our own
    rules (nesting depth, anchors, aliases) are applied to its events, and its error,
    if it finds one, is the one reported. Only when it finds nothing does libyaml's
    error stand. This runs on the error path alone, and costs what the text up to
    the problem costs.
    """
    depth = 0
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.AliasEvent):
                return _fail("aliases (*name) are not allowed in records; write the value out", path, event.start_mark)
            if getattr(event, "anchor", None) is not None:
                return _fail("anchors (&name) are not allowed in records; write the value out", path, event.start_mark)
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > MAX_DEPTH:
                    return _fail(f"nesting is deeper than {MAX_DEPTH} levels", path, event.start_mark)
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
    except yaml.MarkedYAMLError as exc:
        return _marked(exc, path)
    except (yaml.YAMLError, RecursionError):
        pass
    return _marked(fast_error, path)


def _construct(node: Any, path: str | None, depth: int = 0) -> Any:
    if depth > MAX_DEPTH:
        raise _fail(f"nesting is deeper than {MAX_DEPTH} levels", path, node.start_mark)
    tag = node.tag
    if isinstance(node, ScalarNode):
        value = node.value
        if tag == _STR:
            return value
        try:
            if tag == _INT:
                return int(value)
            if tag == _FLOAT:
                number = float(value)
                if not math.isfinite(number):
                    raise _fail(f"{value} is too large to be a number here (not finite)", path, node.start_mark)
                return number
        except ValueError:
            raise _fail(f"{value!r} is not a valid {tag.rsplit(':', 1)[-1]}", path, node.start_mark) from None
        if tag == _BOOL and value in ("true", "false"):
            return value == "true"
        if tag == _NULL and value in ("", "~", "null", "Null", "NULL"):
            return None
        raise _fail(f"the tag {tag} is not allowed in records", path, node.start_mark)
    if isinstance(node, MappingNode):
        if tag != _MAP:
            raise _fail(f"the tag {tag} is not allowed in records", path, node.start_mark)
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode) or key_node.tag != _STR:
                raise _fail("keys must be plain strings", path, key_node.start_mark)
            key = key_node.value
            if key == "<<" and not key_node.style:
                raise _fail("merge keys (<<) are not allowed in records; write the keys out", path, key_node.start_mark)
            if key in result:
                raise _fail(f"duplicate key {key!r}", path, key_node.start_mark)
            result[key] = _construct(value_node, path, depth + 1)
        return result
    if isinstance(node, SequenceNode):
        if tag != _SEQ:
            raise _fail(f"the tag {tag} is not allowed in records", path, node.start_mark)
        return [_construct(item, path, depth + 1) for item in node.value]
    raise _fail("unexpected YAML node", path, getattr(node, "start_mark", None))  # pragma: no cover


def loads(text: str, path: str | None = None) -> dict[str, Any]:
    """Parse one record from text. Raises YamlError (with position) on anything not strict."""
    node = compose(text, path)
    if node is None:
        raise YamlError("file is empty (or only comments); a record is a mapping of fields", path=path, line=1, column=1)
    if not isinstance(node, MappingNode):
        raise _fail("the top level must be a mapping of fields (key: value)", path, node.start_mark)
    try:
        return _construct(node, path)
    except RecursionError:
        raise YamlError(f"nesting is deeper than {MAX_DEPTH} levels", path=path) from None


def load_bytes(data: bytes, path: str | None = None) -> dict[str, Any]:
    return loads(decode(data, path), path)


def load_file(file: Path, display: str | None = None) -> dict[str, Any]:
    """Read and parse one record file."""
    display = display or str(file)
    return load_bytes(read_bytes(file, display), display)


def read_bytes(file: "str | Path", display: str) -> bytes:
    """At most MAX_BYTES of a regular file. A pipe, socket or device is refused without
    waiting on it (it is opened non-blocking and checked before anything is read)."""
    import os
    import stat

    try:
        fd = os.open(file, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except IsADirectoryError:
        raise YamlError("is a directory, not a record file", path=display) from None
    except OSError as exc:
        raise YamlError(f"cannot read file: {exc.strerror or exc}", path=display) from None
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise YamlError("is a directory, not a record file", path=display)
        if not stat.S_ISREG(mode):
            raise YamlError("is not a regular file (a pipe, socket or device); records are files", path=display)
        with os.fdopen(fd, "rb") as handle:
            fd = -1
            data = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise YamlError(f"cannot read file: {exc.strerror or exc}", path=display) from None
    finally:
        if fd >= 0:
            os.close(fd)
    if len(data) > MAX_BYTES:
        raise YamlError("file is over the 1 MiB limit for a record", path=display)
    return data


def locate(text: str, pointer: tuple[Any, ...], key: str | None = None) -> tuple[int, int] | None:
    """The 1-based (line, column) of the node at `pointer` in `text`.

    With `key`, the position of that key inside the mapping at `pointer` (for a
    property that should not be there). Falls back to the deepest node found.
    """
    try:
        node = compose(text)
    except YamlError:
        return None
    if node is None:
        return None
    for part in pointer:
        child = None
        if isinstance(node, MappingNode):
            for key_node, value_node in node.value:
                if key_node.value == part:
                    child = value_node
                    break
        elif isinstance(node, SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
            child = node.value[part]
        if child is None:
            break
        node = child
    else:
        if key is not None and isinstance(node, MappingNode):
            for key_node, _ in node.value:
                if key_node.value == key:
                    node = key_node
                    break
    return node.start_mark.line + 1, node.start_mark.column + 1


# --- writing -------------------------------------------------------------------

_YAML11 = yaml.resolver.Resolver()
_STRICT = _StrictResolver()
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
    return _STRICT.resolve(ScalarNode, text, implicit) == _STR and _YAML11.resolve(ScalarNode, text, implicit) == _STR


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
        raise ValueError(f"{value.encode('utf-8', 'backslashreplace').decode()!r} holds bytes that are not UTF-8 text; give it as UTF-8")
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
            block[0] = pad + "- " + block[0][indent + 2:]
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
