"""`dprk chart`: a timeline picture of launches, nuclear tests and the Council's response.

One lane per launch category (in the order of the schema's enum for the field marked
`x-lane`) and one per other kind of event, then a lane for the Council's meetings on
them, one for agreed Council products and one for products proposed and not agreed (or
vetoed), all on one time axis with every year marked, empty ones too. Each event is
coloured by its response class (dprk_records.selection.reactions: agreed product, product not
agreed, met on, none). Marks that would overlap in a lane are moved up or down within
it, and where no room is left the marks drawn over each other are counted (`×2`).
Below, a strip gives each year's share of events in each class, from the same rows.
Every year is marked on the axis, empty ones too (every 2nd, 5th, 10th... year past 41
years: the picture's size is bounded whatever the dates, see `time_axis`). Record text
is drawn as text, never as math or LaTeX.

In an SVG every mark is an element whose id is `event:ID`, `meeting:ID`, `product:ID`
or `share:YEAR:CLASS`, with a `<title>` (shown on hover): the id, the date and the
response with the days to it. matplotlib is imported only here, when a chart is drawn.
"""

from __future__ import annotations

import datetime as dt
import re
import textwrap
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from dprk_records.errors import UsageError
from dprk_records.records.dates import date_span
from dprk_records.selection.reactions import AGREED_PRODUCT, CLASSES, MET_ON, NONE, NOT_AGREED, Reaction, class_counts

FORMATS = ("svg", "png")
INSTALL = "pip install 'dprk-records[chart]'"
MEETINGS, AGREED_LANE, REFUSED_LANE = "Council meetings", "agreed Council products", "not agreed or vetoed"
# The response classes' colours (each at least 3:1 against white, as a graphic needs) and
# words, for the charts and the site's timeline alike
COLOURS = {AGREED_PRODUCT: "#1a7a3f", NOT_AGREED: "#b2182b", MET_ON: "#2c5aa0", NONE: "#8a8a8a"}
LABELS = {
    AGREED_PRODUCT: "agreed Council product",
    NOT_AGREED: "product not agreed or vetoed",
    MET_ON: "Council met on it",
    NONE: "no recorded response",
}
STYLE = {
    MEETINGS: ("|", "#555555"),
    AGREED_LANE: ("o", COLOURS[AGREED_PRODUCT]),
    REFUSED_LANE: ("X", COLOURS[NOT_AGREED]),
}
EVENT_MARKERS = ("^", "*", "D", "s", "P")  # one per kind of event, in schema order
INCH_PER_YEAR, MARKER_PT, STEP, LEVELS = 1.1, 6.5, 0.13, 3  # levels: up to 3 above and 3 below the lane
MAX_WIDTH, MAX_HEIGHT = 48.0, 48.0  # inches: the picture's size is bounded whatever the dates (time_axis)
YEAR_STEPS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000)  # years between marked years, the fewest that fit


def chart_format(output: str, fmt: str | None, *, choosable: bool = True) -> str:
    """svg or png: as asked, else from the file name's extension (the only way when the
    caller offers no choice of format: not `choosable`)."""
    chosen = (fmt or Path(output).suffix.lstrip(".")).lower()
    if chosen not in FORMATS:
        raise UsageError(
            f"{output}: a chart is an .svg or .png file",
            hint="name the file FILE.svg or FILE.png" + (", or give {fmt}" if choosable else ""),
            params=("output", "fmt"),
        )
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


def _plural(days: int) -> str:
    return f"{days} day{'' if days == 1 else 's'}"


def hover(reaction: Reaction) -> str:
    """What a mark says on hover: id, date, and the response with the days to it."""
    response, days = reaction.response()
    text = f"{reaction.record.id} ({reaction.date}): {LABELS[response]}"
    return text + (f" after {_plural(days)}" if days is not None else "")


def lanes_of(found: list[Reaction]) -> list[tuple[str, str]]:
    """(lane, marker) for every event lane, in schema order: a lane per value of the kind's
    `x-lane` field (its enum order), else one per kind."""
    out: dict[str, str] = {}
    kinds = list(dict.fromkeys(r.record.kind for r in found))
    for number, kind in enumerate(kinds):
        marker = EVENT_MARKERS[number % len(EVENT_MARKERS)]
        lane = _lane_field(kind)
        values = (kind.fields[lane].leaf.enum or []) if lane else []
        present = {r.data.get(lane) for r in found if r.record.kind is kind} if lane else set()
        for value in values + sorted(str(v) for v in present if v not in values):
            if value in present:
                out[str(value)] = marker
        if not lane or any(r.data.get(lane) is None for r in found if r.record.kind is kind):
            out[kind.title] = marker
    return list(out.items())


def _lane_field(kind: Any) -> str | None:
    return next((name for name, item in kind.fields.items() if item.schema.get("x-lane")), None)


