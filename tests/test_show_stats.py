"""dprk show (a record and its backlinks) and dprk stats (counts per period, bar chart)."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import PROJECT, sample, write_record
from dprk_records.records import yamlread


@pytest.fixture
def data(repo: Path) -> Path:
    write_record(repo, "launch", sample("launch"))
    write_record(
        repo, "launch", sample("launch", id="2023-11-satellite", date="2023-11", title="Satellite launch", count=None)
    )
    write_record(repo, "launch", sample("launch", id="2022-test", date="2022", title="A year-only launch"))
    write_record(repo, "meeting", sample("meeting", launches=["2023-08-30-srbm"], reports=["2023-09-12-panel-midterm"]))
    write_record(repo, "statement", sample("statement", responds_to=["2023-08-30-srbm", "2023-08-25-open-briefing"]))
    write_record(repo, "sanctions-report", sample("sanctions-report", presented_at="2023-08-25-open-briefing"))
    return repo


# --- show --------------------------------------------------------------------------------------------


def test_show_prints_canonical_yaml_and_backlinks(run, data, repo):
    result = run("show", "2023-08-30-srbm")
    assert result.exit_code == 0, result.output
    text, _, links = result.output.partition("\n\n")
    assert text + "\n" == (repo / "records/launches/2023-08-30-srbm.yaml").read_text()
    assert "linked from 2 places" in links
    assert "2023-08-25-open-briefing" in links and "launches" in links
    assert "2023-08-24-sg-statement" in links and "responds_to" in links


def test_show_json_with_backlinks(run, data):
    shown = json.loads(run("show", "2023-08-25-open-briefing", "--json").output)
    assert shown["kind"] == "meeting" and shown["record"]["launches"] == ["2023-08-30-srbm"]
    assert [(b["kind"], b["id"], b["field"]) for b in shown["backlinks"]] == [
        ("statement", "2023-08-24-sg-statement", "responds_to"),
        ("sanctions-report", "2023-09-12-panel-midterm", "presented_at"),
    ]


def test_show_without_links(run, data):
    result = run("show", "2023-11-satellite")
    assert result.output.rstrip().endswith("# no records link here")
    quiet = run("show", "2023-08-30-srbm", "--no-links")
    assert "linked from" not in quiet.output
    assert yamlread.loads(quiet.output)["id"] == "2023-08-30-srbm"


def test_show_unknown_id_exits_2(run, data):
    result = run("show", "2099-01-01-nothing")
    assert result.exit_code == 2 and "no record with id '2099-01-01-nothing'" in result.output
    assert run("show", "../etc/passwd").exit_code == 2


# --- stats ---------------------------------------------------------------------------------------------


def test_stats_per_year_table_and_chart(run, data):
    result = run("stats")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["year", "launch", "meeting", "nuclear-test", "sanctions-report", "statement", "total"]
    body = {line.split()[0]: line.split()[1:] for line in lines[2:] if line and "|" not in line}
    assert body["2022"] == ["1", "0", "0", "0", "0", "1"]
    assert body["2023"] == ["2", "1", "0", "1", "1", "5"]
    assert body["total"] == ["3", "1", "0", "1", "1", "6"]
    bars = [line for line in lines if " | " in line]
    assert bars[0].startswith("2022 | 1 ") and bars[1].startswith("2023 | 5 ")
    assert bars[1].count("#") == 50 and bars[0].count("#") == 10


def test_stats_by_month_and_selection(run, data):
    rows = list(csv.reader(io.StringIO(run("stats", "launches", "--by", "month", "--csv").output)))
    assert rows == [
        ["month", "launch", "total"],
        ["2022-??", "1", "1"],
        ["2023-08", "1", "1"],
        ["2023-09", "0", "0"],
        ["2023-10", "0", "0"],
        ["2023-11", "1", "1"],
        ["total", "3", "3"],
    ]  # months with nothing count as zero
    since = list(csv.reader(io.StringIO(run("stats", "--since", "2023-11-15", "--csv").output)))
    assert since[1][0] == "2023" and since[1][-1] == "1"
    assert json.loads(run("stats", "--json", "--where", "kind=meeting").output)[0]["meeting"] == 1


def test_stats_empty(run, repo):
    result = run("stats")
    assert result.exit_code == 0 and "#" not in result.output


# --- the installed command ------------------------------------------------------------------------------


def test_help_does_not_import_tabulate():
    code = "import sys; from dprk_records.main import cli; cli(['--help'], standalone_mode=False); print('tabulate' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=PROJECT, capture_output=True, text=True, check=True).stdout
    assert out.strip().endswith("False")
    assert "query" in out and "export" in out and "show" in out and "stats" in out
