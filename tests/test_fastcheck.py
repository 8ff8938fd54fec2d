"""The compiled yes/no checker must agree with jsonschema on every record."""

from __future__ import annotations

import copy

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import PROJECT, SAMPLES, examples
from dprk_records.records.fastcheck import compile_schema
from dprk_records.records.schemas import Schemas

SCHEMAS = Schemas(PROJECT / "schema")
KINDS = list(SCHEMAS.kinds.values())

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-10, 10)
    | st.floats(-10, 10, allow_nan=False)
    | st.sampled_from(["", "x", "SRBM", "USA", "2023-11-21", "2023-13", "S/2023/656", "a b", "claim", "held"]),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.sampled_from(["actor", "stance", "name", "office", "x"]), children, max_size=3)
    ),
    max_leaves=6,
)


def paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for key, child in value.items():
            yield from paths(child, prefix + (key,))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from paths(child, prefix + (index,))


@st.composite
def mutated_records(draw):
    kind = draw(st.sampled_from(KINDS))
    record = copy.deepcopy(SAMPLES[kind.name])
    # start from a richer record: add some optional fields with plausible values
    for name, field in kind.fields.items():
        if name not in record and draw(st.booleans()):
            if field.enum:
                record[name] = draw(st.sampled_from(field.enum))
            elif field.type == "array" and field.items is not None and field.items.enum:
                record[name] = draw(st.lists(st.sampled_from(field.items.enum), max_size=3))
    for _ in range(draw(st.integers(0, 3))):
        targets = [p for p in paths(record) if p]
        target = draw(st.sampled_from(targets)) if targets else None
        action = draw(st.sampled_from(["set", "delete", "add"]))
        if target is None:
            break
        parent = record
        for part in target[:-1]:
            parent = parent[part]
        if action == "set":
            parent[target[-1]] = draw(json_values)
        elif action == "delete":
            del parent[target[-1]]
        elif isinstance(parent, dict):
            parent[draw(st.sampled_from(["extra", "count", "date", "status"]))] = draw(json_values)
    return kind, record


@settings(max_examples=examples(400), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_records())
def test_fast_check_agrees_with_jsonschema(case):
    kind, record = case
    assert kind.fast_check is not None
    assert kind.fast_check(record) == kind.validator.is_valid(record)


def test_samples_are_valid_both_ways():
    for kind in KINDS:
        assert kind.fast_check(SAMPLES[kind.name])
        assert kind.validator.is_valid(SAMPLES[kind.name])


@pytest.mark.parametrize(
    "schema",
    [
        {"oneOf": [{"type": "string"}]},
        {"type": "strnig"},
        {"minimum": "5"},
        {"items": [{"type": "string"}]},
        {"patternProperties": {"^x": {}}},
    ],
)
def test_unknown_keywords_fall_back_to_jsonschema(schema):
    assert compile_schema(schema, lambda node: node) is None


@pytest.mark.parametrize(
    "schema, good, bad",
    [
        ({"type": "integer"}, [1, 2.0], [True, 1.5, "1"]),
        ({"enum": [1, "a"]}, [1, 1.0, "a"], [True, "b"]),
        ({"uniqueItems": True}, [[1, True], ["a", "b"], [[1], [2]]], [[1, 1.0], ["a", "a"], [{"a": 1}, {"a": 1}]]),
        ({"const": False}, [False], [0, None]),
        ({"exclusiveMaximum": 3}, [2, "x"], [3, 4]),
        ({"additionalProperties": {"type": "string"}, "properties": {"a": {}}}, [{"a": 1, "b": "x"}], [{"b": 1}]),
    ],
)
def test_keyword_semantics(schema, good, bad):
    from jsonschema import Draft202012Validator

    check = compile_schema(schema, lambda node: node)
    validator = Draft202012Validator(schema)
    for value in good:
        assert check(value) and validator.is_valid(value), value
    for value in bad:
        assert not check(value) and not validator.is_valid(value), value


SHAPES = [  # the shapes checked in one call each (an object, a string, an array), and near misses
    {"type": "object", "required": ["a"], "properties": {"a": {"type": "string"}}, "additionalProperties": False},
    {"type": "object", "properties": {"a": {"type": "integer"}}},
    {"type": "object", "required": [], "additionalProperties": True},
    {"type": "object", "additionalProperties": 1},
    {"type": "object", "additionalProperties": 0},
    {"type": "object", "required": "a"},
    {"type": "string", "pattern": "^[a-z]+$", "minLength": 2, "maxLength": 3},
    {"type": "string", "enum": ["ab", "abcd"]},
    {"type": "string", "enum": ["ab", 1]},
    {"type": "string", "enum": []},
    {"type": "array", "items": {"type": "string"}, "minItems": 1, "maxItems": 2, "uniqueItems": True},
    {"type": "array", "uniqueItems": False},
    {"type": "array", "items": [{"type": "string"}]},
    {"type": ["string", "null"], "minLength": 1},
]
VALUES = [
    None,
    True,
    0,
    1.0,
    "",
    "a",
    "ab",
    "abcd",
    "AB",
    [],
    ["a"],
    ["a", "a"],
    ["a", "b", "c"],
    [1],
    {},
    {"a": "x"},
    {"a": 1},
    {"a": "x", "b": 1},
    {"b": 1},
]


@pytest.mark.parametrize("schema", SHAPES)
def test_each_shape_checked_in_one_call_agrees_with_jsonschema(schema):
    from jsonschema import Draft202012Validator

    check = compile_schema(schema, lambda node: node)
    if check is None:  # beyond the compiler: jsonschema alone decides
        return
    validator = Draft202012Validator(schema)
    assert [check(v) for v in VALUES] == [validator.is_valid(v) for v in VALUES]
