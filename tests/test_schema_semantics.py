"""What passes validation is what the schema means: ECMA-262 patterns, strict JSON input,
the header line, and a writer whose output every YAML reader reads back as strings."""

from __future__ import annotations

import json
import re

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import SOURCE, examples, sample, write_record
from dprk_records.records import yamlread, yamlwrite
from dprk_records.records.ecma import search, translate

SOURCE_JSON = json.dumps(SOURCE)
ADD = ["--date", "2023-11-21", "--title", "A launch", "--summary", "s.", "--category", "SRBM", "--source", SOURCE_JSON]


# --- patterns ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "pattern, text, expected",
    [
        ("^[a-z]+$", "abc", True),
        ("^[a-z]+$", "abc\n", False),  # `$` is the end of the string, not the place before a final newline
        ("^[0-9]{4}$", "2023\n", False),
        (r"^\d+$", "123", True),
        (r"^\d+$", "١٢٣", False),  # \d is ASCII in ECMA-262
        (r"^\w+$", "é", False),
        ("[$]", "a$b", True),  # a dollar inside a class is a literal
        (r"a\$", "a$", True),
        ("^[^]x]+$", "abc", True),
        ("^https?://[^\\s]+$", "https://example.org/\n", False),
    ],
)
def test_patterns_are_read_as_ecma_262(pattern, text, expected):
    assert search(pattern, text) is expected


@settings(max_examples=examples(200), deadline=None)
@given(st.text(alphabet="abc-019\n $", max_size=12))
def test_translated_id_pattern_matches_only_whole_ids(text):
    pattern = "^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?-[a-z0-9]+(-[a-z0-9]+)*$"
    assert search(pattern, text) == (re.fullmatch(pattern[1:-1], text) is not None)
    assert translate(pattern).endswith(r"\Z")


def test_an_id_or_date_ending_in_a_newline_is_refused_by_validate(repo, run):
    record = sample("launch", id="2023-08-30-srbm\n", date="2023-08-30\n")
    write_record(repo, "launch", record, name="2023-08-30-srbm")
    result = run("validate")
    assert result.exit_code == 1
    assert "$.id: '2023-08-30-srbm\\n' is not an id: " in result.output
    assert "$.date: '2023-08-30\\n' is not a date (YYYY, YYYY-MM or YYYY-MM-DD)" in result.output


def test_add_refuses_an_id_ending_in_a_newline_and_writes_nothing(repo, run):
    result = run("add", "launch", *ADD, "--id", "2023-01-01-x\n")
    assert result.exit_code in (1, 2)
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert [p.name for p in (repo / "records" / "launches").iterdir()] == []


@pytest.mark.parametrize(
    "field, value",
    [
        ("tags", ["satellite\n"]),
        ("sources", [dict(SOURCE, url="https://example.org/\n")]),
    ],
)
def test_other_patterned_fields_refuse_a_final_newline(repo, run, field, value):
    write_record(repo, "launch", sample("launch", **{field: value}))
    result = run("validate")
    assert result.exit_code == 1, result.output
    assert "is not a " in result.output and (
        "is not a tag: " in result.output or "is not a web address: " in result.output
    )


def test_update_refuses_a_date_with_a_final_newline(repo, run):
    write_record(repo, "launch", sample("launch"))
    result = run("update", "2023-08-30-srbm", "--from-file", "-", input=json.dumps({"date": "2023-08-31\n"}))
    assert result.exit_code == 1
    assert yamlread.load_file(repo / "records/launches/2023-08-30-srbm.yaml")["date"] == "2023-08-30"


# --- JSON input ---------------------------------------------------------------------------


def test_duplicate_keys_in_a_json_option_are_a_usage_error(repo, run):
    result = run(
        "add",
        "launch",
        *ADD,
        "--observation",
        '{"actor": "KCNA", "actor": "JCS", "actor_type": "state-media", "stance": "claim"}',
    )
    assert result.exit_code == 2
    assert "--observation: duplicate key 'actor'" in result.stderr
    assert [p.name for p in (repo / "records" / "launches").iterdir()] == []


