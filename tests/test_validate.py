"""`dprk validate`: schema rules, cross-record checks, output, exit codes, finding the repository."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import COMMON, add_kind, ref, sample, write_record


def test_empty_repository_is_valid(run):
    result = run("validate")
    assert result.exit_code == 0
    assert "0 records checked, 0 problems in 0 files" in result.output


def test_valid_records_of_every_kind(repo, run):
    for kind in ("launch", "meeting", "statement", "sanctions-report"):
        write_record(repo, kind, sample(kind))
    result = run("validate")
    assert result.exit_code == 0, result.output
    assert "4 records checked, 0 problems in 0 files" in result.output


def test_problem_line_has_file_line_column_path_and_message(repo, run):
    record = sample(
        "launch", observations=[{"actor": "KCNA", "actor_type": "state-media", "stance": "claim", "apogee_km": -5}]
    )
    write_record(repo, "launch", record)
    result = run("validate")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert (
        "records/launches/2023-08-30-srbm.yaml:13:16: $.observations[0].apogee_km: must be at least 0, not -5" in lines
    )
    assert lines[-1] == "1 record checked, 1 problem in 1 file"


@pytest.mark.parametrize(
    "changes, fragment",
    [
        ({"category": "rocket"}, "$.category: 'rocket' is not one of: SRBM"),
        ({"count": 0}, "$.count: must be at least 1, not 0"),
        ({"count": "two"}, "$.count: must be a whole number, not 'two'"),
        ({"date": "2023-13"}, "$.date: '2023-13' is not a date (YYYY, YYYY-MM or YYYY-MM-DD)"),
        ({"date": "2023-02-30"}, "$.date: '2023-02-30' is not a day on the calendar"),
        ({"title": None}, "'title' is required but missing"),
        ({"sources": []}, "$.sources: needs at least 1 entry"),
        ({"colour": "red"}, "$.colour: unknown field 'colour'"),
        ({"categroy": "SRBM"}, "did you mean 'category'?"),
        (
            {"sources": [{"publisher": "x", "title": "t", "date": "2023"}]},
            "$.sources[0]: 'quote' is required but missing",
        ),
        (
            {"observations": [{"actor": "KCNA", "actor_type": "state-media", "stance": "claim", "actor_state": "XXX"}]},
            "$.observations[0].actor_state: 'XXX' is not an allowed value (the codes and their names: 'dprk schema --values observations.actor_state')",
        ),
        ({"id": "2023-08-30-other"}, "id '2023-08-30-other' differs from the file name"),
        ({"tags": ["Bad Tag"]}, "$.tags[0]: 'Bad Tag' is not a tag: lowercase letters, digits and hyphens"),
    ],
)
def test_schema_rules(repo, run, changes, fragment):
    write_record(repo, "launch", sample("launch", **changes), name="2023-08-30-srbm")
    result = run("validate")
    assert result.exit_code == 1
    assert fragment in result.output


def test_unknown_field_points_at_its_key(repo, run):
    write_record(repo, "launch", sample("launch", colour="red"))
    result = run("validate")
    text = (repo / "records/launches/2023-08-30-srbm.yaml").read_text()
    line = next(i for i, text in enumerate(text.splitlines(), 1) if text.startswith("colour:"))
    assert f"2023-08-30-srbm.yaml:{line}:1: $.colour" in result.output


def test_reports_every_problem_not_just_the_first(repo, run):
    write_record(repo, "launch", sample("launch", count=0, category="x", colour="red"))
    write_record(repo, "meeting", sample("meeting", status="maybe"))
    result = run("validate")
    assert result.output.splitlines()[-1] == "2 records checked, 4 problems in 2 files"


def test_yaml_errors_are_reported_with_position(repo, run):
    write_record(repo, "launch", {}, raw="id: a\nid: b\n", name="2023-01-01-dup")
    write_record(repo, "launch", {}, raw="a: [1\n", name="2023-01-01-broken")
    result = run("validate")
    assert result.exit_code == 1
    assert "records/launches/2023-01-01-dup.yaml:2:1: duplicate key 'id'" in result.output
    assert "records/launches/2023-01-01-broken.yaml:2:1:" in result.output


def test_references_must_exist_and_be_of_the_right_kind(repo, run):
    write_record(repo, "launch", sample("launch"))
    write_record(repo, "statement", sample("statement"))
    meeting = sample("meeting", launches=["2023-08-30-srbm", "2023-08-31-missing"], reports=["2023-08-24-sg-statement"])
    write_record(repo, "meeting", meeting)
    result = run("validate")
    assert result.exit_code == 1
    assert "$.launches[1]: refers to '2023-08-31-missing', which is not a record" in result.output
    assert (
        "$.reports[0]: refers to '2023-08-24-sg-statement', a statement; expected a sanctions-report" in result.output
    )
    assert "launches[0]" not in result.output


def test_nested_reference_is_checked(repo, run):
    meeting = sample(
        "meeting", outcomes=[{"type": "press-elements", "status": "not-agreed", "statement": "2023-09-29-nothing"}]
    )
    write_record(repo, "meeting", meeting)
    result = run("validate")
    assert "$.outcomes[0].statement: refers to '2023-09-29-nothing'" in result.output


def test_ids_are_unique_across_kinds(repo, run):
    write_record(repo, "launch", sample("launch"))
    write_record(repo, "meeting", sample("meeting", id="2023-08-30-srbm"))
    result = run("validate")
    assert "id '2023-08-30-srbm' is also used in records/launches/" in result.output
    assert "id '2023-08-30-srbm' is also used in records/meetings/" in result.output


def test_document_symbols_are_unique(repo, run):
    write_record(repo, "sanctions-report", sample("sanctions-report"))
    write_record(repo, "sanctions-report", sample("sanctions-report", id="2023-09-13-copy"))
    result = run("validate")
    assert result.exit_code == 1
    assert "document symbol 'S/2023/656' is also given by 2023-09-13-copy" in result.output
    assert "document symbol 'S/2023/656' is also given by 2023-09-12-panel-midterm" in result.output
    # also when only one of the two files is named
    result = run("validate", "records/sanctions-reports/2023-09-13-copy.yaml")
    assert "is also given by 2023-09-12-panel-midterm" in result.output


def test_header_naming_another_kind_is_reported(repo, run):
    path = write_record(repo, "launch", sample("launch"))
    path.write_text(path.read_text().replace("launch.schema.json", "meeting.schema.json"))
    result = run("validate")
    assert "header names schema meeting.schema.json but the file is in records/launches/" in result.output


def test_strays_are_reported(repo, run, tmp_path):
    (repo / "records" / "launches" / "2023-01-01-x.yml").write_text("a: 1\n")
    (repo / "records" / "launches" / "2023-01-02-dir.yaml").mkdir()
    (repo / "records" / "speeches").mkdir()
    outside = tmp_path / "outside.yaml"
    outside.write_text("a: 1\n")
    (repo / "records" / "launches" / "2023-01-03-link.yaml").symlink_to(outside)
    (repo / "records" / "launches" / ".hidden.yaml.tmp").write_text("half")
    result = run("validate")
    assert result.exit_code == 1
    assert "2023-01-01-x.yml: record files end in .yaml, not .yml" in result.output
    assert "2023-01-02-dir.yaml: a directory named like a record" in result.output
    assert "records/speeches: not a kind folder" in result.output
    assert "2023-01-03-link.yaml: symbolic link to a file outside the repository" in result.output
    assert ".hidden" not in result.output


def test_paths_select_files_and_folders(repo, run):
    write_record(repo, "launch", sample("launch", count=0))
    write_record(repo, "meeting", sample("meeting"))
    result = run("validate", "records/meetings")
    assert result.exit_code == 0
    assert "1 record checked" in result.output
    result = run("validate", "records/launches/2023-08-30-srbm.yaml")
    assert result.exit_code == 1


@pytest.mark.parametrize(
    "args, words",
    [
        (["validate", "/"], "outside the repository"),
        (["validate", "nope.yaml"], "no such file or folder"),
        (["validate", "schema"], "not a kind folder"),
        (["validate", "--format", "xml"], "--format"),
        (["validate", "--bogus"], "--bogus"),
    ],
)
def test_usage_errors_exit_2_with_one_line(run, args, words):
    result = run(*args)
    assert result.exit_code == 2
    assert words in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert "Traceback" not in result.output


def test_json_output(repo, run):
    write_record(repo, "launch", sample("launch", count=0))
    result = run("validate", "--format", "json")
    assert result.exit_code == 1
    problems = json.loads(result.stdout)
    assert problems == [
        {
            "path": "records/launches/2023-08-30-srbm.yaml",
            "line": 7,
            "column": 8,
            "pointer": "/count",
            "json_path": "$.count",
            "message": "must be at least 1, not 0",
            "check": "schema",
        }
    ]


def test_runs_from_a_subdirectory(repo, run):
    write_record(repo, "launch", sample("launch"))
    result = run("validate", cwd=repo / "records" / "launches")
    assert result.exit_code == 0
    assert "1 record checked" in result.output
    result = run("validate", "2023-08-30-srbm.yaml", cwd=repo / "records" / "launches")
    assert result.exit_code == 0


def test_repo_option_and_environment(repo, run, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    write_record(repo, "launch", sample("launch"))
    result = run("validate", cwd=elsewhere)
    assert result.exit_code == 2
    assert "no dprk-records repository here or above" in result.output
    assert run("validate", "--repo", str(repo), cwd=elsewhere).exit_code == 0
    assert run("validate", cwd=elsewhere, env={"DPRK_REPO": str(repo)}).exit_code == 0
    result = run("validate", "--repo", str(tmp_path / "missing"), cwd=elsewhere)
    assert result.exit_code == 2 and "does not exist" in result.output
    result = run("validate", "--repo", str(elsewhere), cwd=elsewhere)
    assert result.exit_code == 2 and "is not a dprk-records repository" in result.output


def test_schema_file_that_is_not_json(repo, run):
    (repo / "schema" / "launch.schema.json").write_text('{"x-kind": "launch",\n  oops}\n')
    result = run("validate")
    assert result.exit_code == 1
    assert "launch.schema.json:2:3: schema file is not valid JSON" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_unreadable_file(repo, run):
    if os.geteuid() == 0:
        pytest.skip("root can read any file")
    path = write_record(repo, "launch", sample("launch"))
    path.chmod(0)
    result = run("validate")
    assert "cannot read file" in result.output


def test_a_fifth_kind_needs_only_a_schema_file(repo, run):
    add_kind(
        repo,
        "press-conference",
        "press-conferences",
        {
            **COMMON,
            "speaker": {"description": "Who spoke.", "type": "string"},
            "about": {
                "description": "Launches discussed.",
                "type": "array",
                "items": ref("record_ref"),
                "x-references": ["launch"],
            },
            "sources": ref("sources"),
        },
        ["id", "date", "title", "summary", "speaker", "sources"],
    )
    record = {
        "id": "2023-09-18-salmon",
        "date": "2023-09-18",
        "title": "Press conference",
        "summary": "s",
        "speaker": "Elizabeth Salmón",
        "about": ["2023-09-13-none"],
        "sources": sample("launch")["sources"],
    }
    write_record(repo, "press-conference", record)
    result = run("validate")
    assert result.exit_code == 1
    assert "records/press-conferences/2023-09-18-salmon.yaml" in result.output
    assert "$.about[0]: refers to '2023-09-13-none', which is not a record" in result.output
    listing = run("schema")
    assert "press-conference" in listing.output and "records/press-conferences/" in listing.output
    fields = run("schema", "press-conferences")
    assert "speaker" in fields.output and "Who spoke." in fields.output


def test_installed_dprk_runs_as_a_subprocess(repo):
    dprk = shutil.which("dprk", path=str(Path(sys.executable).parent))
    command = [dprk] if dprk else [sys.executable, "-m", "dprk_records"]
    write_record(repo, "launch", sample("launch", count=0))
    done = subprocess.run([*command, "validate"], cwd=repo, capture_output=True, text=True)
    assert done.returncode == 1
    assert "$.count: must be at least 1, not 0" in done.stdout
    assert done.stderr == ""
    done = subprocess.run(
        [sys.executable, "-m", "dprk_records", "validate", "--repo", str(repo), "--format", "json"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1 and json.loads(done.stdout)[0]["check"] == "schema"


def test_paths_named_twice_are_checked_once(repo, run):
    write_record(repo, "launch", sample("launch"))
    write_record(repo, "meeting", sample("meeting"))
    result = run("validate", "records", "records/launches", "records/launches/2023-08-30-srbm.yaml")
    assert result.exit_code == 0 and "2 records checked" in result.output
    result = run("validate", "")
    assert result.exit_code == 2 and "an empty path was given" in result.output


def test_according_to_must_name_an_observed_actor(repo, run):
    observations = [
        {"actor": "KCNA", "actor_type": "state-media", "actor_state": "PRK", "stance": "claim", "name": "Hwasong-18"}
    ]
    good = sample(
        "launch", name="Hwasong-18", observations=observations, according_to=[{"field": "name", "actor": "KCNA"}]
    )
    write_record(repo, "launch", good)
    assert run("validate").exit_code == 0
    write_record(repo, "launch", dict(good, according_to=[{"field": "name", "actor": "DPRK state media"}]))
    result = run("validate", "--format", "json")
    assert result.exit_code == 1
    [problem] = json.loads(result.output)
    assert problem["check"] == "match" and problem["json_path"] == "$.according_to[0].actor"
    assert (
        "'DPRK state media' is not one of the record's observations.actor; the record's observations.actor: 'KCNA'"
        in problem["message"]
    )
    result = run("update", "2023-08-30-srbm", "--according-to", '{"field": "name", "actor": "JCS"}')
    assert result.exit_code == 1 and "is not one of the record's observations.actor" in result.stderr


def test_github_annotations_point_at_the_line(repo, run):
    write_record(repo, "launch", sample("launch", count=0, title="a, b: c%"))
    write_record(repo, "launch", sample("launch", id="2023-08-31-x", date="2023-08-31", launch_site="x\nnewline"))
    result = run("validate", "--format", "github")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert (
        "::error file=records/launches/2023-08-30-srbm.yaml,line=7,col=8,title=dprk schema::$.count: must be at least 1, not 0"
        in lines
    )
    assert lines[-1] == "2 records checked, 1 problem in 1 file"
    assert run("validate", "--github").stdout == result.stdout  # the shortcut
    for fmt in ("jsonl", "csv", "tsv", "markdown"):
        out = run("validate", "--format", fmt)
        assert out.exit_code == 1 and "$.count" in out.stdout, fmt
    [row] = [json.loads(line) for line in run("validate", "--jsonl").stdout.splitlines()]
    assert row["check"] == "schema" and row["line"] == 7


def test_github_annotation_escapes_what_the_runner_reads():
    from dprk_records.checks.problems import Problem
    from dprk_records.output.problems import annotation

    line = annotation(Problem("records/a,b:c.yaml", 3, 1, ("title",), "100% bad\nnext", "schema"))
    assert line == "::error file=records/a%2Cb%3Ac.yaml,line=3,col=1,title=dprk schema::$.title: 100%25 bad%0Anext"
