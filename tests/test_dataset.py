"""The project's own records: valid, sourced, linked and in canonical form."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import PROJECT, Runner
from dprk_records.checks.validate import validate
from dprk_records.records.repository import Repository

RECORDS = PROJECT / "records"


@pytest.fixture(scope="module")
def project() -> Repository:
    return Repository(PROJECT)


@pytest.fixture(scope="module")
def loaded(project: Repository) -> list[tuple[object, dict]]:
    return list(project.iter_data())


def test_every_kind_has_records(project: Repository) -> None:
    for kind in project.kinds():
        assert any(project.records([kind])), f"no records of kind {kind.name}"


def test_validator_passes_on_the_real_records(project: Repository) -> None:
    report = validate(project)
    assert report.checked == len(list(project.records()))
    assert report.checked > 0
    assert [str(p) for p in report.problems] == []


def test_dprk_validate_exits_zero(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DPRK_REPO", raising=False)
    result = Runner(tmp_path)("validate", "--repo", str(PROJECT))
    assert result.exit_code == 0, result.output
    assert result.output.rstrip().endswith("0 problems in 0 files")


def test_dprk_validate_finds_the_repository_from_records(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DPRK_REPO", raising=False)
    result = Runner(RECORDS)("validate")
    assert result.exit_code == 0, result.output


def test_every_record_has_a_quoted_source(loaded) -> None:
    for record, data in loaded:
        sources = data.get("sources") or []
        assert sources, f"{record.rel}: no sources"
        quoted = [s for s in sources if isinstance(s.get("quote"), str) and s["quote"].strip()]
        assert quoted, f"{record.rel}: no source with a quote"
        for source in sources:
            assert source.get("publisher") and source.get("title") and source.get("date"), (
                f"{record.rel}: incomplete source {source}"
            )


# The three Security Council Report documents the dataset started from (../shared/seeds/):
# their quotes may be longer, and their first citations carry no url.
SEED_DOCUMENTS = {
    "November 2023 Monthly Forecast: DPRK (North Korea)",
    "What's In Blue: DPRK (North Korea): Open Briefing",
    "February 2025 Monthly Forecast: DPRK (North Korea)",
}


def is_seed(source: dict) -> bool:
    return source.get("publisher") == "Security Council Report" and source.get("title") in SEED_DOCUMENTS


def test_every_source_but_the_seed_documents_has_a_url(loaded) -> None:
    missing = [
        (record.rel, source["title"])
        for record, data in loaded
        for source in data["sources"]
        if not is_seed(source) and not source.get("url")
    ]
    assert missing == []


def test_quotes_are_short(loaded) -> None:
    long = [
        (record.rel, len(source["quote"]))
        for record, data in loaded
        for source in data["sources"]
        if not is_seed(source) and len(source["quote"]) > 200
    ]
    assert long == []


def test_claims_and_assessments_name_their_actor_and_its_kind(project: Repository, loaded) -> None:
    for record, data in loaded:
        for observation in data.get("observations") or []:
            assert observation.get("actor") and observation.get("actor_type") and observation.get("stance"), record.rel
            if observation["stance"] == "claim":
                assert observation.get("actor_state") in (None, "PRK"), f"{record.rel}: a claim is the DPRK's own"


def test_the_readme_gives_the_counts_per_kind_and_year(project: Repository) -> None:
    result = Runner(PROJECT)("stats", "--markdown", "--repo", str(PROJECT))
    assert result.exit_code == 0, result.output
    guide = (PROJECT / "docs" / "analysts.md").read_text(encoding="utf-8")
    assert result.stdout.strip() in guide, "docs/analysts.md's table of records per kind and year is out of date"


def test_every_record_file_is_canonical(project: Repository, loaded) -> None:
    for record, data in loaded:
        on_disk = record.path.read_bytes()
        assert on_disk == project.render(record.kind, data).encode("utf-8"), f"{record.rel} is not in canonical form"


def test_record_ids_match_file_names(loaded) -> None:
    for record, data in loaded:
        assert data["id"] == record.id


def test_every_not_agreed_council_product_names_who_opposed_it(project: Repository, loaded) -> None:
    # Read from the schema which fields carry a status and an opposition list.
    for record, data in loaded:
        fields = record.kind.fields
        if "opposed_by" in fields and "status" in fields and data.get("status") == "not-agreed":
            assert data.get("opposed_by"), f"{record.rel}: not agreed, but no opposed_by"


def test_no_stray_files_under_records() -> None:
    for folder, _dirs, files in os.walk(RECORDS):
        for name in files:
            assert name.endswith(".yaml"), f"{os.path.join(folder, name)} is not a record file"
