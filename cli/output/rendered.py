"""CSV and TSV from the parse cache: each record's lines kept as the text they are written as.

Writing a CSV row costs more than reading the record it comes from, so a warm `export`
or `query --csv` writes each record's lines as the parse cache keeps them (a view, see
dprk_records.records.derived), made the first time by `write_delimited` itself: the text is the
same, byte for byte, as writing the rows would give. Only for selections that read
nothing of the records but their kind and date (dprk_records.selection.rows.selected_views).
"""

from __future__ import annotations

import io
from typing import IO, Any

from dprk_records.output.formats import write_delimited
from dprk_records.selection.filters import Selection
from dprk_records.selection.rows import Column, row_maker, selected_views, view_key


def write_rendered(
    repo: Any,
    selection: Selection,
    out: IO[str],
    columns: list[Column],
    explode: tuple[str, ...] | None,
    *,
    delimiter: str,
    escape: bool,
) -> int | None:
    """Write the header and every selected record's lines; the number of rows, or None
    (and nothing written) when the selection needs the records' data."""
    names = [c.name for c in columns]
    header = _render(names, [], delimiter, escape)
    make_rows = row_maker(columns, explode)

    def make(record: Any, data: dict[str, Any]) -> str:
        rows = make_rows(record, data)
        return f"{len(rows)}:" + _render(names, rows, delimiter, escape)[len(header) :]

    key = f"delimited:{delimiter!r}:{escape}:" + view_key(columns, explode)
    views = selected_views(repo, selection, key, make)
    if views is None:
        return None
    # as write_delimited does: dprk's guarded stdout (dprk_records.errors.GuardedStream) takes CSV through write_data
    write = getattr(out, "write_data", None) or out.write
    write(header)
    count = 0
    batch: list[str] = []
    size = 0
    for value in views:
        rows, _, text = value.partition(":")
        batch.append(text)
        size += len(text)
        count += int(rows)
        if size >= BATCH:
            write("".join(batch))
            batch, size = [], 0
    if batch:
        write("".join(batch))
    return count


# Records' lines are written some 64 KiB at a time: one pass of the output guard and one
# write for many records instead of one each (a tenth of a warm export's time at 10k records).
BATCH = 64 * 1024


def _render(names: list[str], rows: list[list[Any]], delimiter: str, escape: bool) -> str:
    buffer = io.StringIO()
    write_delimited(buffer, names, rows, delimiter=delimiter, escape=escape)
    return buffer.getvalue()
