"""A fast yes/no schema check, compiled from the kind's JSON Schema.

jsonschema explains every error well, but checking a valid record with it costs
several times what parsing the record costs. Most records are valid, so we first ask
a checker compiled from the same schema into plain Python closures: valid or not.
Only when it says "not valid" does jsonschema run, to say why.

The compiler understands the keywords our schemas use. Given a schema with any other
keyword it returns None, and the caller uses jsonschema alone, so the answer is
always the one jsonschema would give. Tests compare the two on generated records.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from dprk_records.records.ecma import compile_pattern

Check = Callable[[Any], bool]

# Keywords that do not constrain the instance.
_ANNOTATIONS = {
    "$schema",
    "$id",
    "$defs",
    "$comment",
    "title",
    "description",
    "default",
    "examples",
    "deprecated",
    "readOnly",
    "writeOnly",
    "format",
}
_SUPPORTED = _ANNOTATIONS | {
    "$ref",
    "type",
    "enum",
    "const",
    "pattern",
    "minLength",
    "maxLength",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minItems",
    "maxItems",
    "uniqueItems",
    "required",
    "properties",
    "additionalProperties",
    "items",
}


class Unsupported(Exception):
    """The schema uses something this compiler does not handle."""


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


_TYPES: dict[str, Callable[[Any], bool]] = {
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: (isinstance(v, int) and not isinstance(v, bool)) or (isinstance(v, float) and v.is_integer()),
    "number": _is_number,
    "boolean": lambda v: isinstance(v, bool),
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "null": lambda v: v is None,
}


def _same(a: Any, b: Any) -> bool:
    """JSON equality: booleans are not numbers, 1 equals 1.0."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if _is_number(a) and _is_number(b):
        return a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b


def compile_schema(schema: Any, resolve: Callable[[dict[str, Any]], dict[str, Any]]) -> Check | None:
    """A yes/no checker for `schema`, or None when the schema is beyond this compiler.

    `resolve` follows a `$ref` node and returns the schema it points at (merged with
    the node's sibling keywords).
    """
    try:
        return _compile(schema, resolve, 0)
    except Unsupported:
        return None


def _compile(schema: Any, resolve: Callable[[dict[str, Any]], dict[str, Any]], depth: int) -> Check:
    if depth > 50:
        raise Unsupported("recursive schema")
    if schema is True:
        return lambda v: True
    if schema is False:
        return lambda v: False
    if not isinstance(schema, dict):
        raise Unsupported("schema is not an object")
    if "$ref" in schema:
        schema = resolve(schema)
    unknown = [k for k in schema if k not in _SUPPORTED and not k.startswith("x-")]
    if unknown:
        raise Unsupported(", ".join(unknown))
    fused = _fused(schema, resolve, depth)
    if fused is not None:
        return fused
    checks: list[Check] = []

    if "type" in schema:
        names = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        try:
            tests = [_TYPES[name] for name in names]
        except (KeyError, TypeError):
            raise Unsupported(f"type {schema['type']!r}") from None
        checks.append(tests[0] if len(tests) == 1 else (lambda v, tests=tests: any(t(v) for t in tests)))

    if "enum" in schema:
        values = schema["enum"]
        if not isinstance(values, list):
            raise Unsupported("enum")
        if all(isinstance(x, str) for x in values):
            allowed = frozenset(values)
            checks.append(lambda v: isinstance(v, str) and v in allowed)
        else:
            checks.append(lambda v: any(_same(v, x) for x in values))
    if "const" in schema:
        const = schema["const"]
        checks.append(lambda v: _same(v, const))

    # strings
    if "pattern" in schema:
        try:
            pattern = compile_pattern(schema["pattern"])
        except (re.error, TypeError):
            raise Unsupported("pattern") from None
        checks.append(lambda v: not isinstance(v, str) or pattern.search(v) is not None)
    if "minLength" in schema:
        low = schema["minLength"]
        checks.append(lambda v: not isinstance(v, str) or len(v) >= low)
    if "maxLength" in schema:
        high = schema["maxLength"]
        checks.append(lambda v: not isinstance(v, str) or len(v) <= high)

    # numbers
    for key, test in (
        ("minimum", lambda v, b: v >= b),
        ("maximum", lambda v, b: v <= b),
        ("exclusiveMinimum", lambda v, b: v > b),
        ("exclusiveMaximum", lambda v, b: v < b),
    ):
        if key in schema:
            bound = schema[key]
            if not _is_number(bound):
                raise Unsupported(key)
            checks.append(lambda v, bound=bound, test=test: not _is_number(v) or test(v, bound))

    # arrays
    if "minItems" in schema:
        low_items = schema["minItems"]
        checks.append(lambda v: not isinstance(v, list) or len(v) >= low_items)
    if "maxItems" in schema:
        high_items = schema["maxItems"]
        checks.append(lambda v: not isinstance(v, list) or len(v) <= high_items)
    if schema.get("uniqueItems") is True:
        checks.append(_unique)
    if "items" in schema:
        if not isinstance(schema["items"], (dict, bool)):
            raise Unsupported("items as a list")
        item_check = _compile(schema["items"], resolve, depth + 1)

        def check_items(v: Any) -> bool:
            if isinstance(v, list):
                for x in v:
                    if not item_check(x):
                        return False
            return True

        checks.append(check_items)

    # objects
    if "required" in schema:
        required = list(schema["required"])
        checks.append(lambda v: not isinstance(v, dict) or all(k in v for k in required))
    properties = schema.get("properties") or {}
    compiled = {name: _compile(sub, resolve, depth + 1) for name, sub in properties.items()}
    if compiled:

        def check_properties(v: Any) -> bool:
            if not isinstance(v, dict):
                return True
            for key, value in v.items():
                test = compiled.get(key)
                if test is not None and not test(value):
                    return False
            return True

        checks.append(check_properties)
    if "additionalProperties" in schema:
        extra = schema["additionalProperties"]
        known = frozenset(properties)
        if extra is False:
            checks.append(lambda v: not isinstance(v, dict) or known.issuperset(v))
        elif extra is not True:
            extra_check = _compile(extra, resolve, depth + 1)
            checks.append(
                lambda v: not isinstance(v, dict) or all(extra_check(x) for k, x in v.items() if k not in known)
            )

    if not checks:
        return lambda v: True
    if len(checks) == 1:
        return checks[0]
    every = tuple(checks)

    def check_all(v: Any) -> bool:  # a loop, not all() over a generator: this runs for every node of every record
        for check in every:
            if not check(v):
                return False
        return True

    return check_all


