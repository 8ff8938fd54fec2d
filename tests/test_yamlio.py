"""Strict YAML reading and canonical writing."""

from __future__ import annotations

import pytest

from dprk_records.errors import YamlError
from dprk_records.records import yamlread, yamlwrite


def load(text: str):
    return yamlread.loads(text, "f.yaml")


def error_of(text: str | bytes) -> YamlError:
    with pytest.raises(YamlError) as info:
        if isinstance(text, bytes):
            yamlread.load_bytes(text, "f.yaml")
        else:
            load(text)
    return info.value


@pytest.mark.parametrize(
    "text, value",
    [
        ("v: 2023-11-21\n", "2023-11-21"),
        ("v: 2023-11\n", "2023-11"),
        ("v: NO\n", "NO"),
        ("v: yes\n", "yes"),
        ("v: off\n", "off"),
        ("v: On\n", "On"),
        ("v: 06:07\n", "06:07"),
        ("v: 0123\n", "0123"),
        ("v: 0x1f\n", "0x1f"),
        ("v: .inf\n", ".inf"),
        ("v: true\n", True),
        ("v: false\n", False),
        ("v: 12\n", 12),
        ("v: -3\n", -3),
        ("v: 1.5\n", 1.5),
        ("v: 1e3\n", 1000.0),
        ("v:\n", None),
        ("v: null\n", None),
        ("v: '2025'\n", "2025"),
    ],
)
def test_scalars_resolve_without_yaml_1_1_traps(text, value):
    result = load(text)["v"]
    assert result == value
    assert type(result) is type(value)


@pytest.mark.parametrize(
    "text, line, column, words",
    [
        ("a: 1\nb: 2\na: 3\n", 3, 1, "duplicate key 'a'"),
        ("a: &x 1\nb: *x\n", 1, 4, "anchors"),
        ("a: *x\n", 1, 4, "aliases"),
        ("base: {a: 1}\n<<: {b: 2}\n", 2, 1, "merge keys"),
        ("a: !!python/object:os.system x\n", 1, 4, "not allowed"),
        ("a: !!binary aGVsbG8=\n", 1, 4, "not allowed"),
        ("a: !custom x\n", 1, 4, "not allowed"),
        ("- 1\n- 2\n", 1, 1, "top level must be a mapping"),
        ("just text\n", 1, 1, "top level must be a mapping"),
        ("a: 1\n---\nb: 2\n", 2, 1, "several YAML documents"),
        ("a:\n\t- b\n", 2, 1, ""),  # the wording is PyYAML's: only the place is ours
        ("a: [1, 2\n", 2, 1, ""),
        ("1: a\n", 1, 1, "keys must be plain strings"),
        ("? [a]\n: b\n", 1, 3, "keys must be plain strings"),
    ],
)
def test_refusals_carry_line_and_column(text, line, column, words):
    error = error_of(text)
    assert (error.line, error.column) == (line, column)
    assert words in error.message
    assert str(error).startswith(f"f.yaml:{line}:{column}: ")


@pytest.mark.parametrize(
    "data, words",
    [
        (b"", "empty"),
        (b"# only a comment\n", "empty"),
        (b"\xef\xbb\xbfa: 1\n", "byte-order mark"),
        ("a: 1\n".encode("utf-16"), "UTF-16"),
        (b"a: caf\xe9\n", "not valid UTF-8"),
        (b"a: 1\n\x00\x01\x02", "binary"),
        (b"a: " + b"x" * (yamlread.MAX_BYTES + 1), "1 MiB"),
    ],
)
def test_bytes_that_are_not_a_record(data, words):
    assert words in error_of(data).message


def test_invalid_utf8_names_its_line():
    error = error_of(b"a: 1\nb: caf\xe9\n")
    assert (error.line, error.column) == (2, 7)


def test_alias_bomb_fails_fast():
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        prev = chr(ord("a") + i - 1)
        name = chr(ord("a") + i)
        lines.append(f"{name}: &{name} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]")
    error = error_of("\n".join(lines) + "\n")
    assert "anchors" in error.message


def test_deep_nesting_is_refused():
    error = error_of("a: " + "[" * 10000 + "]" * 10000 + "\n")
    assert "nesting" in error.message
    error = error_of("".join("  " * i + f"k{i}:\n" for i in range(200)) + "  " * 200 + "x: 1\n")
    assert "nesting" in error.message


def test_crlf_is_read():
    assert load("a: 1\r\nb: two\r\n") == {"a": 1, "b": "two"}


def test_locate_finds_nested_nodes():
    text = "a: 1\nlist:\n  - x: 1\n    y: 2\n"
    assert yamlread.locate(text, ("list", 0, "y")) == (4, 8)
    assert yamlread.locate(text, ("list", 0), key="y") == (4, 5)
    assert yamlread.locate(text, ("missing",)) == (1, 1)


class Shape:
    def __init__(self, keys=None, items=None):
        self.keys = keys or {}
        self.items = items


def test_dump_orders_keys_by_shape_and_extras_last():
    shape = Shape({"id": Shape(), "date": Shape(), "list": Shape(items=Shape({"b": Shape(), "a": Shape()}))})
    text = yamlwrite.dumps({"zz": 1, "list": [{"a": 1, "b": 2}], "date": "2023", "id": "x"}, shape, "# head")
    assert text == "# head\nid: x\ndate: '2023'\nlist:\n  - b: 2\n    a: 1\nzz: 1\n"


@pytest.mark.parametrize(
    "value, text",
    [
        ("plain words", "plain words"),
        ("2023-11-21", "'2023-11-21'"),
        ("2025", "'2025'"),
        ("2025-02", "2025-02"),
        ("yes", "'yes'"),
        ("null", "'null'"),
        ("it's: here", "'it''s: here'"),
        ("- dash", "'- dash'"),
        ("#hash", "'#hash'"),
        ("tab\there", '"tab\\there"'),
        ("two\nlines", "|-\n  two\n  lines"),
        ("", "''"),
        (" lead", "' lead'"),
        ("\u2028", '"\\u2028"'),
    ],
)
def test_scalar_quoting(value, text):
    assert yamlwrite.scalar(value, 2) == text
    assert load(f"v: {text}\n")["v"] == value


def test_canonical_round_trip_is_byte_identical():
    data = {
        "id": "2023-11-21-x",
        "n": 3,
        "f": 2.5,
        "ok": True,
        "l": ["a", "b"],
        "m": {"k": "v"},
        "e": [],
        "q": "line one\nline two\n",
    }
    text = yamlwrite.dumps(data)
    assert yamlread.loads(text) == data
    assert yamlwrite.dumps(yamlread.loads(text)) == text


@pytest.mark.parametrize("text", ["v: 1e999\n", "v: -1e400\n"])
def test_numbers_too_large_to_be_finite_are_refused(text):
    error = error_of(text)
    assert (error.line, error.column) == (1, 4)
    assert "not finite" in error.message
