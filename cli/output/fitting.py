"""Fitting a table to the terminal: nothing is cut to a stub.

When the natural table is wider than the terminal:

- headers break at `_` and `-` (`share_met_on` over two lines) before anything else;
- the rows' own ids (the first column of record ids), numbers and dates keep their
  whole width (an id can be pasted into another command);
- other text wraps onto more lines, in a column no narrower than MIN_TEXT (or its
  longest word);
- when even that does not fit, columns are left out, the last first (a command's
  columns come in the order that matters), never the first one nor the first column of
  ids (the rows' own); a note on stderr names them.

A table style that cannot show a cell on several lines gets no wrapping: its text
columns keep their width or are left out. Nothing is fitted when there is no width (the
output is not a terminal): piped output is never cut.
"""

from __future__ import annotations

import re
import textwrap
from typing import Any

ID_LIKE = re.compile(r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?-[a-z0-9]+(-[a-z0-9]+)*$")
DATE_LIKE = re.compile(r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$")
MIN_TEXT = 12  # a text column is never wrapped narrower than this,
MAX_WORD = 20  # nor than its longest word, up to this: words are broken only when longer
WORDS = re.compile(r"[^\s-]+-?")
GAP = 2  # tabulate's space between columns in the plain styles
HEADER_PAD = 2  # tabulate makes a column at least 2 wider than its header (MIN_PADDING)
NO_PAD = {"plain"}
EXTRA = {
    "grid": 3,
    "psql": 3,
    "pretty": 3,
    "outline": 3,
    "rounded_outline": 3,
    "fancy_grid": 3,
    "simple_grid": 3,
    "rounded_grid": 3,
    "heavy_grid": 3,
    "mixed_grid": 3,
    "double_grid": 3,
    "heavy_outline": 3,
    "mixed_outline": 3,
    "double_outline": 3,
    "fancy_outline": 3,
    "simple_outline": 3,
    "github": 3,
    "pipe": 3,
    "orgtbl": 3,
    "jira": 3,
    "presto": 3,
}


def numeric(values: list[Any]) -> bool:
    present = [v for v in values if v not in (None, "")]
    return bool(present) and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in present)


def whole(values: list[Any]) -> bool:
    """A column kept at its width: record ids, numbers, dates."""
    present = [v for v in values if v not in (None, "")]
    if not present:
        return True
    return numeric(present) or all(isinstance(v, str) and (ID_LIKE.match(v) or DATE_LIKE.match(v)) for v in present)


def _tokens(header: str) -> list[str]:
    return re.findall(r"[^_\-]+[_\-]?|[_\-]", header) or [header]


def wrap_header(header: str, width: int) -> str:
    """The header on as many lines as it needs, broken after `_` or `-`."""
    if len(header) <= width:
        return header
    lines, line = [], ""
    for token in _tokens(header):
        if line and len(line) + len(token) > width:
            lines.append(line)
            line = ""
        line += token
    return "\n".join(lines + [line])


def wrap_cell(value: Any, width: int) -> Any:
    if not isinstance(value, str) or len(value) <= width:
        return value
    return "\n".join(textwrap.wrap(value, width, break_on_hyphens=True, break_long_words=True)) or value


def plan(
    columns: list[str], body: list[list[Any]], width: int | None, *, multiline: bool = True, style: str = "simple"
) -> tuple[list[int], list[int | None]]:
    """Which columns to keep (indices) and the width to wrap each kept one to (None: as it is)."""
    count = len(columns)
    every = list(range(count))
    if width is None or not count:
        return every, [None] * count
    gap = EXTRA.get(style, GAP)
    cells = [max([len(str(row[i])) for row in body if row[i] is not None] or [0]) for i in every]
    pad = HEADER_PAD if style not in NO_PAD else 0
    natural = [max(cells[i], len(columns[i]) + pad) for i in every]
    if sum(natural) + gap * (count - 1) <= width:
        return every, [None] * count
    values = [[row[i] for row in body] for i in every]
    ids = [
        i for i in every if any(isinstance(v, str) and ID_LIKE.match(v) and not DATE_LIKE.match(v) for v in values[i])
    ]
    own = ids[:1]  # the rows' own ids: whole; ids of other records may wrap at their hyphens
    fixed = [(whole(values[i]) and (i in own or not ids or i not in ids)) or not multiline for i in every]
    header_min = [(max(len(t) for t in _tokens(c)) if multiline else len(c)) + pad for c in columns]
    words = [
        min(MAX_WORD, max([len(w) for v in values[i] if isinstance(v, str) for w in WORDS.findall(v)] or [0]))
        for i in every
    ]
    least = [
        max(cells[i], header_min[i]) if fixed[i] else max(header_min[i], min(cells[i], max(MIN_TEXT, words[i])))
        for i in every
    ]
    most = [max(cells[i], header_min[i]) for i in every]
    keep = list(every)
    protected = {0} | set(own)  # the first column and the rows' own ids
    while sum(least[i] for i in keep) + gap * (len(keep) - 1) > width:
        droppable = [i for i in keep if i not in protected]
        if not droppable:
            break
        keep.remove(droppable[-1])
    room = width - gap * (len(keep) - 1) - sum(least[i] for i in keep)
    widths = {i: least[i] for i in keep}
    growing = sorted((i for i in keep if not fixed[i] and most[i] > least[i]), key=lambda i: most[i] - least[i])
    while growing and room > 0:
        share = max(1, room // len(growing))
        i = growing.pop(0)
        extra = min(share, most[i] - widths[i], room)
        widths[i] += extra
        room -= extra
    return keep, [widths[i] for i in keep]


def fitted(
    columns: list[str], body: list[list[Any]], width: int | None, *, multiline: bool = True, style: str = "simple"
) -> tuple[list[str], list[list[Any]], list[str]]:
    """The headers, rows and the names of the columns left out, fitted to `width`."""
    keep, widths = plan(columns, body, width, multiline=multiline, style=style)
    left_out = [columns[i] for i in range(len(columns)) if i not in keep]
    pad = HEADER_PAD if style not in NO_PAD else 0
    headers = [wrap_header(columns[i], w - pad) if w else columns[i] for i, w in zip(keep, widths)]
    rows = [[wrap_cell(row[i], w) if w and multiline else row[i] for i, w in zip(keep, widths)] for row in body]
    return headers, rows, left_out