_OBJECT_KEYS = frozenset({"type", "required", "properties", "additionalProperties"})
_STRING_KEYS = frozenset({"type", "pattern", "minLength", "maxLength", "enum"})
_ARRAY_KEYS = frozenset({"type", "items", "minItems", "maxItems", "uniqueItems"})


def _fused(schema: dict[str, Any], resolve: Callable[[dict[str, Any]], dict[str, Any]], depth: int) -> Check | None:
    """One function for the common shapes of node: an object of known properties, a string
    with a pattern, an enum or lengths, an array of items; None for any other. The same
    answer as the checks _compile chains (each of them one call per node), in one call."""
    kind = schema.get("type")
    keys = {k for k in schema if k not in _ANNOTATIONS and k != "$ref" and not k.startswith("x-")}
    extra = schema.get("additionalProperties", True)
    if kind == "object" and keys <= _OBJECT_KEYS and (extra is True or extra is False):
        if not isinstance(schema.get("required", []), list):
            return None
        required = tuple(schema.get("required", ()))
        properties = schema.get("properties") or {}
        compiled = {name: _compile(sub, resolve, depth + 1) for name, sub in properties.items()}
        known = frozenset(properties) if extra is False else None

        def check_object(v: Any) -> bool:
            if not isinstance(v, dict):
                return False
            for key in required:
                if key not in v:
                    return False
            if known is not None and not known.issuperset(v):
                return False
            for key, value in v.items():
                test = compiled.get(key)
                if test is not None and not test(value):
                    return False
            return True

        return check_object
    if kind == "string" and keys <= _STRING_KEYS:
        values = schema.get("enum")
        if values is not None and not (isinstance(values, list) and all(isinstance(x, str) for x in values)):
            return None
        allowed = frozenset(values) if values is not None else None
        try:
            pattern = compile_pattern(schema["pattern"]) if "pattern" in schema else None
        except (re.error, TypeError):
            raise Unsupported("pattern") from None
        low, high = schema.get("minLength"), schema.get("maxLength")

        def check_string(v: Any) -> bool:
            if not isinstance(v, str):
                return False
            if allowed is not None and v not in allowed:
                return False
            if pattern is not None and pattern.search(v) is None:
                return False
            if low is not None and len(v) < low:
                return False
            return high is None or len(v) <= high

        return check_string
    if kind == "array" and keys <= _ARRAY_KEYS and isinstance(schema.get("items", True), (dict, bool)):
        item_check = _compile(schema["items"], resolve, depth + 1) if "items" in schema else None
        low_items, high_items = schema.get("minItems"), schema.get("maxItems")
        unique = schema.get("uniqueItems") is True

        def check_array(v: Any) -> bool:
            if not isinstance(v, list):
                return False
            if low_items is not None and len(v) < low_items:
                return False
            if high_items is not None and len(v) > high_items:
                return False
            if unique and not _unique(v):
                return False
            if item_check is not None:
                for x in v:
                    if not item_check(x):
                        return False
            return True

        return check_array
    return None


def _unique(value: Any) -> bool:
    if not isinstance(value, list):
        return True
    if all(isinstance(x, str) for x in value):
        return len(set(value)) == len(value)
    for i, a in enumerate(value):
        for b in value[i + 1 :]:
            if _same(a, b):
                return False
    return True