def marks(found: list[Reaction]) -> list[tuple[str, dt.date, str, str, str]]:
    """(lane, day, mark id, hover text, colour) for every event, meeting and product to draw."""
    out = []
    seen: set[str] = set()
    for reaction in found:
        day = _day(reaction.date)
        if day is None:
            continue
        lane = _lane_field(reaction.record.kind)
        value = reaction.data.get(lane) if lane else None
        out.append(
            (
                str(value) if value is not None else reaction.record.kind.title,
                day,
                f"event:{reaction.record.id}",
                hover(reaction),
                COLOURS[reaction.response()[0]],
            )
        )
        for start, meeting in reaction.meetings:
            if f"meeting:{meeting}" not in seen and _day(start):
                seen.add(f"meeting:{meeting}")
                out.append(
                    (
                        MEETINGS,
                        _day(start),
                        f"meeting:{meeting}",
                        f"{meeting} ({start}): Council meeting",
                        STYLE[MEETINGS][1],
                    )
                )
        for response in reaction.responses:
            mark = f"product:{response.id}"
            if not (response.agreed or response.refused) or mark in seen or _day(response.date) is None:
                continue
            seen.add(mark)
            lane = AGREED_LANE if response.agreed else REFUSED_LANE
            out.append(
                (
                    lane,
                    _day(response.date),
                    mark,
                    f"{response.id} ({response.date}): {response.type} {response.status}",
                    STYLE[lane][1],
                )
            )
    return out


def place(days: list[dt.date], gap: float) -> list[tuple[int, int]]:
    """A level (0, 1, -1, 2, -2, ...) for each mark of a lane, in the given (date) order,
    so that no two marks closer than `gap` days share a level while a free level remains;
    with the number of marks drawn over each other there (1 for a mark on its own)."""
    order = [0] + [s * n for n in range(1, LEVELS + 1) for s in (1, -1)]
    last: dict[int, tuple[dt.date, int]] = {}  # level -> (day of its last mark, index of that mark)
    out: list[tuple[int, int]] = []
    for day in days:
        free = [lv for lv in order if lv not in last or (day - last[lv][0]).days >= gap]
        if free:
            last[free[0]] = (day, len(out))
            out.append((free[0], 1))
            continue
        level = min(order, key=lambda lv: (last[lv][0], abs(lv)))  # no room: count it with the mark it covers
        under = last[level][1]
        out[under] = (level, out[under][1] + 1)
        out.append((level, 0))
    return out


def figure(found: list[Reaction], title: str | None = None) -> tuple[Any, dict[str, str], int]:
    """The picture as a matplotlib Figure, the hover text of each mark id, and the marks drawn."""
    Figure = load_matplotlib()
    from matplotlib.lines import Line2D

    drawn = marks(found)
    event_lanes = lanes_of(found)
    lanes = [lane for lane, _ in event_lanes] + [lane for lane in STYLE if any(m[0] == lane for m in drawn)]
    shapes = dict(event_lanes) | {lane: style[0] for lane, style in STYLE.items()}
    years = [m[1].year for m in drawn] or [dt.date.today().year]
    first, last = min(years), max(years)
    width, marked = time_axis(first, last)
    fig = Figure(figsize=(width, min(MAX_HEIGHT, 2.6 + 0.5 * max(len(lanes), 1))), dpi=100, layout="constrained")
    axes, strip = fig.subplots(2, 1, sharex=True, height_ratios=[max(len(lanes), 1), 1.6])
    row = {lane: len(lanes) - 1 - i for i, lane in enumerate(lanes)}
    per_year = (width - 2.2) / (last - first + 1)  # inches
    gap = (MARKER_PT / 72) / (per_year / 365.25) * 1.15  # a marker's width, in days
    titles: dict[str, str] = {}
    for lane in lanes:
        in_lane = sorted((m for m in drawn if m[0] == lane), key=lambda m: (m[1], m[2]))
        for (_, day, mark_id, text, colour), (level, stacked) in zip(in_lane, place([m[1] for m in in_lane], gap)):
            size = MARKER_PT * (1.5 if shapes[lane] == "*" else 1.0)
            (artist,) = axes.plot(
                [day],
                [row[lane] + level * STEP],
                linestyle="none",
                marker=shapes[lane],
                color=colour,
                markersize=size,
                markeredgecolor="#333333" if lane not in STYLE else colour,
                markeredgewidth=0.4,
            )
            artist.set_gid(mark_id)
            titles[mark_id] = text
            if stacked > 1:  # marks that still overlap are counted
                label = axes.annotate(
                    f"×{stacked}",
                    (day, row[lane] + level * STEP),
                    xytext=(4, 3),
                    textcoords="offset points",
                    fontsize=6,
                    color="#333333",
                )
                label.set_gid(f"count:{mark_id}")
                titles[f"count:{mark_id}"] = f"{stacked} marks drawn over each other here, from {mark_id}"
    axes.set_yticks([row[lane] for lane in lanes], lanes, parse_math=False, usetex=False)
    axes.set_ylim(-0.6, len(lanes) - 0.4)
    axes.grid(axis="x", color="#dddddd", linewidth=0.6)
    _strip(strip, found, titles)
    strip.set_xlim(dt.date(first, 1, 1), dt.date(last, 12, 31))
    strip.set_xticks([dt.date(year, 1, 1) for year in marked], [f"{year:04d}" for year in marked])
    strip.tick_params(axis="x", labelrotation=0, labelsize=9)
    legend = [
        Line2D([], [], linestyle="none", marker="s", markersize=8, color=COLOURS[c], label=LABELS[c]) for c in CLASSES
    ]
    fig.legend(
        handles=legend, loc="outside lower center", ncols=len(legend), frameon=False, title="response to each event"
    )
    text = title or f"DPRK launches and nuclear tests, and the Security Council's response, {first:04d}–{last:04d}"
    fig.suptitle(wrap(text, width), parse_math=False, usetex=False)
    return fig, titles, len(drawn)


