"""`dprk update ID`: field options, --unset, --from-file, --edit, checks, atomic replace, git."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import git, sample, write_record
from dprk_records.records import yamlread, yamlwrite

LAUNCH = "2023-08-30-srbm"


@pytest.fixture
def launch(repo: Path) -> Path:
    return write_record(repo, "launch", sample("launch"))


def test_fields_are_replaced_and_the_change_printed(run, repo, launch):
    result = run("update", LAUNCH, "--count", "3", "--name", "KN-23", "--tag", "srbm", "--tag", "east-sea")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "records/launches/2023-08-30-srbm.yaml",
        "  ~ count: 2 -> 3",
        '  + name: "KN-23"',
        '  + tags: ["srbm", "east-sea"]',
    ]
    data = yamlread.load_file(launch)
    assert data["count"] == 3 and data["tags"] == ["srbm", "east-sea"]
    assert launch.read_text(encoding="utf-8") == yamlwrite.dumps(data, *_shape(repo))
    assert run("validate").exit_code == 0


def _shape(repo: Path):
    from dprk_records.records.schemas import Schemas

    kind = Schemas(repo / "schema").get("launch")
    return kind.root, kind.header


def test_unset_removes_a_field_and_nested_changes_are_named(run, repo, launch):
    result = run(
        "update",
        LAUNCH,
        "--unset",
        "landing-area",
        "--source",
        json.dumps({**sample("launch")["sources"][0], "date": "2023-11-01"}),
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1:] == [
        '  - landing_area: "waters off its east coast"',
        '  ~ sources[quote=the DPRK fired two short-range ballistic missiles into waters off its east coast].date: "2023-11" -> "2023-11-01"',
    ]
    assert "landing_area" not in yamlread.load_file(launch)


def test_observations_are_matched_by_their_key(run, repo, repo_launch_with_observations):
    result = run(
        "update",
        LAUNCH,
        "--observation",
        '{"actor": "KCNA", "actor_type": "state-media", "stance": "claim", "apogee_km": 500}',
        "--observation",
        '{"actor": "JCS", "actor_type": "military", "actor_state": "KOR", "stance": "assessment", "range_km": 360}',
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1:] == [
        "  ~ observations[actor=JCS].range_km: 350 -> 360",
        "  + observations[actor=KCNA]: "
        + json.dumps({"actor": "KCNA", "actor_type": "state-media", "stance": "claim", "apogee_km": 500}),
    ]


@pytest.fixture
def repo_launch_with_observations(repo: Path) -> Path:
    return write_record(
        repo,
        "launch",
        sample(
            "launch",
            observations=[
                {
                    "actor": "JCS",
                    "actor_type": "military",
                    "actor_state": "KOR",
                    "stance": "assessment",
                    "range_km": 350,
                }
            ],
        ),
    )


def test_invalid_update_lists_problems_and_leaves_the_file_alone(run, repo, launch):
    before = launch.read_bytes()
    result = run("update", LAUNCH, "--count", "0", "--unset", "summary")
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert "records/launches/2023-08-30-srbm.yaml:2:1: 'summary' is required but missing" in lines
    assert any(
        line.startswith("records/launches/2023-08-30-srbm.yaml:") and "$.count: must be at least 1, not 0" in line
        for line in lines
    )
    assert launch.read_bytes() == before


def test_references_are_checked(run, repo):
    write_record(repo, "meeting", sample("meeting"))
    write_record(repo, "statement", sample("statement"))
    result = run("update", "2023-08-25-open-briefing", "--launches", "2023-08-24-sg-statement")
    assert result.exit_code == 1
    assert "$.launches[0]: refers to '2023-08-24-sg-statement', a statement; expected a launch" in result.stderr


@pytest.mark.parametrize(
    "args, message",
    [
        (["2023-01-01-nothing", "--count", "1"], "no record with id '2023-01-01-nothing'"),
        ([LAUNCH, "--unset", "colour"], "launch has no field 'colour'"),
        ([LAUNCH, "--id", "2023-08-30-other"], "no such option"),
        ([LAUNCH, "--count", "many"], "--count: 'many' is not a whole number"),
    ],
)
def test_usage_errors(run, repo, launch, args, message):
    before = launch.read_bytes()
    result = run("update", *args)
    assert result.exit_code == 2
    assert message in result.stderr.lower() if message == "no such option" else message in result.stderr
    assert launch.read_bytes() == before


def test_no_change_writes_nothing(run, repo, launch):
    stat = launch.stat()
    result = run("update", LAUNCH, "--count", "2")
    assert result.exit_code == 0
    assert "no change" in result.stderr
    assert launch.stat().st_mtime_ns == stat.st_mtime_ns


def test_from_file_merges_fields_and_null_removes(run, repo, launch, tmp_path):
    changes = tmp_path / "changes.yaml"
    changes.write_text("count: 4\nlanding_area: null\n", encoding="utf-8")
    assert run("update", LAUNCH, "--from-file", str(changes)).exit_code == 0
    data = yamlread.load_file(launch)
    assert data["count"] == 4 and "landing_area" not in data
    result = run("update", LAUNCH, "--from-file", "-", input=json.dumps({"propellant": "solid"}))
    assert result.exit_code == 0, result.output
    assert yamlread.load_file(launch)["propellant"] == "solid"


def test_an_id_changed_in_a_file_is_refused(run, repo, launch):
    result = run("update", LAUNCH, "--from-file", "-", input='{"id": "2023-08-30-renamed"}')
    assert result.exit_code == 1
    assert "differs from the file name" in result.stderr


def test_update_reads_only_the_record_and_its_references(run, repo, launch):
    write_record(repo, "meeting", {}, raw="title: [broken\n", name="2020-01-01-broken")
    assert run("update", LAUNCH, "--count", "5").exit_code == 0


def test_a_broken_record_is_reported_not_updated(run, repo):
    write_record(repo, "launch", {}, raw="id: a\nid: b\n", name="2020-01-01-broken")
    result = run("update", "2020-01-01-broken", "--count", "5")
    assert result.exit_code == 1
    assert "records/launches/2020-01-01-broken.yaml:2:1: duplicate key 'id'" in result.stderr


def test_edit_opens_the_record_and_reopens_until_valid(run, repo, launch, editor):
    text = launch.read_text(encoding="utf-8")
    invalid = text.replace("count: 2", "count: zero")
    valid = text.replace("count: 2", "count: 1")
    result = run("update", LAUNCH, "--edit", env=editor.env(invalid, valid))
    assert result.exit_code == 0, result.output
    # the file sits in the repository's own folder, its $schema header pointing at the schema from there
    assert editor.shown[0] == text.replace("$schema=../../schema/", "$schema=../../../schema/", 1)
    opened = Path(editor.paths[0])
    assert opened.parent == repo / ".dprk-cache" / "edit" / "launches"
    assert (opened.parent / "../../../schema/launch.schema.json").resolve() == (
        repo / "schema/launch.schema.json"
    ).resolve()
    assert not opened.exists()  # taken away afterwards
    second = editor.shown[1]
    assert "# ! " in second and "$.count: must be a whole number, not 'zero'" in second
    # the problem names its line in the file as the editor shows it
    named = next(line for line in second.splitlines() if "$.count" in line)
    number = int(named.split("line ", 1)[1].split(",", 1)[0])
    assert second.splitlines()[number - 1] == "count: zero"
    assert result.stdout.splitlines()[1:] == ["  ~ count: 2 -> 1"]
    assert yamlread.load_file(launch)["count"] == 1


def test_edit_given_up_leaves_the_file(run, repo, launch, editor):
    before = launch.read_bytes()
    result = run("update", LAUNCH, "--edit", env=editor.env(""))
    assert result.exit_code == 1 and "nothing written" in result.stderr
    assert launch.read_bytes() == before


def test_dry_run_prints_the_new_text_only(run, repo, launch):
    before = launch.read_bytes()
    result = run("update", LAUNCH, "--count", "7", "--dry-run")
    assert result.exit_code == 0
    assert "\ncount: 7\n" in result.stdout
    assert result.stderr == "dry run, nothing written; the changes:\n  ~ count: 2 -> 7\n"
    assert launch.read_bytes() == before


def test_commit_commits_only_the_record(run, repo, launch):
    (repo / "other.txt").write_text("x\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "start")
    (repo / "other.txt").write_text("staged\n")
    git(repo, "add", "other.txt")
    result = run("update", LAUNCH, "--count", "9", "--commit")
    assert result.exit_code == 0, result.output
    assert git(repo, "log", "-1", "--format=%s").strip() == f"Update launch {LAUNCH}"
    assert git(repo, "show", "--name-only", "--format=", "HEAD").split() == ["records/launches/2023-08-30-srbm.yaml"]
    assert git(repo, "diff", "--cached", "--name-only").split() == ["other.txt"]
    assert "count: 9" in git(repo, "show", "HEAD:records/launches/2023-08-30-srbm.yaml")


def test_commit_refused_during_a_rebase(run, repo, launch):
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "start")
    (repo / "f.txt").write_text("a\n")
    git(repo, "add", "f.txt")
    git(repo, "commit", "-qm", "a")
    git(repo, "checkout", "-qb", "side", "HEAD~1")
    (repo / "f.txt").write_text("b\n")
    git(repo, "add", "f.txt")
    git(repo, "commit", "-qm", "b")
    import subprocess

    subprocess.run(["git", "rebase", "main"], cwd=repo, capture_output=True)
    assert (repo / ".git" / "rebase-merge").exists() or (repo / ".git" / "rebase-apply").exists()
    before = launch.read_bytes()
    result = run("update", LAUNCH, "--count", "9", "--commit")
    assert result.exit_code == 2 and "in the middle of a rebase" in result.stderr
    assert launch.read_bytes() == before


def test_repo_option_after_the_id(run, repo, launch, tmp_path):
    result = run("update", LAUNCH, "--count", "3", "--repo", str(repo), cwd=tmp_path)
    assert result.exit_code == 0, result.output
    assert yamlread.load_file(launch)["count"] == 3
