"""The coverage statement (docs/coverage.md) and the launch records hold each other true."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import PROJECT, Runner, sample, write_record
from dprk_records import Repository
from dprk_records.selection import coverage

TABLE = """# Coverage

Some prose first.

## Launch records per year

| year | CNS launch days | launch records | known missing |
| --- | ---: | ---: | --- |
| 2022 | 34 | **2** | none |
| 2023 | 19 | 1 | one |

## Something else

| year | launch records |
| --- | --- |
| 2022 | 99 |
"""


def test_the_bundled_records_hold_every_launch_the_coverage_statement_counts():
    problems = coverage.check(Repository.find(PROJECT))
    assert problems == []
    stated = coverage.stated_launch_counts((PROJECT / "docs" / "coverage.md").read_text(encoding="utf-8"))
    assert set(stated) >= {str(year) for year in range(2006, 2026)}


def test_the_table_is_read_by_its_heading_and_column_names():
    assert coverage.stated_launch_counts(TABLE) == {"2022": 2, "2023": 1}
    with pytest.raises(ValueError):
        coverage.stated_launch_counts(TABLE.replace("Launch records per year", "Launches"))
    with pytest.raises(ValueError):
        coverage.stated_launch_counts(TABLE.replace("| launch records |", "| records |", 1))


def test_a_row_with_fewer_cells_than_the_header_is_left_out():
    short = "## Launch records per year\n\n| year | note | launch records |\n| --- | --- | ---: |\n| 2021 |\n| 2022 | x | 2 |\n"
    assert coverage.stated_launch_counts(short) == {"2022": 2}
    header, rows = coverage.stated_table(short)
    assert header == ["year", "note", "launch records"] and rows == [["2021"], ["2022", "x", "2"]]


def launches(repo: Path, *dates: str) -> None:
    for n, date in enumerate(dates):
        write_record(repo, "launch", sample("launch", id=f"{date}-launch-{n}", date=date))


def test_a_dropped_launch_or_an_unstated_year_is_reported(repo: Path):
    launches(repo, "2022-01-05", "2022-03-24", "2023-07-12")
    (repo / "docs").mkdir()
    (repo / "docs" / "coverage.md").write_text(TABLE, encoding="utf-8")
    assert coverage.check(Repository.find(repo)) == []

    (repo / "records" / "launches" / "2022-03-24-launch-1.yaml").unlink()
    problems = coverage.check(Repository.find(repo))
    assert len(problems) == 1 and "2022" in problems[0] and "states 2" in problems[0] and "holds 1" in problems[0]

    launches(repo, "2022-03-24", "2024-01-14")
    problems = coverage.check(Repository.find(repo))
    assert len(problems) == 1 and "2024" in problems[0]


def test_reactions_and_stats_point_to_the_statement_on_stderr(repo: Path, run: Runner):
    launches(repo, "2022-01-05")
    for args in (["reactions"], ["reactions", "--by", "year", "--csv"], ["stats", "launches"], ["stats"]):
        result = run(*args)
        assert result.exit_code == 0 and "coverage.md" not in result.stderr
    (repo / "docs").mkdir()
    (repo / "docs" / "coverage.md").write_text(TABLE, encoding="utf-8")
    for args in (["reactions"], ["reactions", "--by", "year", "--csv"], ["stats", "launches"], ["stats"]):
        result = run(*args)
        assert result.exit_code == 0
        assert "docs/coverage.md" in result.stderr and "coverage.md" not in result.stdout
        assert len(result.stderr.strip().splitlines()) == 1
    assert "coverage.md" not in run("stats", "meetings").stderr


def test_a_statement_that_is_a_link_is_not_read(repo: Path, tmp_path: Path, run: Runner):
    outside = tmp_path / "outside.md"
    outside.write_text(TABLE, encoding="utf-8")
    (repo / "docs").mkdir()
    os.symlink(outside, repo / "docs" / "coverage.md")
    launches(repo, "2022-01-05")
    assert coverage.coverage_file(repo) is None
    assert coverage.check(Repository.find(repo)) == []
    assert "coverage.md" not in run("reactions").stderr
