"""Edge inputs found by probing the command line: each is one clear line, never an internal error."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys

import pytest

from conftest import COMMON, add_kind, ref, sample, write_record

SOURCE = json.dumps(sample("launch")["sources"][0])


def one_line(result, code):
    text = result.output
    assert result.exit_code == code, text
    assert "internal error" not in text and "Traceback" not in text
    assert len(text.strip().splitlines()) == 1, text
    return text


def test_text_that_is_not_utf8_is_refused_and_nothing_written(repo):
    args = [
        sys.executable,
        "-m",
        "dprk_records",
        "add",
        "launch",
        "--date",
        "2023-08-30",
        "--title",
        "Two missiles",
        "--summary",
        b"bad \xff\xfe bytes",
        "--category",
        "SRBM",
        "--source",
        SOURCE,
    ]
    done = subprocess.run(args, cwd=repo, capture_output=True)
    assert done.returncode == 1
    err = done.stderr.decode()
    assert "internal error" not in err and "not UTF-8 text" in err
    assert os.listdir(repo / "records" / "launches") == []


def test_surrogates_in_json_input_are_refused(run, repo):
    record = sample("launch", summary="\\udc80")
    text = json.dumps(record).replace("\\\\udc80", "\\udc80")
    result = run("add", "launch", "--from-file", "-", input=text)
    assert result.exit_code == 1 and "not UTF-8 text" in result.output and "internal error" not in result.output


def test_integers_beyond_64_bits_survive_the_sqlite_export(run, repo):
    write_record(repo, "launch", sample("launch", count=10**25))
    assert run("validate").exit_code == 0
    assert run("export", "--format", "sqlite", "-o", "big.sqlite").exit_code == 0
    db = sqlite3.connect(repo / "big.sqlite")
    try:
        assert db.execute("SELECT count FROM launch").fetchone() == (1e25,)
    finally:
        db.close()


@pytest.mark.parametrize("args", [["show", "x" * 300], ["update", "x" * 300, "--count", "1"], ["log", "x" * 300]])
def test_very_long_ids(run, args):
    assert "is not a record id" in one_line(run(*args), 2)


def test_very_long_paths(run):
    one_line(run("validate", "y" * 300 + ".yaml"), 2)
    one_line(run("export", "-o", "z" * 300 + ".csv"), 2)


def test_a_limit_beyond_any_count(run):
    assert "--limit" in one_line(run("query", "--limit", "9" * 30), 2)


def test_a_full_device(repo):
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full here")
    write_record(repo, "launch", sample("launch"))
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [sys.executable, "-m", "dprk_records", "query", "--json"],
            cwd=repo,
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
        )
    assert done.returncode == 1
    assert "No space left on device" in done.stderr and "internal error" not in done.stderr


@pytest.mark.parametrize("title", ["😀😀", "   ", "!!!"])
def test_a_title_that_makes_no_id(run, repo, title):
    result = run(
        "add",
        "launch",
        "--date",
        "2023-08-30",
        "--title",
        title,
        "--summary",
        "s",
        "--category",
        "SRBM",
        "--source",
        SOURCE,
    )
    assert "has no letters or digits to make an id from (give --id)" in one_line(result, 2)


def test_show_reports_but_survives_another_broken_record(run, repo):
    write_record(repo, "launch", sample("launch"))
    write_record(repo, "meeting", sample("meeting", launches=["2023-08-30-srbm"]))
    (repo / "records" / "statements" / "2023-01-01-broken.yaml").write_text("id: [unclosed\n")
    result = run("show", "2023-08-30-srbm")
    assert result.exit_code == 0
    assert "2023-08-25-open-briefing" in result.stdout
    assert (
        "records/statements/2023-01-01-broken.yaml:2:1:" in result.stderr
        and "links from that file are not shown" in result.stderr
    )


def add_visit(repo, extra_properties):
    add_kind(
        repo,
        "visit",
        "visits",
        {**COMMON, **extra_properties, "sources": ref("sources")},
        ["id", "date", "title", "summary", "sources"],
    )


def test_a_field_name_with_a_hyphen_gets_an_option(run, repo):
    add_visit(repo, {"host-state": ref("member_state", description="Host.")})
    result = run(
        "add",
        "visit",
        "--date",
        "2023-09-13",
        "--title",
        "Kim visits Russia",
        "--summary",
        "s",
        "--host-state",
        "RUS",
        "--source",
        SOURCE,
    )
    assert result.exit_code == 0, result.output
    assert "host-state: RUS" in (repo / "records/visits/2023-09-13-kim-visits-russia.yaml").read_text()


def test_sqlite_names_that_clash_are_one_clear_error(run, repo):
    add_visit(repo, {"a-b": {"type": "string", "description": "x"}, "a_b": {"type": "string", "description": "y"}})
    result = run("export", "visits", "--format", "sqlite", "-o", "v.sqlite")
    assert "two columns named 'a_b'" in one_line(result, 1)
    assert not (repo / "v.sqlite").exists()


def test_json_nested_too_deep(run, repo):
    deep = "[" * 5000 + "]" * 5000
    result = run("add", "launch", "--from-file", "-", input='{"id": ' + deep + "}")
    assert "nesting is deeper than 64 levels" in one_line(result, 1)
    result = run("add", "launch", "--observation", deep)
    assert "nesting is deeper than 64 levels" in one_line(result, 2)


def test_an_export_never_writes_over_records_or_schemas(run, repo):
    path = write_record(repo, "launch", sample("launch"))
    before = path.read_bytes()
    for target in (str(path.relative_to(repo)), "schema/launch.schema.json", "records/launches/new.csv"):
        assert "which holds the repository's own files" in one_line(run("export", "-o", target, "--force"), 2)
    assert path.read_bytes() == before and not (repo / "records/launches/new.csv").exists()


@pytest.mark.parametrize(
    "args, words",
    [
        (["query", "--search", ""], "--search needs some text"),
        (["query", "--sort", " "], "--sort needs a field"),
        (["export", "--format", "json", "--bom"], "--bom is for csv and tsv"),
        (["stats", "--search", ""], "--search needs some text"),
    ],
)
def test_empty_or_pointless_options_are_usage_errors(run, args, words):
    assert words in one_line(run(*args), 2)


def test_stats_search_and_no_cache(run, repo):
    write_record(repo, "launch", sample("launch"))
    write_record(repo, "meeting", sample("meeting"))
    rows = json.loads(run("stats", "--search", "open briefing", "--no-cache", "--json").output)
    assert rows[-1]["total"] == 1 and rows[-1]["meeting"] == 1