def time_axis(first: int, last: int) -> tuple[float, list[int]]:
    """The figure's width in inches and the years marked on its axis, for events from the
    year `first` to `last`: every year while the figure is at most MAX_WIDTH wide, then
    every 2nd, 5th, 10th... year on a figure MAX_WIDTH wide, so that any span of years
    (0001 to 9999) makes a picture of bounded size, drawn in bounded time."""
    span = last - first + 1
    width = max(8.0, 2.2 + INCH_PER_YEAR * span)
    if width <= MAX_WIDTH:
        return width, list(range(first, last + 1))
    most = int((MAX_WIDTH - 2.2) / INCH_PER_YEAR)
    step = next((s for s in YEAR_STEPS if span / s <= most), YEAR_STEPS[-1])
    start = -(-first // step) * step or step  # the first multiple of step in the span (there is no year 0)
    return MAX_WIDTH, list(range(start, last + 1, step))


def wrap(text: str, width_inches: float, size_pt: float = 12.0) -> str:
    """The title broken into lines that fit the figure (a character is about 0.6 em wide)."""
    per_line = max(20, int((width_inches - 0.4) * 72 / (size_pt * 0.6)))
    return "\n".join(textwrap.wrap(" ".join(text.split()), per_line)) or " "


def _strip(strip: Any, found: list[Reaction], titles: dict[str, str]) -> None:
    """Each year's shares of events in each response class, as stacked bars."""
    for period, counts in class_counts(found, "year"):
        total = sum(counts.values())
        bottom = 0.0
        for cls in CLASSES:
            if not total or not counts[cls]:
                continue
            share = counts[cls] / total
            (bar,) = strip.bar(
                [dt.date(int(period), 7, 2)], [share], width=300, bottom=bottom, color=COLOURS[cls]
            ).patches
            mark_id = f"share:{period}:{cls}"
            bar.set_gid(mark_id)
            titles[mark_id] = f"{period}: {LABELS[cls]}, {counts[cls]} of {total} events ({share:.0%})"
            bottom += share
    strip.set_ylim(0, 1)
    strip.set_yticks([0, 0.5, 1], ["0", "50%", "100%"])
    strip.set_ylabel("share of\nyear's events", fontsize=8)


def draw(found: list[Reaction], output: Path, fmt: str, title: str | None = None) -> int:
    """Draw the timeline to `output` (a temporary path the caller renames); returns the marks drawn."""
    fig, titles, count = figure(found, title)
    if fmt == "svg":
        import io

        buffer = io.StringIO()
        fig.savefig(buffer, format="svg", metadata={"Date": None})
        Path(output).write_text(with_titles(buffer.getvalue(), titles), encoding="utf-8")
    else:
        fig.savefig(str(output), format=fmt)
    return count


def with_titles(svg: str, titles: dict[str, str]) -> str:
    """Put a `<title>` first in each group whose id has hover text."""

    def add(match: re.Match[str]) -> str:
        text = titles.get(_unescape(match.group(2)))
        return match.group(1) if text is None else f"{match.group(1)}\n   <title>{escape(text)}</title>"

    return re.sub(r'(<g id="([^"]*)"[^>]*>)', add, svg)


def _unescape(text: str) -> str:
    return text.replace("&quot;", '"').replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _day(date: Any) -> dt.date | None:
    span = date_span(date)
    if not span:
        return None
    try:
        return dt.date.fromisoformat(span[0])
    except ValueError:  # a year the calendar module reads and datetime does not (0000)
        return None
