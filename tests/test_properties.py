"""Property-based tests: records generated from the schemas round-trip; random text never crashes."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import PROJECT, examples
from dprk_records.checks.record import check_record_text
from dprk_records.errors import DprkError
from dprk_records.records import yamlread, yamlwrite
from dprk_records.records.kinds import Field
from dprk_records.records.schemas import Schemas

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
        return st.floats(min_value=schema.get("minimum", -1e12), max_value=1e12, allow_nan=False) | st.integers(
            0, 10**6
        )
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


@settings(
    max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]
)
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


YAMLISH = st.lists(
    st.sampled_from(
        [
            "a",
            ":",
            " ",
            "\n",
            "-",
            "[",
            "]",
            "{",
            "}",
            "&x",
            "*x",
            "!!str",
            "'",
            '"',
            "#",
            "<<",
            "\t",
            "1",
            "true",
            "~",
            ",",
        ]
    ),
    max_size=40,
).map("".join)


@settings(max_examples=examples(500), deadline=None)
@given(st.sampled_from(KINDS), YAMLISH)
def test_yaml_like_text_through_the_validator(kind, text):
    try:
        data, problems = check_record_text(kind, "random.yaml", text, "2023-01-01-x")
    except DprkError:
        return
    for problem in problems:
        assert problem.path == "random.yaml" and problem.message


CELL_TEXT = (
    st.text(st.sampled_from('ab "é'), max_size=8)  # one character JSON escapes among ones it must not
    | st.text(st.sampled_from("ab\\é\x7f"), max_size=8)
    | st.text(st.sampled_from("ab\n\t\x00\x1fé"), max_size=8)
    | st.text(max_size=20)
)
CELL_ITEMS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | CELL_TEXT


@given(
    st.lists(CELL_TEXT, max_size=4)  # the usual cell: a list of text
    | st.lists(st.none() | st.integers() | CELL_TEXT, max_size=4)
    | st.lists(
        CELL_ITEMS | st.lists(CELL_ITEMS, max_size=3) | st.dictionaries(st.text(max_size=5), CELL_ITEMS, max_size=2),
        max_size=6,
    )
)
def test_a_list_cell_is_exactly_the_json_of_its_list(items):
    from dprk_records.output.formats import plain

    assert plain(items) == json.dumps(items, ensure_ascii=False)
    assert json.loads(plain(items)) == items


# --- the paths `dprk diff` prints name the parts `dprk update` changes ---------------------------------

PATH_TEXT = st.text(
    st.sampled_from(["a", "]", "[", "=", '"', "'", "\\", "\n", "\t", "\x00", "\u2028", ".", " ", "n", "x", "u"]),
    max_size=6,
) | st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)
KEY_VALUE = (
    st.none() | PATH_TEXT | st.integers(-2, 2) | st.booleans() | st.floats(allow_nan=False, allow_infinity=False)
)
LAUNCH_KIND = SCHEMAS.get("launch")  # observations are keyed by actor, sources by quote; tags are plain values


def _objects(key: str) -> st.SearchStrategy:
    """Elements of a list keyed by `key`, with the key missing, null, shared or hostile."""
    element = st.fixed_dictionaries({}, optional={key: KEY_VALUE, "note": PATH_TEXT})
    return st.lists(element, max_size=5).map(lambda items: [dict(item, marker=i) for i, item in enumerate(items)])


PATH_RECORDS = st.fixed_dictionaries(
    {"observations": _objects("actor"), "sources": _objects("quote"), "tags": st.lists(KEY_VALUE, max_size=5)},
    optional={"extra": st.dictionaries(PATH_TEXT, st.integers(), max_size=3)},
)


def _set_at(path: str, record: dict, value) -> dict:
    """`record` with the part at `path` given `value`, as `update --set` finds it."""
    from dprk_records.editing.paths import Operation, parse_path

    return Operation("set", path, parse_path(path, "--set"), value).apply(record)


def _one_line(path: str) -> bool:
    return not any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F or c in "\u2028\u2029" for c in path)


@settings(max_examples=examples(400), deadline=None)
@given(PATH_RECORDS, st.data())
def test_the_path_printed_for_an_element_reads_back_as_that_element(record, data):
    from dprk_records.history.recorddiff import compare

    lists = [name for name in ("observations", "sources") if record[name]]
    if lists:  # one element of a list of objects changes: its path names it, and only it
        name = data.draw(st.sampled_from(lists))
        place = data.draw(st.integers(0, len(record[name]) - 1))
        new = json.loads(json.dumps(record))
        new[name][place]["marker"] = -1
        (change,) = compare(LAUNCH_KIND, record, new)
        assert change.op == "changed" and change.path.endswith(".marker") and _one_line(change.path)
        expected = json.loads(json.dumps(new))
        expected[name][place]["marker"] = 99
        assert _set_at(change.path, new, 99) == expected
    if record["tags"]:  # one plain value goes: when the diff names it by one path, removing that path removes it
        place = data.draw(st.integers(0, len(record["tags"]) - 1))
        new = json.loads(json.dumps(record))
        del new["tags"][place]
        changes = compare(LAUNCH_KIND, record, new)
        if len(changes) == 1 and changes[0].op == "removed":
            from dprk_records.editing.paths import Operation, parse_path

            assert _one_line(changes[0].path)
            assert Operation("remove", changes[0].path, parse_path(changes[0].path, "--remove")).apply(record) == new
    for key in record.get("extra") or {}:  # a field of any name
        new = json.loads(json.dumps(record))
        new["extra"][key] += 1
        (change,) = compare(LAUNCH_KIND, record, new)
        assert _one_line(change.path)
        assert _set_at(change.path, record, new["extra"][key]) == new


@settings(max_examples=examples(300), deadline=None)
@given(
    st.lists(st.sampled_from(["", ".", "[", "]", "=", "\\", '"', "a", "0", "x", "u", "-", "\n"]), max_size=14).map(
        "".join
    )
)
def test_any_path_text_is_read_or_refused_with_our_own_error(text):
    from dprk_records.records.paths import PathError, format_path, parse_path

    try:
        steps = parse_path(text)
    except PathError:
        return
    assert parse_path(format_path(steps)) == steps