def test_duplicate_keys_in_a_json_file_are_invalid_data(repo, run, tmp_path):
    document = tmp_path / "record.json"
    document.write_text(
        '{"date": "2023-11-21", "title": "A", "title": "B", "summary": "s.", "category": "SRBM", "sources": ['
        + SOURCE_JSON
        + "]}"
    )
    result = run("add", "launch", "--from-file", str(document))
    assert result.exit_code == 1
    assert "duplicate key 'title'" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_duplicate_keys_in_json_on_stdin_for_update(repo, run):
    write_record(repo, "launch", sample("launch"))
    result = run("update", "2023-08-30-srbm", "--from-file", "-", input='{"count": 1, "count": 3}')
    assert result.exit_code == 1
    assert "duplicate key 'count'" in result.stderr


# --- the header line ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [
        "# yaml-language-server: $schema=https://evil.example/launch.schema.json",
        "# yaml-language-server: $schema=../../../elsewhere/launch.schema.json",
        "#yaml-language-server:$schema=../../schema/launch.schema.json",
    ],
)
def test_a_header_pointing_anywhere_else_is_a_problem(repo, run, header):
    path = write_record(repo, "launch", sample("launch"))
    text = path.read_text(encoding="utf-8").split("\n", 1)[1]
    path.write_text(header + "\n" + text, encoding="utf-8")
    result = run("validate")
    assert result.exit_code == 1, result.output
    assert (
        "records/launches/2023-08-30-srbm.yaml:1:1: the first line is a yaml-language-server header other than"
        in result.output
    )
    assert run("fmt").exit_code == 0
    assert run("validate").exit_code == 0


def test_a_second_header_further_down_is_a_problem(repo, run):
    path = write_record(repo, "launch", sample("launch"))
    path.write_text(
        path.read_text(encoding="utf-8") + "# yaml-language-server: $schema=https://evil.example/x.json\n",
        encoding="utf-8",
    )
    result = run("validate", "--format", "json")
    assert result.exit_code == 1
    [problem] = json.loads(result.output)
    assert problem["check"] == "header" and problem["line"] > 1


def test_the_kind_check_still_names_the_right_folder(repo, run):
    path = write_record(repo, "launch", sample("launch"))
    path.write_text(
        path.read_text(encoding="utf-8").replace("launch.schema.json", "meeting.schema.json", 1), encoding="utf-8"
    )
    result = run("validate")
    assert "the header names schema meeting.schema.json but the file is in records/launches/" in result.output


# --- the writer ---------------------------------------------------------------------------------

# YAML 1.2 core schema (spec 10.3.2): what a 1.2 reader types as something other than a string.
CORE_12 = re.compile(
    r"""^(?:null|Null|NULL|~|true|True|TRUE|false|False|FALSE
    |[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+
    |[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?
    |[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$""",
    re.X,
)
# YAML 1.1 booleans (https://yaml.org/type/bool.html), of which PyYAML leaves out y and n.
BOOL_11 = re.compile(r"^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$")


def plain_value(text: str) -> str | None:
    """The scalar as written, when it was written plain (unquoted)."""
    out = yamlwrite.dumps({"a": text})
    value = out[len("a: ") : -1]
    return value if value[:1] not in ("'", '"', "|") else None


@pytest.mark.parametrize(
    "text", ["y", "n", "Y", "N", "0o17", "0x1F", ".inf", "-.Inf", ".NaN", "~", "Off", "1_000", "1:20", "2023"]
)
def test_strings_other_readers_would_retype_are_quoted(text):
    assert plain_value(text) is None
    assert yamlread.loads(yamlwrite.dumps({"a": text}))["a"] == text


@settings(max_examples=examples(400), deadline=None)
@given(st.text(alphabet="yYnNoO01x.infaNLl~-+_:e ", min_size=1, max_size=6))
def test_a_plain_scalar_is_a_string_to_every_reader(text):
    plain = plain_value(text)
    if plain is None:
        return
    assert not CORE_12.match(plain), plain
    assert not BOOL_11.match(plain), plain
    assert yaml.safe_load(f"a: {plain}")["a"] == text  # PyYAML's YAML 1.1 resolver
