"""`dprk votes --chart`: positions of Council members, one row per state, one column per year.

In each state's row and year, a mark for each position it took that year, side by side:
votes in favour, abstentions, votes against (and vetoes, drawn over them), joint
statements signed; a mark's area grows with the count. Every mark has the SVG id
`vote:YEAR:STATE:POSITION` and a `<title>` (hover): the state, the year and the count.
The rows are the rows of `dprk votes` (dprk_records.selection.votes); states that only signed
joint statements come after those that voted.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from dprk_records.output.chart import MAX_HEIGHT, load_matplotlib, time_axis, with_titles, wrap
from dprk_records.selection.votes import Position

SERIES = (  # (count, label, marker, colour, offset in years)
    ("in_favour", "in favour", "o", "#1a9850", -0.3),
    ("abstaining", "abstaining", "s", "#fdae61", -0.1),
    ("against", "against", "v", "#d73027", 0.1),
    ("vetoes", "veto", "X", "#000000", 0.1),
    ("joint_statements", "joint statements signed", "D", "#4575b4", 0.3),
)


def draw(found: list[Position], output: Path, fmt: str, title: str | None = None) -> int:
    """Draw the positions to `output` (a temporary path the caller renames); returns the marks drawn."""
    Figure = load_matplotlib()
    from matplotlib.lines import Line2D

    voted = sorted({p.state for p in found if any(p.counts[k] for k in ("in_favour", "against", "abstaining"))})
    states = voted + sorted({p.state for p in found} - set(voted))
    years = sorted({int(p.year) for p in found}) or [dt.date.today().year]
    first, last = years[0], years[-1]
    width, marked = time_axis(first, last)  # bounded, whatever the dates
    fig = Figure(figsize=(width, min(MAX_HEIGHT, 1.6 + 0.22 * max(len(states), 1))), dpi=100, layout="constrained")
    axes = fig.add_subplot(1, 1, 1)
    row = {state: len(states) - 1 - i for i, state in enumerate(states)}
    titles: dict[str, str] = {}
    count = 0
    for position in found:
        for key, label, marker, colour, offset in SERIES:
            n = position.counts[key]
            if not n:
                continue
            (artist,) = axes.plot(
                [int(position.year) + offset],
                [row[position.state]],
                linestyle="none",
                marker=marker,
                color=colour,
                markersize=4 + 2.2 * min(n, 6) ** 0.5,
            )
            mark_id = f"vote:{position.year}:{position.state}:{key}"
            artist.set_gid(mark_id)
            what = f"{label}: {n}" + (f" ({', '.join(position.vetoed)})" if key == "vetoes" and position.vetoed else "")
            titles[mark_id] = f"{position.state}, {position.year}: {what}"
            count += 1
    axes.set_yticks([row[s] for s in states], states, fontsize=7)
    axes.set_ylim(-0.8, len(states) - 0.2)
    axes.set_xticks(marked, [f"{y:04d}" for y in marked], fontsize=8)
    axes.set_xlim(first - 0.6, last + 0.6)
    axes.grid(axis="x", color="#eeeeee", linewidth=0.6)
    legend = [Line2D([], [], linestyle="none", marker=m, color=c, label=label) for _, label, m, c, _ in SERIES]
    fig.legend(handles=legend, loc="outside lower center", ncols=len(legend), frameon=False)
    heading = title or f"Positions of Council members recorded in the sources, {first:04d}–{last:04d}"
    fig.suptitle(wrap(heading, width), parse_math=False, usetex=False)
    if fmt == "svg":
        buffer = io.StringIO()
        fig.savefig(buffer, format="svg", metadata={"Date": None})
        Path(output).write_text(with_titles(buffer.getvalue(), titles), encoding="utf-8")
    else:
        fig.savefig(str(output), format=fmt)
    return count
