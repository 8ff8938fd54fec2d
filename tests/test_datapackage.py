"""`dprk export --format datapackage`: a Frictionless Data Package that the real frictionless reads and validates."""

from __future__ import annotations

import csv
import importlib.util
import json
from pathlib import Path

import pytest

from conftest import PROJECT, Runner, sample, write_record

# frictionless (about a second to import) is imported by the tests that use it, not when the module
# is collected: the module's tests run in one pytest-xdist worker (--dist loadfile), the only one to import it
pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("frictionless") is None, reason="frictionless is not installed"
)

LAUNCH = sample(
    "launch",
    observations=[
        {"actor": "KCNA", "actor_type": "state-media", "actor_state": "PRK", "stance": "claim", "apogee_km": 6000.5},
        {
            "actor": "Japan's Ministry of Defense",
            "actor_type": "military",
            "actor_state": "JPN",
            "stance": "assessment",
            "flight_minutes": 86,
        },
    ],
)
PARTIAL = sample("launch", id="2023-11-month-only", date="2023-11", count=3)
MEETING = sample(
    "meeting",
    launches=["2023-08-30-srbm", "2023-11-month-only"],
    outcomes=[
        {
            "type": "resolution",
            "status": "vetoed",
            "vote": {"in_favour": 13, "against": 2, "against_states": ["CHN", "RUS"]},
            "responds_to": ["2023-08-30-srbm"],
        }
    ],
)
STATEMENT = sample(
    "statement", responds_to=["2023-08-30-srbm", "2023-08-25-open-briefing"], meeting="2023-08-25-open-briefing"
)
REPORT = sample("sanctions-report", presented_at="2023-08-25-open-briefing")


@pytest.fixture
def package(repo: Path) -> Path:
    for kind, record in (
        ("launch", LAUNCH),
        ("launch", PARTIAL),
        ("meeting", MEETING),
        ("statement", STATEMENT),
        ("sanctions-report", REPORT),
        ("nuclear-test", sample("nuclear-test")),
    ):
        write_record(repo, kind, record)
    result = Runner(repo)("export", "--format", "datapackage", "-o", "package")
    assert result.exit_code == 0, result.output
    assert "wrote 6 records to package" in result.output
    return repo / "package"


def validate(folder: Path) -> dict:
    import frictionless

    report = frictionless.validate(str(folder / "datapackage.json"))
    return report.to_dict()


def test_frictionless_finds_the_package_valid(package):
    report = validate(package)
    assert report["valid"], json.dumps([t["errors"] for t in report["tasks"] if not t["valid"]], indent=1)[:2000]
    assert {task["name"] for task in report["tasks"]} >= {"launch", "meeting", "meeting_launches", "states", "records"}


def test_the_descriptor_gives_types_keys_patterns_and_descriptions(package):
    descriptor = json.loads((package / "datapackage.json").read_text(encoding="utf-8"))
    resources = {r["name"]: r for r in descriptor["resources"]}
    launch = resources["launch"]["schema"]
    fields = {f["name"]: f for f in launch["fields"]}
    assert launch["primaryKey"] == ["id"]
    assert fields["count"]["type"] == "integer" and fields["date_start"]["type"] == "date"
    assert fields["date"]["type"] == "string" and "pattern" in fields["date"]["constraints"]
    assert "SRBM" in fields["category"]["constraints"]["enum"]
    assert fields["summary"]["description"]  # from the schema files
    links = resources["meeting_launches"]["schema"]
    assert {"fields": ["launch_id"], "reference": {"resource": "launch", "fields": ["id"]}} in links["foreignKeys"]
    assert {"fields": ["meeting_id"], "reference": {"resource": "meeting", "fields": ["id"]}} in links["foreignKeys"]
    responds = resources["statement_responds_to"]["schema"]
    assert {"fields": ["record_id"], "reference": {"resource": "records", "fields": ["id"]}} in responds["foreignKeys"]
    states = resources["meeting_outcomes_vote_against_states"]["schema"]
    assert {"fields": ["state"], "reference": {"resource": "states", "fields": ["code"]}} in states["foreignKeys"]


def test_partial_dates_keep_their_span(package):
    import frictionless

    package_ = frictionless.Package(str(package / "datapackage.json"))
    rows = {row["id"]: row for row in package_.get_resource("launch").read_rows()}
    partial = rows["2023-11-month-only"]
    assert partial["date"] == "2023-11"  # read as written, not rounded to a day
    assert (partial["date_start"].isoformat(), partial["date_end"].isoformat()) == ("2023-11-01", "2023-11-30")


