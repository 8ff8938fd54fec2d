"""The built-in formats' writers of validation problems (`dprk validate`; see
dprk_records.output.registry): each a subclass of its format's writer of rows
(dprk_records.output.writers), plus GitHub's workflow annotations, a format of problems alone.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO, Any

from dprk_records.errors import one_line
from dprk_records.output.problems import annotation
from dprk_records.output.writer import Writer
from dprk_records.output.writers import (
    CsvWriter,
    JsonLinesWriter,
    JsonWriter,
    MarkdownWriter,
    TextWriter,
    TsvWriter,
    dumps,
)

PROBLEM_COLUMNS = ["path", "line", "column", "json_path", "check", "message"]


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


class TextProblems(TextWriter):
    def write_problems(self, out: IO[str], report: Any) -> None:
        for problem in report.problems:
            out.write(str(problem) + "\n")
        out.write(report.summary() + "\n")


class CsvProblems(ProblemRows, CsvWriter):
    pass


class TsvProblems(ProblemRows, TsvWriter):
    pass


class JsonProblems(JsonWriter):
    def write_problems(self, out: IO[str], report: Any) -> None:
        out.write(dumps([p.to_dict() for p in report.problems], indent=2) + "\n")


class JsonLinesProblems(JsonLinesWriter):
    def write_problems(self, out: IO[str], report: Any) -> None:
        self.write_records(out, (p.to_dict() for p in report.problems))


class MarkdownProblems(ProblemRows, MarkdownWriter):
    pass


class GithubWriter(Writer):
    name = "github"
    help = "GitHub Actions workflow annotations"

    def write_problems(self, out: IO[str], report: Any) -> None:
        # dprk's guarded stdout fences off lines that only look like commands; these are meant as ones
        write = getattr(out, "write_command", out.write)
        for problem in report.problems:
            write(annotation(problem) + "\n")
        out.write(report.summary() + "\n")
