"""`dprk chart`: a real matplotlib picture, SVG or PNG, with one mark per event."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import resource
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from conftest import PROJECT, Runner, in_one_process, sample, write_record

# matplotlib is imported when a chart is drawn, not when the module is collected: the module's
# tests run in one pytest-xdist worker (--dist loadfile), the only one to import it
pytestmark = pytest.mark.skipif(importlib.util.find_spec("matplotlib") is None, reason="matplotlib is not installed")

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def events(repo):
    write_record(
        repo,
        "launch",
        sample("launch", id="2016-02-07-satellite", date="2016-02-07", category="satellite-launch-vehicle"),
    )
    write_record(repo, "launch", sample("launch", id="2022-05-25-icbm", date="2022-05-25", category="ICBM"))
    write_record(repo, "launch", sample("launch", id="2022-11-srbm", date="2022-11", category="SRBM"))
    write_record(repo, "nuclear-test", sample("nuclear-test"))
    write_record(
        repo,
        "meeting",
        sample(
            "meeting",
            id="2016-02-07-emergency",
            date="2016-02-07",
            launches=["2016-02-07-satellite"],
            outcomes=[{"type": "press-statement", "status": "issued"}],
        ),
    )
    write_record(
        repo,
        "meeting",
        sample(
            "meeting",
            id="2022-05-26-veto",
            date="2022-05-26",
            launches=["2022-05-25-icbm"],
            outcomes=[{"type": "resolution", "status": "vetoed", "responds_to": ["2022-05-25-icbm"]}],
        ),
    )
    return repo


def ids(svg_path) -> list[str]:
    root = ET.parse(svg_path).getroot()  # a well-formed XML document
    assert root.tag == f"{SVG}svg"
    return [
        element.get("id")
        for element in root.iter()
        if (element.get("id") or "").split(":")[0] in ("event", "meeting", "product")
    ]


def test_svg_holds_one_mark_per_event_meeting_and_product(events, run):
    result = run("chart", "-o", "timeline.svg")
    assert result.exit_code == 0, result.output
    marks = ids(events / "timeline.svg")
    assert sorted(m for m in marks if m.startswith("event:")) == [
        "event:2016-02-07-satellite",
        "event:2017-09-03-sixth-nuclear-test",
        "event:2022-05-25-icbm",
        "event:2022-11-srbm",
    ]
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
    code = "import sys; sys.modules['matplotlib'] = None; sys.argv = ['dprk', 'chart', '-o', 'x.svg']; from dprk_records.main import main; main()"
    env = {k: v for k, v in os.environ.items() if k != "DPRK_REPO"}
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=events, capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 2
    assert (
        done.stderr.strip()
        == "dprk: error: dprk chart needs matplotlib, which is not installed (pip install 'dprk-records[chart]')"
    )
    assert not (events / "x.svg").exists()


def test_the_bundled_records(tmp_path):
    result = Runner(tmp_path)("chart", "-o", "all.svg", "--repo", str(PROJECT))
    assert result.exit_code == 0, result.output
    marks = ids(tmp_path / "all.svg")
    reactions = Runner(tmp_path)("reactions", "--jsonl", "--repo", str(PROJECT)).stdout.splitlines()
    assert len([m for m in marks if m.startswith("event:")]) == len(reactions)


def groups(svg_path) -> dict[str, ET.Element]:
    root = ET.parse(svg_path).getroot()
    return {
        g.get("id"): g
        for g in root.iter(f"{SVG}g")
        if (g.get("id") or "").split(":")[0] in ("event", "meeting", "product", "share")
    }


def test_every_mark_has_a_hover_title_and_each_event_the_colour_of_its_response(events, run):
    from dprk_records.output.chart import COLOURS, LABELS
    from dprk_records.selection.reactions import NONE

    write_record(events, "launch", sample("launch", id="2022-05-25-second-icbm", date="2022-05-25", category="ICBM"))
    assert run("chart", "-o", "timeline.svg").exit_code == 0
    found = groups(events / "timeline.svg")
    reactions = {r["id"]: r for r in json.loads(run("reactions", "--json").stdout)}
    for mark_id, group in found.items():
        title = group.find(f"{SVG}title")
        assert title is not None and title.text, mark_id
        if mark_id.startswith("event:"):
            row = reactions[mark_id[6:]]
            assert title.text.startswith(f"{row['id']} ({row['date']}): ")
            days = row["days_to_response"]
            assert (f"after {days} day" in title.text) if days is not None else title.text.endswith(f": {LABELS[NONE]}")
            fills = {u.get("style").split("fill: ")[1].split(";")[0] for u in group.iter(f"{SVG}use")}
            assert fills == {COLOURS[row["response"]]}, mark_id
    assert "after 1 day" in found["event:2022-05-25-icbm"].find(f"{SVG}title").text
    assert {m.split(":")[0] for m in found} == {"event", "meeting", "product", "share"}


def test_marks_that_would_overlap_are_moved_apart(events, run):
    write_record(events, "launch", sample("launch", id="2022-05-25-second-icbm", date="2022-05-25", category="ICBM"))
    write_record(events, "launch", sample("launch", id="2022-05-27-third-icbm", date="2022-05-27", category="ICBM"))
    assert run("chart", "-o", "timeline.svg").exit_code == 0
    found = groups(events / "timeline.svg")
    places = {
        (u.get("x"), u.get("y"))
        for m in ("2022-05-25-icbm", "2022-05-25-second-icbm", "2022-05-27-third-icbm")
        for u in found[f"event:{m}"].iter(f"{SVG}use")
    }
    assert len({y for _, y in places}) == 3  # three levels of the lane, none drawn over another


def test_marks_with_no_room_left_are_counted():
    import datetime as dt

    from dprk_records.output.chart import LEVELS, place

    days = [dt.date(2022, 5, 25)] * (2 * LEVELS + 3)
    placed = place(days, 30)
    assert [level for level, _ in placed[: 2 * LEVELS + 1]] == [0, 1, -1, 2, -2, 3, -3][: 2 * LEVELS + 1]
    assert sum(count for _, count in placed) == len(days)  # each mark counted once
    assert max(count for _, count in placed) == 3 and placed[-1][1] == 0
    assert [level for level, _ in place([dt.date(2022, 1, 1), dt.date(2022, 6, 1)], 30)] == [0, 0]  # apart: no offset


def test_the_strip_gives_each_years_shares_from_the_same_rows(events, run):
    assert run("chart", "-o", "timeline.svg").exit_code == 0
    shares = {
        m: g.find(f"{SVG}title").text for m, g in groups(events / "timeline.svg").items() if m.startswith("share:")
    }
    rows = json.loads(run("reactions", "--json").stdout)
    expected = {}
    for row in rows:
        key = f"share:{row['date'][:4]}:{row['response']}"
        expected[key] = expected.get(key, 0) + 1
    assert set(shares) == set(expected)
    for key, count in expected.items():
        total = sum(1 for r in rows if r["date"][:4] == key.split(":")[1])
        assert f", {count} of {total} events" in shares[key]


def test_lanes_follow_the_schema_year_labels_are_level_and_the_title_fits(events, tmp_path):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from dprk_records.output.chart import figure
    from dprk_records.records.repository import Repository
    from dprk_records.selection.filters import build_selection
    from dprk_records.selection.reactions import event_kinds, reactions

    repo = Repository.find(str(events))
    found = reactions(repo, build_selection(repo, [k.name for k in event_kinds(repo)]))
    long_title = "A title of our own that is much longer than the picture is wide, " * 3
    for chosen, title in (
        (found, None),
        (found[:1], long_title),
        ([r for r in found if r.data.get("category") == "ICBM"], None),
    ):
        fig, _, _ = figure(chosen, title)
        canvas = FigureCanvasAgg(fig)
        canvas.draw()
        renderer = canvas.get_renderer()
        box = fig.bbox
        heading = fig._suptitle.get_window_extent(renderer)
        assert box.x0 <= heading.x0 and heading.x1 <= box.x1 and heading.y1 <= box.y1, (heading, box)
        strip = fig.axes[1]
        assert all(label.get_rotation() == 0 for label in strip.get_xticklabels())
    fig, _, _ = figure(found)
    lanes = [label.get_text() for label in fig.axes[0].get_yticklabels()]
    enum = repo.schemas.kinds["launch"].fields["category"].leaf.enum
    launch_lanes = [lane for lane in lanes if lane in enum]
    assert launch_lanes == [c for c in enum if c in launch_lanes] == ["SRBM", "ICBM", "satellite-launch-vehicle"]
    assert lanes.index("Nuclear test") == len(launch_lanes)


def _limited() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))  # 1 GiB


def test_a_chart_spanning_millennia_is_drawn_at_a_bounded_size(repo):
    write_record(repo, "launch", sample("launch", id="0001-first", date="0001"))
    write_record(repo, "launch", sample("launch", id="9999-12-31-last", date="9999-12-31"))
    write_record(
        repo,
        "meeting",
        sample(
            "meeting",
            id="9999-12-31-meeting",
            date="9999-12-31",
            launches=["0001-first", "9999-12-31-last"],
            outcomes=[{"type": "press-statement", "status": "issued"}],
        ),
    )
    # both drawn in one process under the memory limit
    for code, _, stderr in in_one_process(
        repo, [["chart", "-o", "span.png"], ["chart", "-o", "span.svg"]], timeout=600, preexec_fn=_limited
    ):
        assert code == 0, stderr
    width, height = struct.unpack(">II", (repo / "span.png").read_bytes()[16:24])  # the PNG header's size in pixels
    assert width <= 4800 and height <= 4800, (width, height)
    root = ET.parse(repo / "span.svg").getroot()
    assert (
        float(root.get("width").removesuffix("pt")) <= 48 * 72
        and float(root.get("height").removesuffix("pt")) <= 48 * 72
    )
    assert {"event:0001-first", "event:9999-12-31-last", "meeting:9999-12-31-meeting"} <= set(ids(repo / "span.svg"))
    text = (repo / "span.svg").read_text(encoding="utf-8")
    years = [int(y) for y in re.findall(r">(\d{4})<", text)]
    assert 10 <= len(years) <= 64 and "0001–9999" in text  # years marked at a step, and the title's span


def test_a_short_span_marks_every_year_and_a_long_one_every_nth():
    from dprk_records.output.chart import INCH_PER_YEAR, MAX_WIDTH, time_axis

    width, marked = time_axis(2006, 2025)
    assert width == pytest.approx(2.2 + INCH_PER_YEAR * 20) and marked == list(range(2006, 2026))
    assert time_axis(2023, 2023) == (8.0, [2023])
    width, marked = time_axis(1, 9999)
    assert width == MAX_WIDTH and marked[0] >= 1 and marked[-1] <= 9999 and len(marked) <= 64
    assert len({b - a for a, b in zip(marked, marked[1:])}) == 1  # evenly spaced
    width, marked = time_axis(1900, 2100)
    assert width == MAX_WIDTH and marked[0] == 1900 and marked[-1] == 2100


HOSTILE_TEXT = "$\\frac{1}{$ and $x^2$ cost $5"  # math that does not parse, math that would, a lone dollar


def test_record_text_and_titles_are_drawn_as_text_never_as_math(repo, run):
    write_record(repo, "launch", sample("launch", category=HOSTILE_TEXT))  # chart reads records unchecked
    write_record(repo, "launch", sample("launch", id="2023-09-01-x", date="2023-09-01", category="$x$"))
    for name, title in (("default.svg", None), ("titled.svg", HOSTILE_TEXT)):
        result = run("chart", "-o", name, *(["--title", title] if title else []))
        assert result.exit_code == 0, result.output
        texts = ["".join(t.itertext()) for t in ET.parse(repo / name).getroot().iter(f"{SVG}text")]
        assert HOSTILE_TEXT in texts and "$x$" in texts, texts
        if title:
            assert title in texts
    assert run("chart", "-o", "titled.png", "--title", HOSTILE_TEXT).exit_code == 0


def test_a_matplotlibrc_in_the_repository_is_not_read(repo):
    # matplotlib reads ./matplotlibrc when imported; a pull request could add one asking for
    # LaTeX (which would read files named in a title) or a picture a hundred times larger
    write_record(repo, "launch", sample("launch", category="$x$"))
    (repo / "matplotlibrc").write_text("text.usetex: True\ntext.parse_math: True\nsavefig.dpi: 300\nfigure.dpi: 300\n")
    env = {k: v for k, v in os.environ.items() if k not in ("DPRK_REPO", "MPLCONFIGDIR", "MATPLOTLIBRC")}
    done = subprocess.run(
        [sys.executable, "-m", "dprk_records", "chart", "-o", "rc.png"],
        cwd=repo,
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        preexec_fn=_limited,
    )
    assert done.returncode == 0, done.stderr
    width, height = struct.unpack(">II", (repo / "rc.png").read_bytes()[16:24])
    assert (width, height) == (800, 310)  # 8 by 3.1 inches at 100 dots an inch: one lane, one year, the yearly strip