def test_a_dangling_reference_makes_the_package_invalid(package):
    launch = package / "launch.csv"
    with open(launch, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    with open(launch, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\r\n").writerows([r for r in rows if r[0] != "2023-11-month-only"])
    report = validate(package)
    assert not report["valid"]
    assert any(error["type"] == "foreign-key" for task in report["tasks"] for error in task["errors"])


def test_an_existing_package_is_replaced_only_with_force(package, repo):
    run = Runner(repo)
    refused = run("export", "--format", "datapackage", "-o", "package")
    assert refused.exit_code == 2 and "already holds a data package" in refused.stderr
    assert run("export", "launches", "--format", "datapackage", "-o", "package", "--force").exit_code == 0
    names = json.loads((package / "datapackage.json").read_text())["resources"]
    assert "meeting" not in {r["name"] for r in names}
    (repo / "other").mkdir()
    (repo / "other" / "notes.txt").write_text("mine")
    kept = run("export", "--format", "datapackage", "-o", "other", "--force")
    assert kept.exit_code == 2 and "holds other files" in kept.stderr
    assert (repo / "other" / "notes.txt").read_text() == "mine"
    assert not [p for p in repo.iterdir() if p.name.startswith((".package", ".other"))]


def test_the_bundled_records_make_a_valid_package(tmp_path):
    result = Runner(tmp_path)("export", "--format", "datapackage", "-o", "bundled", "--repo", str(PROJECT))
    assert result.exit_code == 0, result.output
    report = validate(tmp_path / "bundled")
    assert report["valid"], [t["name"] for t in report["tasks"] if not t["valid"]]


def test_force_replaces_the_package_files_and_leaves_every_other_file_alone(package, repo, tmp_path):
    run = Runner(repo)
    (package / "notes.txt").write_text("mine")
    (package / "sub").mkdir()
    (package / "sub" / "a.csv").write_text("mine too")
    outside = tmp_path / "outside.csv"
    outside.write_text("outside")
    (package / "linked.csv").symlink_to(outside)
    descriptor = json.loads((package / "datapackage.json").read_text())
    # resources a hand could add: in a subfolder, outside the folder, through a link: none is ours to remove
    descriptor["resources"] += [
        {"name": "a", "path": "sub/a.csv"},
        {"name": "b", "path": "../outside.csv"},
        {"name": "c", "path": str(outside)},
        {"name": "d", "path": "linked.csv"},
    ]
    (package / "datapackage.json").write_text(json.dumps(descriptor))
    result = run("export", "launches", "--format", "datapackage", "-o", "package", "--force")
    assert result.exit_code == 0, result.output
    assert (package / "notes.txt").read_text() == "mine" and (package / "sub" / "a.csv").read_text() == "mine too"
    assert outside.read_text() == "outside" and (package / "linked.csv").is_symlink()
    assert not (package / "meeting.csv").exists()  # the old package's own tables that the new one lacks are gone
    names = {r["path"] for r in json.loads((package / "datapackage.json").read_text())["resources"]}
    assert "launch.csv" in names and all((package / name).is_file() for name in names)
    assert not [p for p in package.iterdir() if p.name.startswith(".")]
    assert validate(package)["valid"]


def test_force_never_replaces_a_file_the_package_does_not_list(package, repo):
    descriptor = json.loads((package / "datapackage.json").read_text())
    descriptor["resources"] = [r for r in descriptor["resources"] if r["path"] != "launch.csv"]
    (package / "datapackage.json").write_text(json.dumps(descriptor))
    (package / "launch.csv").write_text("my own launch table")
    before = {p.name: p.read_bytes() for p in package.iterdir()}
    result = Runner(repo)("export", "--format", "datapackage", "-o", "package", "--force")
    assert result.exit_code == 2 and "launch.csv" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert {p.name: p.read_bytes() for p in package.iterdir()} == before


@pytest.mark.parametrize("descriptor", ["not json", "[]", '{"resources": 3}'])
def test_force_refuses_a_descriptor_dprk_did_not_write(package, repo, descriptor):
    (package / "datapackage.json").write_text(descriptor)
    before = {p.name: p.read_bytes() for p in package.iterdir()}
    result = Runner(repo)("export", "--format", "datapackage", "-o", "package", "--force")
    assert result.exit_code == 2 and "not a data package descriptor" in result.stderr
    assert {p.name: p.read_bytes() for p in package.iterdir()} == before


def test_the_current_folder_can_hold_the_package(package, repo, tmp_path):
    here = tmp_path / "here"
    here.mkdir()
    run = Runner(here)
    first = run("export", "--format", "datapackage", "-o", ".", "--repo", str(repo))
    assert first.exit_code == 0, first.output
    (here / "notes.txt").write_text("mine")
    assert run("export", "--format", "datapackage", "-o", ".", "--repo", str(repo)).exit_code == 2
    again = run("export", "launches", "--format", "datapackage", "-o", ".", "--force", "--repo", str(repo))
    assert again.exit_code == 0, again.output
    assert (here / "notes.txt").read_text() == "mine" and not (here / "meeting.csv").exists()
    assert validate(here)["valid"]


def test_targets_that_are_not_a_package_folder_give_one_line(package, repo):
    run = Runner(repo)
    (repo / "file.csv").write_text("a file")
    (repo / "link").symlink_to(package)
    before = {p: p.read_bytes() for p in repo.rglob("*") if p.is_file() and ".git" not in p.parts}
    for target, words in (
        (".", "the repository's own folder"),
        (str(repo), "the repository's own folder"),
        ("records", "is records/"),
        ("schema", "is schema/"),
        ("records/launches", "inside records/"),
        ("file.csv", "is a file, not a folder"),
        ("link", "is a symbolic link"),
    ):
        result = run("export", "--format", "datapackage", "-o", target, "--force")
        assert result.exit_code == 2 and words in result.stderr, (target, result.stderr)
        assert len(result.stderr.strip().splitlines()) == 1 and "internal error" not in result.stderr
    assert {p: p.read_bytes() for p in repo.rglob("*") if p.is_file() and ".git" not in p.parts} == before
