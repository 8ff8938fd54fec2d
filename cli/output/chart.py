"""`dprk chart`: a timeline picture of launches, nuclear tests and the Council's response.

One horizontal lane per launch category (and one for nuclear tests), then a lane for the
Council's meetings on them, one for agreed Council products and one for products
proposed and not agreed (or vetoed), all on one time axis with every year marked, empty
ones too (every 2nd, 5th, 10th... year past 63 years: the picture's size is bounded
whatever the dates, see `time_axis`). Each event is its own mark, with the record's id as its SVG id (`event:ID`),
so a picture can be checked mark by mark. matplotlib is imported only here, and only
when a chart is drawn; without it, one line says how to install it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from cli.errors import UsageError
from cli.selection.reactions import AGREED, REFUSED, Reaction

FORMATS = ("svg", "png")
INSTALL = "pip install 'dprk-records[chart]'"
MEETINGS, AGREED_LANE, REFUSED_LANE = "Council meetings", "agreed Council products", "not agreed or vetoed"
STYLE = {  # lane -> (marker, colour)
    "nuclear test": ("*", "#b2182b"),
    MEETINGS: ("|", "#555555"),
    AGREED_LANE: ("o", "#1a9850"),
    REFUSED_LANE: ("x", "#d73027"),
}
LAUNCH_STYLE = ("^", "#2166ac")
INCHES_A_YEAR, MAX_WIDTH = 0.75, 48.0  # a year is 3/4 inch wide, until the figure is 48 inches (64 years) wide
INCHES_A_LANE, MAX_HEIGHT = 0.45, 48.0
YEAR_STEPS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000)  # years between marked years, the fewest that fit


def chart_format(output: str, fmt: str | None) -> str:
    """svg or png: as asked, else from the file name's extension."""
    chosen = (fmt or Path(output).suffix.lstrip(".")).lower()
    if chosen not in FORMATS:
        raise UsageError(f"{output}: a chart is an .svg or .png file", hint="name the file FILE.svg or FILE.png, or give --format")
    return chosen


def load_matplotlib() -> Any:
    try:
        import matplotlib
    except ImportError:
        raise UsageError("dprk chart needs matplotlib, which is not installed", hint=INSTALL) from None
    # matplotlib's own defaults, not a matplotlibrc: importing it reads one from the current
    # folder (a repository's, from a pull request) and one from the user's config, which
    # could send titles to LaTeX or raise the resolution of every picture a hundredfold
    matplotlib.rcdefaults()
    matplotlib.use("Agg")
    matplotlib.rcParams["svg.hashsalt"] = "dprk-records"  # the same records give the same file
    matplotlib.rcParams["svg.fonttype"] = "none"  # text stays text: searchable, and smaller
    # record text is drawn as it is written: `$...$` in a title or category is text, not
    # math (which could fail to parse), and no text goes to LaTeX
    matplotlib.rcParams["text.parse_math"] = False
    matplotlib.rcParams["text.usetex"] = False
    from matplotlib.figure import Figure

    return Figure


def marks(found: list[Reaction]) -> list[tuple[str, dt.date, str, str]]:
    """(lane, day, mark id, label) for every event, meeting and product to draw."""
    out = []
    seen: set[tuple[str, str]] = set()
    for reaction in found:
        data, kind = reaction.data, reaction.record.kind
        day = _day(data.get(kind.date_field or "date"))
        if day is None:
            continue
        lane = "nuclear test" if kind.name == "nuclear-test" else f"{data.get('category') or 'launch'}"
        out.append((lane, day, f"event:{reaction.record.id}", reaction.record.id))
        for date, meeting in reaction.meetings:
            if ("meeting", meeting) not in seen and _day(date):
                seen.add(("meeting", meeting))
                out.append((MEETINGS, _day(date), f"meeting:{meeting}", meeting))
        for response in reaction.responses:
            if not response.council or (response.id, response.type) in seen or _day(response.date) is None:
                continue
            if response.status in AGREED or response.status in REFUSED:
                seen.add((response.id, response.type))
                lane = AGREED_LANE if response.status in AGREED else REFUSED_LANE
                out.append((lane, _day(response.date), f"product:{response.id}", f"{response.type} {response.status}"))
    return out


