"""Validation problems for CI: each as a GitHub Actions workflow command
(`::error file=...,line=...,col=...::...`), so that it shows on the changed line of a pull
request. The formats a report is written in are writer classes (dprk_records.output.writers).
"""

from __future__ import annotations

from typing import Any

from dprk_records.checks.problems import Problem


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
