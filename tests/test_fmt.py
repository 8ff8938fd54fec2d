"""`dprk fmt`: canonical form, written atomically, or checked."""

from __future__ import annotations

from pathlib import Path

from conftest import Runner, sample, write_record

NON_CANONICAL = """\
title: Secretary-General condemns the launch
id: "2023-08-24-sg-statement"
date: "2023-08-24"
summary: "The Secretary-General condemned the launch."
type: secretary-general
status: issued
sources:
- publisher: Security Council Report
  title: November 2023 Monthly Forecast
  date: "2023-11"
  quote: the DPRK fired two short-range ballistic missiles into waters off its east coast
"""


def setup_files(repo: Path) -> tuple[Path, Path, bytes]:
    canonical = write_record(repo, "launch", sample("launch"))
    messy = write_record(repo, "statement", {}, raw=NON_CANONICAL, name="2023-08-24-sg-statement")
    return canonical, messy, canonical.read_bytes()


def test_fmt_rewrites_only_files_that_change(repo: Path, run: Runner) -> None:
    canonical, messy, before = setup_files(repo)
    mtime = canonical.stat().st_mtime_ns
    result = run("fmt")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "formatted records/statements/2023-08-24-sg-statement.yaml",
        "2 records checked, 1 rewritten",
    ]
    text = messy.read_text()
    assert text.startswith(
        "# yaml-language-server: $schema=../../schema/statement.schema.json\nid: 2023-08-24-sg-statement\n"
    )
    assert canonical.read_bytes() == before and canonical.stat().st_mtime_ns == mtime
    assert run("fmt", "--check").exit_code == 0
    assert not list(messy.parent.glob(".*.tmp"))


def test_fmt_check_writes_nothing_and_shows_a_diff(repo: Path, run: Runner) -> None:
    _, messy, _ = setup_files(repo)
    result = run("fmt", "--check")
    assert result.exit_code == 1
    assert "records/statements/2023-08-24-sg-statement.yaml: not in canonical form" in result.output
    assert "+++ records/statements/2023-08-24-sg-statement.yaml (canonical)" in result.output
    assert "+# yaml-language-server: $schema=../../schema/statement.schema.json" in result.output
    assert '-  date: "2023-11"' in result.output
    assert "1 would be rewritten" in result.output
    assert messy.read_text() == NON_CANONICAL


def test_fmt_leaves_unparsable_files_alone_and_fails(repo: Path, run: Runner) -> None:
    broken = write_record(repo, "launch", {}, raw="id: [unclosed\n", name="2023-08-30-srbm")
    write_record(repo, "statement", {}, raw=NON_CANONICAL, name="2023-08-24-sg-statement")
    result = run("fmt")
    assert result.exit_code == 1
    assert "records/launches/2023-08-30-srbm.yaml:2:1:" in result.output and "(not formatted)" in result.output
    assert "formatted records/statements/2023-08-24-sg-statement.yaml" in result.output
    assert broken.read_text() == "id: [unclosed\n"


def test_fmt_paths_limit_the_files(repo: Path, run: Runner) -> None:
    _, messy, _ = setup_files(repo)
    assert run("fmt", "--check", "records/launches").exit_code == 0
    assert run("fmt", "--check", str(messy)).exit_code == 1
    assert run("fmt", "no/such/file.yaml").exit_code == 2
