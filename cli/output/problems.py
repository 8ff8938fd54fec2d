"""Validation problems written out: for people, for programs, and for CI.

`text` is one line per problem (FILE:LINE:COLUMN: JSON-PATH: MESSAGE) and a summary;
`json` and `jsonl` give each problem as an object; `csv`, `tsv` and `markdown` as rows;
`github` as GitHub Actions workflow commands (`::error file=...,line=...,col=...::...`),
so that each problem shows on the changed line of a pull request.
"""

from __future__ import annotations

import json
from typing import IO, Any

from dprk_records.checks.problems import Problem, Report
from dprk_records.errors import one_line
from dprk_records.output.formats import write_rows

COLUMNS = ["path", "line", "column", "json_path", "check", "message"]


def write_report(out: IO[str], report: Report, fmt: str) -> None:
    if fmt == "json":
        out.write(json.dumps([p.to_dict() for p in report.problems], indent=2, ensure_ascii=False) + "\n")
    elif fmt == "jsonl":
        for problem in report.problems:
            out.write(json.dumps(problem.to_dict(), ensure_ascii=False) + "\n")
    elif fmt in ("csv", "tsv", "markdown"):
        # a path or message is no cell of data: each stays on one line, escaped as in the text format
        rows = (
            [one_line(p.path), p.line, p.column, one_line(p.json_path), p.check, one_line(p.message)]
            for p in report.problems
        )
        write_rows(out, fmt, COLUMNS, rows)
    elif fmt == "github":
        for problem in report.problems:
            out.write(annotation(problem) + "\n")
        out.write(report.summary() + "\n")
    else:
        for problem in report.problems:
            out.write(str(problem) + "\n")
        out.write(report.summary() + "\n")


def annotation(problem: Problem) -> str:
    """One problem as a GitHub Actions `::error` command, escaped as the runner expects."""
    properties = [f"file={_property(problem.path)}"]
    if problem.line is not None:
        properties.append(f"line={problem.line}")
        properties.append(f"col={problem.column or 1}")
    properties.append(f"title={_property('dprk ' + problem.check)}")
    where = f"{problem.json_path}: " if problem.pointer else ""
    return f"::error {','.join(properties)}::{_data(where + problem.message)}"


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: Any) -> str:
    return _data(str(text)).replace(":", "%3A").replace(",", "%2C")
