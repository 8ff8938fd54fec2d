"""The home page's timeline: each year's launches and nuclear tests, by the Council's response.

Drawn as a plain SVG from a template rather than by matplotlib: the site then needs
Jinja2 alone, the same records give the same bytes (no date, no random ids), every
label is text a screen reader and a search engine read, and the picture has a title,
a description and a table beside it with the same numbers (`dprk reactions --by year`).
The bars count events per response class (dprk_records.selection.reactions), stacked
in the order of CLASSES, the strongest response at the bottom.
"""

from __future__ import annotations

from typing import Any

from dprk_records.output.chart import COLOURS, LABELS
from dprk_records.selection.reactions import CLASSES, class_counts

BAR, GAP, HEIGHT, LEFT, TOP, BOTTOM = 22, 8, 220, 44, 16, 70


def timeline(found: list[Any]) -> dict[str, Any]:
    """Bars, axis ticks and legend of the timeline, in SVG user units."""
    years = class_counts(found, "year")
    most = max((sum(c.values()) for _, c in years), default=0) or 1
    step = next(s for s in (1, 2, 5, 10, 20, 50, 100, 1000, 10**6) if most / s <= 8)
    top = -(-most // step) * step
    scale = HEIGHT / top
    bars = []
    for number, (year, counts) in enumerate(years):
        x = LEFT + GAP + number * (BAR + GAP)
        y = TOP + HEIGHT
        parts = []
        for cls in CLASSES:
            if counts[cls]:
                h = counts[cls] * scale
                y -= h
                parts.append(
                    {
                        "y": round(y, 2),
                        "h": round(h, 2),
                        "colour": COLOURS[cls],
                        "text": f"{year}: {counts[cls]} {LABELS[cls]}",
                    }
                )
        bars.append({"year": year, "x": x, "total": sum(counts.values()), "parts": parts})
    width = LEFT + GAP + len(years) * (BAR + GAP) + 10
    ticks = [{"value": v, "y": round(TOP + HEIGHT - v * scale, 2)} for v in range(0, top + 1, step)]
    legend = [
        {"label": LABELS[c], "colour": COLOURS[c], "x": LEFT + i * 190, "y": TOP + HEIGHT + 50}
        for i, c in enumerate(CLASSES)
    ]
    first, last = (years[0][0], years[-1][0]) if years else ("", "")
    total = sum(b["total"] for b in bars)
    desc = (
        (
            f"A bar per year from {first} to {last}: {total} launches and nuclear tests in all, each bar split by the "
            "Council's response: " + "; ".join(f"{b['year']}: {b['total']}" for b in bars) + "."
        )
        if bars
        else "No events."
    )
    return {
        "bars": bars,
        "ticks": ticks,
        "legend": legend,
        "bar": BAR,
        "left": LEFT,
        "top": TOP,
        "height": HEIGHT,
        "width": max(width, LEFT + 4 * 190),
        "total_height": TOP + HEIGHT + BOTTOM,
        "first": first,
        "last": last,
        "desc": desc,
    }
