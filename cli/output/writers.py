"""The built-in formats, one writer class each (see dprk_records.output.registry; their base is dprk_records.output.writer).

Each class says which things it writes by the methods it defines; what it needs to write
them (tabulate, the diff renderers, SQLite) is imported only when it writes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO, Any

from dprk_records.errors import one_line
from dprk_records.history.render import render_change_block, render_markdown, render_text
from dprk_records.output.database import derived_tables, sqlite_companions, write_database
from dprk_records.output.datapackage import write_datapackage
from dprk_records.output.formats import (
    atomic_output,
    check_output,
    row_objects,
    write_delimited,
    write_json,
    write_jsonl,
    write_markdown,
    write_table,
)
from dprk_records.output.problems import annotation
from dprk_records.output.writer import Writer

PROBLEM_COLUMNS = ["path", "line", "column", "json_path", "check", "message"]
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


def _dumps(value: Any, indent: int | None = None) -> str:
    return json.dumps(value, ensure_ascii=False, indent=indent)


def _problem_rows(report: Any) -> Iterable[list[Any]]:
    # a path or message is no cell of data: each stays on one line, escaped as in the text format
    return (
        [one_line(p.path), p.line, p.column, one_line(p.json_path), p.check, one_line(p.message)]
        for p in report.problems
    )


class ProblemRows:
    """Problems written as rows (PROBLEM_COLUMNS), by a writer of rows."""

    def write_problems(self, out: IO[str], report: Any) -> None:
        self.write_rows(out, PROBLEM_COLUMNS, _problem_rows(report))  # type: ignore[attr-defined]


class TextWriter(Writer):
    name = "text"
    help = "plain lines for the terminal"

    def write_problems(self, out: IO[str], report: Any) -> None:
        for problem in report.problems:
            out.write(str(problem) + "\n")
        out.write(report.summary() + "\n")

    def write_diff(self, out: IO[str], diff: Any, *, stat: bool = False) -> None:

        out.write(render_text(diff, stat))

    def write_log(self, out: IO[str], entries: list[Any]) -> None:

        for entry in entries:
            commit = entry.commit
            out.write(one_line(f"{commit.short} {commit.date} {commit.author}: {commit.subject}") + "\n")
            if entry.change is not None:
                out.write(render_change_block(entry.change, indent="  "))

    def write_record(self, out: IO[str], shown: Shown) -> None:
        if shown.paths is not None:
            for path, value in shown.paths:
                out.write(one_line(f"{path}: {_dumps(value)}") + "\n")
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


class CsvWriter(ProblemRows, Writer):
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

    def write_problems(self, out: IO[str], report: Any) -> None:
        out.write(_dumps([p.to_dict() for p in report.problems], indent=2) + "\n")

    def write_diff(self, out: IO[str], diff: Any, *, stat: bool = False) -> None:
        out.write(_dumps(diff.to_dict(stat), indent=2) + "\n")

    def write_log(self, out: IO[str], entries: list[Any]) -> None:
        out.write(_dumps([entry.to_dict() for entry in entries], indent=2) + "\n")

    def write_record(self, out: IO[str], shown: Shown) -> None:
        if shown.paths is not None:
            out.write(_dumps([{"path": path, "value": value} for path, value in shown.paths], indent=2) + "\n")
            return
        document = {"kind": shown.kind, "id": shown.id, "record": shown.data, "backlinks": shown.links or []}
        out.write(_dumps(document, indent=2) + "\n")


class JsonLinesWriter(Writer):
    name = "jsonl"
    help = "JSON Lines: one JSON object per line"

    def write_rows(
        self, out: IO[str], columns: list[str], rows: Iterable[list[Any]], *, drop_empty: bool = False
    ) -> int:

        return self.write_records(out, row_objects(columns, rows))

    def write_records(self, out: IO[str], records: Iterable[dict[str, Any]]) -> int:

        return write_jsonl(out, records)

    def write_problems(self, out: IO[str], report: Any) -> None:
        self.write_records(out, (p.to_dict() for p in report.problems))

    def write_log(self, out: IO[str], entries: list[Any]) -> None:
        self.write_records(out, (entry.to_dict() for entry in entries))


class MarkdownWriter(ProblemRows, Writer):
    name = "markdown"
    help = "a Markdown table or text"

    def write_rows(
        self, out: IO[str], columns: list[str], rows: Iterable[list[Any]], *, drop_empty: bool = False
    ) -> int:

        return write_markdown(out, columns, rows)

    def write_diff(self, out: IO[str], diff: Any, *, stat: bool = False) -> None:

        out.write(render_markdown(diff, stat))


class GithubWriter(Writer):
    name = "github"
    help = "GitHub Actions workflow annotations"

    def write_problems(self, out: IO[str], report: Any) -> None:

        # dprk's guarded stdout fences off lines that only look like commands; these are meant as ones
        write = getattr(out, "write_command", out.write)
        for problem in report.problems:
            write(annotation(problem) + "\n")
        out.write(report.summary() + "\n")


class SqliteWriter(Writer):
    name = "sqlite"
    help = "an SQLite database, written to a file"
    example = "dprk.sqlite"

    def write_file(self, repo: Any, selection: Any, output: str, *, force: bool) -> int:
        from pathlib import Path

        path = Path(output)
        check_output(path, force)
        companions = sqlite_companions(path, force)
        with atomic_output(path, force=force, binary=True) as temp:
            count = write_database(repo, selection, temp, output)
            for companion in companions:  # before the new file takes the name: SQLite would read them into it
                companion.unlink(missing_ok=True)
            return count


class DataPackageWriter(Writer):
    name = "datapackage"
    help = "a Frictionless Data Package, written to a folder"
    target = "folder"
    example = "dprk-package"

    def write_file(self, repo: Any, selection: Any, output: str, *, force: bool) -> int:
        from pathlib import Path

        extra, watch = derived_tables(repo, selection)
        return write_datapackage(
            Path(output), selection.kinds, watch(selection.records(repo)), force=force, derived=extra
        )
