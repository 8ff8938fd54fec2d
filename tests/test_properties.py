"""Property-based tests: records generated from the schemas round-trip; random text never crashes."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cli.records import yamlread, yamlwrite
from cli.errors import DprkError
from cli.records.kinds import Field
from cli.records.schemas import Schemas
from cli.checks.record import check_record_text
from conftest import PROJECT, examples

SCHEMAS = Schemas(PROJECT / "schema")
KINDS = list(SCHEMAS.kinds.values())

any_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)


def strategy(field: Field) -> st.SearchStrategy:
    """Values a field may take, following its schema."""
    schema = field.schema
    if field.enum:
        return st.sampled_from(field.enum)
    kind = field.type
    if kind == "string":
        if "pattern" in schema:
            return st.from_regex(schema["pattern"], fullmatch=True)
        return any_text.filter(lambda s: len(s) >= schema.get("minLength", 0))
    if kind == "integer":
        return st.integers(min_value=schema.get("minimum", -(10**12)), max_value=10**12)
    if kind == "number":
        return st.floats(min_value=schema.get("minimum", -1e12), max_value=1e12, allow_nan=False) | st.integers(0, 10**6)
    if kind == "boolean":
        return st.booleans()
    if kind == "array" and field.items is not None:
        return st.lists(strategy(field.items), min_size=schema.get("minItems", 0), max_size=3)
    if kind == "object":
        required = {name: strategy(child) for name, child in field.keys.items() if child.required}
        optional = {name: strategy(child) for name, child in field.keys.items() if not child.required}
        return st.fixed_dictionaries(required, optional=optional)
    return st.none()


records = st.sampled_from(KINDS).flatmap(lambda kind: st.tuples(st.just(kind), strategy(kind.root)))


@settings(max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(records)
def test_generated_records_round_trip_through_canonical_form(case):
    kind, record = case
    text = yamlwrite.dumps(record, kind.root, kind.header)
    back = yamlread.loads(text, "gen.yaml")
    assert json.dumps(back, sort_keys=True) == json.dumps(record, sort_keys=True)
    assert yamlwrite.dumps(back, kind.root, kind.header) == text
    assert text.endswith("\n") and "\r" not in text.replace("\\r", "")


@settings(max_examples=examples(300), deadline=None)
@given(st.text(max_size=200) | st.binary(max_size=200).map(lambda b: b.decode("latin-1")))
def test_random_text_only_raises_our_own_errors(text):
    try:
        data = yamlread.loads(text, "random.yaml")
    except DprkError:
        return
    assert isinstance(data, dict)


YAMLISH = st.lists(st.sampled_from(["a", ":", " ", "\n", "-", "[", "]", "{", "}", "&x", "*x", "!!str", "'", '"', "#", "<<", "\t", "1", "true", "~", ","]), max_size=40).map("".join)


@settings(max_examples=examples(500), deadline=None)
@given(st.sampled_from(KINDS), YAMLISH)
def test_yaml_like_text_through_the_validator(kind, text):
    try:
        data, problems = check_record_text(kind, "random.yaml", text, "2023-01-01-x")
    except DprkError:
        return
    for problem in problems:
        assert problem.path == "random.yaml" and problem.message


CELL_TEXT = (st.text(st.sampled_from('ab "é'), max_size=8)  # one character JSON escapes among ones it must not
             | st.text(st.sampled_from('ab\\é\x7f'), max_size=8)
             | st.text(st.sampled_from('ab\n\t\x00\x1fé'), max_size=8)
             | st.text(max_size=20))
CELL_ITEMS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | CELL_TEXT


@given(st.lists(CELL_TEXT, max_size=4)  # the usual cell: a list of text
       | st.lists(st.none() | st.integers() | CELL_TEXT, max_size=4)
       | st.lists(CELL_ITEMS | st.lists(CELL_ITEMS, max_size=3) | st.dictionaries(st.text(max_size=5), CELL_ITEMS, max_size=2), max_size=6))
def test_a_list_cell_is_exactly_the_json_of_its_list(items):
    from cli.output.formats import plain

    assert plain(items) == json.dumps(items, ensure_ascii=False)
    assert json.loads(plain(items)) == items
