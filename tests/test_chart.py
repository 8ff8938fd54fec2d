"""`dprk chart`: a real matplotlib picture, SVG or PNG, with one mark per event."""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from conftest import PROJECT, Runner, sample, write_record

pytest.importorskip("matplotlib")

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def events(repo):
    write_record(repo, "launch", sample("launch", id="2016-02-07-satellite", date="2016-02-07", category="satellite-launch-vehicle"))
    write_record(repo, "launch", sample("launch", id="2022-05-25-icbm", date="2022-05-25", category="ICBM"))
    write_record(repo, "launch", sample("launch", id="2022-11-srbm", date="2022-11", category="SRBM"))
    write_record(repo, "nuclear-test", sample("nuclear-test"))
    write_record(repo, "meeting", sample("meeting", id="2016-02-07-emergency", date="2016-02-07", launches=["2016-02-07-satellite"],
                                         outcomes=[{"type": "press-statement", "status": "issued"}]))
    write_record(repo, "meeting", sample("meeting", id="2022-05-26-veto", date="2022-05-26", launches=["2022-05-25-icbm"],
                                         outcomes=[{"type": "resolution", "status": "vetoed", "responds_to": ["2022-05-25-icbm"]}]))
    return repo


def ids(svg_path) -> list[str]:
    root = ET.parse(svg_path).getroot()  # a well-formed XML document
    assert root.tag == f"{SVG}svg"
    return [element.get("id") for element in root.iter() if (element.get("id") or "").split(":")[0] in ("event", "meeting", "product")]


def test_svg_holds_one_mark_per_event_meeting_and_product(events, run):
    result = run("chart", "-o", "timeline.svg")
    assert result.exit_code == 0, result.output
    marks = ids(events / "timeline.svg")
    assert sorted(m for m in marks if m.startswith("event:")) == [
        "event:2016-02-07-satellite", "event:2017-09-03-sixth-nuclear-test", "event:2022-05-25-icbm", "event:2022-11-srbm"]
    assert "meeting:2016-02-07-emergency" in marks and "meeting:2022-05-26-veto" in marks
    assert "product:2016-02-07-emergency" in marks and "product:2022-05-26-veto" in marks
    text = (events / "timeline.svg").read_text(encoding="utf-8")
    for year in range(2016, 2023):  # years with no records are on the axis too
        assert f">{year}<" in text, year


def test_selection_options_choose_the_events(events, run):
    assert run("chart", "launches", "--where", "category=ICBM", "-o", "icbm.svg").exit_code == 0
    assert sorted(m for m in ids(events / "icbm.svg") if m.startswith("event:")) == ["event:2022-05-25-icbm"]


def test_png_is_a_png_and_files_are_replaced_only_with_force(events, run):
    assert run("chart", "-o", "timeline.png").exit_code == 0
    assert (events / "timeline.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    again = run("chart", "-o", "timeline.png")
    assert again.exit_code == 2 and "already exists" in again.stderr
    assert run("chart", "-o", "timeline.png", "--force").exit_code == 0
    assert run("chart", "-o", "picture", "--format", "png").exit_code == 0
    assert (events / "picture").read_bytes()[:4] == b"\x89PNG"


def test_a_file_that_is_not_a_picture_is_a_usage_error(events, run):
    result = run("chart", "-o", "timeline.pdf")
    assert result.exit_code == 2 and "a chart is an .svg or .png file" in result.stderr


def test_without_matplotlib_one_line_says_how_to_install_it(events):
    code = "import sys; sys.modules['matplotlib'] = None; sys.argv = ['dprk', 'chart', '-o', 'x.svg']; from cli.main import main; main()"
    env = {k: v for k, v in os.environ.items() if k != "DPRK_REPO"}
    done = subprocess.run([sys.executable, "-c", code], cwd=events, capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 2
    assert done.stderr.strip() == "dprk: error: dprk chart needs matplotlib, which is not installed (pip install 'dprk-records[chart]')"
    assert not (events / "x.svg").exists()


def test_the_bundled_records(tmp_path):
    result = Runner(tmp_path)("chart", "-o", "all.svg", "--repo", str(PROJECT))
    assert result.exit_code == 0, result.output
    marks = ids(tmp_path / "all.svg")
    reactions = Runner(tmp_path)("reactions", "--jsonl", "--repo", str(PROJECT)).stdout.splitlines()
    assert len([m for m in marks if m.startswith("event:")]) == len(reactions)