def draw(found: list[Reaction], output: Path, fmt: str, title: str | None = None) -> int:
    """Draw the timeline to `output` (a temporary path the caller renames); returns the marks drawn."""
    Figure = load_matplotlib()

    drawn = marks(found)
    launch_lanes = sorted({lane for lane, *_ in drawn if lane not in STYLE}, key=_lane_order)
    lanes = launch_lanes + [lane for lane in ("nuclear test", MEETINGS, AGREED_LANE, REFUSED_LANE) if any(m[0] == lane for m in drawn)]
    years = [m[1].year for m in drawn] or [dt.date.today().year]
    first, last = min(years), max(years)
    width, marked = time_axis(first, last)
    height = min(MAX_HEIGHT, 1.2 + INCHES_A_LANE * max(len(lanes), 1))
    figure = Figure(figsize=(width, height), dpi=100)
    axes = figure.add_subplot(1, 1, 1)
    row = {lane: len(lanes) - 1 - i for i, lane in enumerate(lanes)}
    for lane, day, mark_id, label in drawn:
        marker, colour = STYLE.get(lane, LAUNCH_STYLE)
        (artist,) = axes.plot([day], [row[lane]], linestyle="none", marker=marker, color=colour, markersize=7, alpha=0.8)
        artist.set_gid(mark_id)
        artist.set_label("_" + label)  # kept out of any legend; the lanes name the marks
    axes.set_yticks([row[lane] for lane in lanes], lanes, parse_math=False, usetex=False)
    axes.set_ylim(-0.7, len(lanes) - 0.3)
    axes.set_xlim(dt.date(first, 1, 1), dt.date(last, 12, 31))
    axes.set_xticks([dt.date(year, 1, 1) for year in marked], [f"{year:04d}" for year in marked])
    axes.tick_params(axis="x", labelrotation=90)
    axes.grid(axis="x", color="#dddddd", linewidth=0.6)
    axes.set_title(title or f"DPRK launches and nuclear tests, and the Security Council's response, {first:04d}–{last:04d}",
                   parse_math=False, usetex=False)
    figure.tight_layout()
    figure.savefig(str(output), format=fmt, dpi=100, metadata={"Date": None} if fmt == "svg" else None)
    return len(drawn)


def time_axis(first: int, last: int) -> tuple[float, list[int]]:
    """The figure's width in inches and the years marked on its axis, for events from the
    year `first` to `last`: every year while the figure is at most MAX_WIDTH wide, then
    every 2nd, 5th, 10th... year on a figure MAX_WIDTH wide, so that any span of years
    (0001 to 9999) makes a picture of bounded size, drawn in bounded time."""
    span = last - first + 1
    width = max(8.0, 1.0 + INCHES_A_YEAR * span)
    if width <= MAX_WIDTH:
        return width, list(range(first, last + 1))
    most = int((MAX_WIDTH - 1.0) / INCHES_A_YEAR)
    step = next((s for s in YEAR_STEPS if span / s <= most), YEAR_STEPS[-1])
    start = -(-first // step) * step or step  # the first multiple of step in the span (there is no year 0)
    return MAX_WIDTH, list(range(start, last + 1, step))


def _lane_order(lane: str) -> tuple[int, str]:
    order = ["ICBM", "satellite-launch-vehicle", "IRBM", "MRBM", "SLBM", "hypersonic", "SRBM", "ballistic", "cruise", "unknown"]
    return (order.index(lane) if lane in order else len(order), lane)


def _day(date: Any) -> dt.date | None:
    from cli.records.dates import date_span

    span = date_span(date)
    return dt.date.fromisoformat(span[0]) if span else None
