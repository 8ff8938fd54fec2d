"""`dprk export --format datapackage`: a Frictionless Data Package that the real frictionless reads and validates."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from conftest import PROJECT, Runner, sample, write_record

frictionless = pytest.importorskip("frictionless")

LAUNCH = sample("launch", observations=[
    {"actor": "KCNA", "actor_type": "state-media", "actor_state": "PRK", "stance": "claim", "apogee_km": 6000.5},
    {"actor": "Japan's Ministry of Defense", "actor_type": "military", "actor_state": "JPN", "stance": "assessment", "flight_minutes": 86},
])
PARTIAL = sample("launch", id="2023-11-month-only", date="2023-11", count=3)
MEETING = sample("meeting", launches=["2023-08-30-srbm", "2023-11-month-only"], outcomes=[
    {"type": "resolution", "status": "vetoed", "vote": {"in_favour": 13, "against": 2, "against_states": ["CHN", "RUS"]},
     "responds_to": ["2023-08-30-srbm"]}])
STATEMENT = sample("statement", responds_to=["2023-08-30-srbm", "2023-08-25-open-briefing"], meeting="2023-08-25-open-briefing")
REPORT = sample("sanctions-report", presented_at="2023-08-25-open-briefing")


@pytest.fixture
def package(repo: Path) -> Path:
    for kind, record in (("launch", LAUNCH), ("launch", PARTIAL), ("meeting", MEETING), ("statement", STATEMENT),
                         ("sanctions-report", REPORT), ("nuclear-test", sample("nuclear-test"))):
        write_record(repo, kind, record)
    result = Runner(repo)("export", "--format", "datapackage", "-o", "package")
    assert result.exit_code == 0, result.output
    assert "wrote 6 records to package" in result.output
    return repo / "package"


def validate(folder: Path) -> dict:
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
