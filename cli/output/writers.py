"""The built-in formats of rows and records, one writer class each (see
dprk_records.output.registry; their base is dprk_records.output.writer): text, table and its
bar chart, CSV, TSV, JSON, JSON Lines, Markdown.

What `query`, `export`, `schema`, `stats`, `reactions`, `votes` and `show` write. The
formats' writers of validation problems (dprk_records.output.problemwriters), of diffs and
logs (dprk_records.output.diffwriters) and of files of their own
(dprk_records.output.filewriters) are subclasses of these, in modules loaded only by the
commands that write those. Tabulate is imported only when a table is drawn.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO, Any

from dprk_records.errors import one_line
from dprk_records.output.formats import (
    row_objects,
    write_delimited,
    write_json,
    write_jsonl,
    write_markdown,
    write_table,
)
from dprk_records.output.writer import Writer

BAR = "#"


@dataclass
class Shown:
    """One record as `dprk show` prints it: `text` is its canonical YAML; `links` the rows of
    the records that link to it (None when they were not looked up); `paths` each value
    with its path, when those are asked for instead."""

    kind: str
    id: str
    data: dict[str, Any]
    text: str = ""
    links: list[dict[str, Any]] | None = None
    paths: list[tuple[str, Any]] | None = None


def dumps(value: Any, indent: int | None = None) -> str:
    """JSON as the writers print it: any character as itself."""
    return json.dumps(value, ensure_ascii=False, indent=indent)


class TextWriter(Writer):
    name = "text"
    help = "plain lines for the terminal"

    def write_record(self, out: IO[str], shown: Shown) -> None:
        if shown.paths is not None:
            for path, value in shown.paths:
                out.write(one_line(f"{path}: {dumps(value)}") + "\n")
            return
        out.write(shown.text)
        if shown.links is None:
            return
        out.write("\n")
        if not shown.links:
            out.write("# no records link here\n")
            return
        count = len(shown.links)
        out.write(f"# linked from {count} {'place' if count == 1 else 'places'}:\n")
        columns = list(shown.links[0])
        TableWriter().write_rows(out, columns, [[row[c] for c in columns] for row in shown.links])


class TableWriter(Writer):
    name = "table"
    help = "a table for the terminal"
    terminal = True
    styled = True

    def write_rows(
        self, out: IO[str], columns: list[str], rows: Iterable[list[Any]], *, drop_empty: bool = False
    ) -> int:
        return write_table(out, columns, rows, style=self.style, drop_empty=drop_empty)

    def write_counts(self, out: IO[str], columns: list[str], rows: list[list[Any]], *, chart: bool = True) -> int:
        count = self.write_rows(out, columns, rows)
        if chart and rows:
            out.write("\n")
            BarChart().write_counts(out, columns, rows)
        return count


class BarChart(Writer):
    """Counts per period as a horizontal bar each, in plain characters, scaled to `width`
    (the table writer draws it under the table; it is no format of its own: it has no name)."""

    width = 50

    def write_counts(self, out: IO[str], columns: list[str], rows: list[list[Any]], *, chart: bool = True) -> int:
        body = [r for r in rows if r[0] != "total"]
        if not body:
            return 0
        top = max(r[-1] for r in body) or 1
        label = max(len(str(r[0])) for r in body)
        digits = len(str(top))
        for r in body:
            n = r[-1]
            bar = BAR * max(1 if n else 0, round(n * self.width / top))
            out.write(f"{str(r[0]).rjust(label)} | {str(n).rjust(digits)} {bar}\n")
        return len(body)


class CsvWriter(Writer):
    name = "csv"
    help = "CSV (RFC 4180, with a header)"
    delimiter = ","

    def write_rows(
        self, out: IO[str], columns: list[str], rows: Iterable[list[Any]], *, drop_empty: bool = False
    ) -> int:
        return write_delimited(out, columns, rows, delimiter=self.delimiter, escape=self.escape)


class TsvWriter(CsvWriter):
    name = "tsv"
    help = "tab-separated values"
    delimiter = "\t"


class JsonWriter(Writer):
    name = "json"
    help = "a JSON array"

    def write_rows(
        self, out: IO[str], columns: list[str], rows: Iterable[list[Any]], *, drop_empty: bool = False
    ) -> int:
        return self.write_records(out, row_objects(columns, rows))

    def write_records(self, out: IO[str], records: Iterable[dict[str, Any]]) -> int:
        return write_json(out, records)

    def write_record(self, out: IO[str], shown: Shown) -> None:
        if shown.paths is not None:
            out.write(dumps([{"path": path, "value": value} for path, value in shown.paths], indent=2) + "\n")
            return
        document = {"kind": shown.kind, "id": shown.id, "record": shown.data, "backlinks": shown.links or []}
        out.write(dumps(document, indent=2) + "\n")


class JsonLinesWriter(Writer):
    name = "jsonl"
    help = "JSON Lines: one JSON object per line"

    def write_rows(
        self, out: IO[str], columns: list[str], rows: Iterable[list[Any]], *, drop_empty: bool = False
    ) -> int:
        return self.write_records(out, row_objects(columns, rows))

    def write_records(self, out: IO[str], records: Iterable[dict[str, Any]]) -> int:
        return write_jsonl(out, records)


class MarkdownWriter(Writer):
    name = "markdown"
    help = "a Markdown table or text"

    def write_rows(
        self, out: IO[str], columns: list[str], rows: Iterable[list[Any]], *, drop_empty: bool = False
    ) -> int:
        return write_markdown(out, columns, rows)
