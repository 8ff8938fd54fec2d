"""Strict YAML in: record files to data, or one clear error with file, line and column.

Reading is done by libyaml (PyYAML's CParser) with a resolver of our own, so that
YAML 1.1 traps do not bite: dates, `yes`/`no`/`off` and `06:07` stay strings, and only
`true`/`false` are booleans. Duplicate keys, anchors, aliases, merge keys and explicit
tags other than the core ones are errors. Every error names the file, line and column.
(Writing is in dprk_records.records.yamlwrite.)
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

from dprk_records.errors import YamlError

MAX_BYTES = 1024 * 1024
MAX_DEPTH = 64

STR_TAG = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"

_INT_RE = re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$")
_FLOAT_RE = re.compile(r"^[-+]?(?:(?:0|[1-9][0-9]*)(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$")


# PyYAML (and libyaml under it) is loaded when the first text is read or written, not
# when this module is imported: a command answered from the parse cache never needs it.
# load_yaml() binds these names, once.
yaml: Any = None
CParser: Any = None
MappingNode: Any = None
ScalarNode: Any = None
SequenceNode: Any = None
BaseResolver: Any = None
StrictResolver: Any = None
_Composer: Any = None
_IMPLICIT: dict[str, list[tuple[str, Any]]] = {}


def load_yaml() -> None:
    """Import PyYAML and define what reading with it needs (once per process)."""
    global yaml, CParser, MappingNode, ScalarNode, SequenceNode, BaseResolver, StrictResolver, _Composer
    if _Composer is not None:
        return
    import yaml as _yaml_module
    from yaml.cyaml import CParser as _CParser
    from yaml.nodes import MappingNode as _MappingNode
    from yaml.nodes import ScalarNode as _ScalarNode
    from yaml.nodes import SequenceNode as _SequenceNode
    from yaml.resolver import BaseResolver as _BaseResolver

    yaml, CParser, BaseResolver = _yaml_module, _CParser, _BaseResolver
    MappingNode, ScalarNode, SequenceNode = _MappingNode, _ScalarNode, _SequenceNode

    class StrictResolver(BaseResolver):
        """Only JSON-like scalars are typed; everything else is a string."""

    StrictResolver.add_implicit_resolver(_BOOL, re.compile(r"^(?:true|false)$"), list("tf"))
    StrictResolver.add_implicit_resolver(_INT, _INT_RE, list("-+0123456789"))
    StrictResolver.add_implicit_resolver(_FLOAT, _FLOAT_RE, list("-+0123456789."))
    StrictResolver.add_implicit_resolver(_NULL, re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""])

    implicit = {first: list(pairs) for first, pairs in StrictResolver.yaml_implicit_resolvers.items()}
    assert None not in implicit  # no resolver for every first character: resolve() below relies on it

    class _Composer(CParser, StrictResolver):
        """libyaml's parser and composer, with our resolver.

        `resolve` gives the tags BaseResolver.resolve would give with our implicit resolvers
        and no path resolvers, without its general machinery: libyaml's composer calls it for
        every node (and the descend/ascend hooks, which path resolvers alone need), so it is
        most of what reading a record costs beyond libyaml itself."""

        def __init__(self, stream: str):
            CParser.__init__(self, stream)
            StrictResolver.__init__(self)

        def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
            if kind is ScalarNode:
                if implicit[0]:
                    for tag, regexp in _IMPLICIT.get(value[:1], ()):
                        if regexp.match(value):
                            return tag
                return STR_TAG
            return _SEQ if kind is SequenceNode else _MAP

        def descend_resolver(self, current_node: Any, current_index: Any) -> None:
            return None

        def ascend_resolver(self) -> None:
            return None

    _IMPLICIT.update(implicit)


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
        raise YamlError(
            "file starts with a UTF-8 byte-order mark; save it as UTF-8 without BOM", path=path, line=1, column=1
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise YamlError("file is UTF-16; save it as UTF-8", path=path, line=1, column=1)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise YamlError(
            f"not valid UTF-8 (byte 0x{data[exc.start]:02x}); save the file as UTF-8",
            path=path,
            line=line,
            column=column,
        ) from None
    if "\x00" in text:
        offset = text.index("\x00")
        line = text.count("\n", 0, offset) + 1
        raise YamlError(
            "file contains NUL bytes: it is binary, not YAML",
            path=path,
            line=line,
            column=offset - text.rfind("\n", 0, offset),
        )
    return text


def _prescan(text: str, path: str | None) -> None:
    """Reject anchors, aliases and deep nesting before anything is built.

    Runs only when the text could hold them, so the common file pays nothing.
    """
    brackets = text.count("[") + text.count("{")
    if "&" not in text and "*" not in text and brackets <= MAX_DEPTH:
        return
    problem = _event_problem(yaml.parse(text, Loader=yaml.CSafeLoader), path)
    if problem is not None:
        raise problem


def _event_problem(events: Any, path: str | None) -> YamlError | None:
    """The first alias, anchor or nesting deeper than MAX_DEPTH among parser events, if any."""
    depth = 0
    for event in events:
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
    return None


def compose(text: str, path: str | None = None) -> Any:
    """The node tree of one YAML document (None for an empty one)."""
    composer = None
    load_yaml()
    try:
        _prescan(text, path)
        composer = _Composer(text)
        return composer.get_single_node()
    except yaml.MarkedYAMLError as exc:
        raise _portable(text, path, exc) from None
    except yaml.reader.ReaderError:
        raise _unreadable(text, path) from None
    except yaml.YAMLError as exc:
        raise YamlError(f"invalid YAML: {exc}", path=path) from None
    except RecursionError:
        raise YamlError(f"nesting is deeper than {MAX_DEPTH} levels", path=path) from None
    finally:
        if composer is not None:
            composer.dispose()


# What YAML allows in a stream (YAML 1.1 and 1.2, section 5.1); the rest is refused by the reader.
# Compiled when first needed (a file refused): the character class costs about 9 ms to compile,
# which every command would pay at start-up.
_NOT_YAML = "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"


def _unreadable(text: str, path: str | None) -> YamlError:
    """A character YAML does not allow (a control character, say), named with its line and
    column in our own words, rather than the reader's message of two lines."""
    found = re.search(_NOT_YAML, text)  # (re keeps the compiled pattern)
    if found is None:  # pragma: no cover - the reader refuses only these
        return YamlError("holds a character YAML does not allow", path=path)
    offset = found.start()
    line = text.count("\n", 0, offset) + 1
    column = offset - text.rfind("\n", 0, offset)
    return YamlError(
        f"the character U+{ord(found.group()):04X} is not allowed in YAML; remove it, or write it as "
        f"\\u{ord(found.group()):04x} in a double-quoted string",
        path=path,
        line=line,
        column=column,
    )


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
    try:
        problem = _event_problem(yaml.parse(text, Loader=yaml.SafeLoader), path)
        if problem is not None:
            return problem
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
        if tag == STR_TAG:
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
            if not isinstance(key_node, ScalarNode) or key_node.tag != STR_TAG:
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
        raise YamlError(
            "file is empty (or only comments); a record is a mapping of fields", path=path, line=1, column=1
        )
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


def read_bytes(file: str | Path, display: str) -> bytes:
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
        chunks = []
        left = MAX_BYTES + 1
        while left > 0:  # os.read, without a buffered file object: most records take one call
            chunk = os.read(fd, left)
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        data = b"".join(chunks)
    except OSError as exc:
        raise YamlError(f"cannot read file: {exc.strerror or exc}", path=display) from None
    finally:
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
