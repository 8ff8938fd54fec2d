"""The checks of one record on its own: strict YAML, its kind's schema, calendar dates,
`x-matches` values, the id against the file name, and the header line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from dprk_records.checks.problems import Problem, problem_at, schema_problems
from dprk_records.errors import YamlError
from dprk_records.records import yamlread
from dprk_records.records.dates import calendar_problems
from dprk_records.records.kinds import Kind, declared_schema
from dprk_records.records.values import values_at


def check_record_text(
    kind: Kind, rel: str, text: str, expected_id: str | None = None
) -> tuple[dict[str, Any] | None, list[Problem]]:
    """Parse and check one record's text on its own (no cross-record checks)."""
    try:
        data = yamlread.loads(text, rel)
    except YamlError as exc:
        return None, [Problem(rel, exc.line, exc.column, (), exc.message, "yaml")]
    return data, check_data(kind, rel, data, text, expected_id)


def check_data(
    kind: Kind, rel: str, data: dict[str, Any], text: str | None = None, expected_id: str | None = None
) -> list[Problem]:
    """Schema, date, id and header checks of one parsed record."""
    problems: list[Problem] = []
    fast = kind.fast_check
    if fast is None or not fast(data):
        seen: set[str] = set()
        for error in kind.validator.iter_errors(data):
            for problem in schema_problems(kind, rel, error, text):
                if str(problem) not in seen:
                    seen.add(str(problem))
                    problems.append(problem)
    for pointer, message in calendar_problems(kind, data):
        problems.append(problem_at(rel, text, pointer, message, "date"))
    for pointer, message in match_problems(kind, data):
        problems.append(problem_at(rel, text, pointer, message, "match"))
    id_field = kind.id_field
    if expected_id is not None and isinstance(data.get(id_field), str) and data[id_field] != expected_id:
        problems.append(
            problem_at(
                rel,
                text,
                (id_field,),
                f"id {data[id_field]!r} differs from the file name {expected_id + '.yaml'!r}; rename the file or fix the id",
                "id",
            )
        )
    if text is not None:
        problems.extend(header_problems(kind, rel, text))
    return problems


def match_problems(kind: Kind, data: dict[str, Any]) -> Iterator[tuple[tuple[Any, ...], str]]:
    """Values of `x-matches` fields that are not among the values of the field they name
    (an `according_to` actor that no observation has)."""
    for item in kind.match_fields:
        target = tuple(str(item.matches).split("."))
        allowed = [v for _, v in values_at(data, target) if isinstance(v, str)]
        for pointer, value in values_at(data, item.path):
            if isinstance(value, str) and value not in allowed:
                where = str(item.matches)
                choices = (
                    f"; the record's {where}: {', '.join(repr(a) for a in allowed)}"
                    if allowed
                    else f"; the record has no {where}"
                )
                yield pointer, f"{value!r} is not one of the record's {where}{choices}"


_MODELINE = re.compile(r"^[ \t]*#[ \t]*yaml-language-server[ \t]*:.*$", re.M)


def header_problems(kind: Kind, rel: str, text: str) -> list[Problem]:
    """The `# yaml-language-server: $schema=...` header: at most one, on the first line, and
    naming this kind's schema by its relative path (editors fetch whatever it names)."""
    problems: list[Problem] = []
    if "yaml-language-server" not in text:
        return problems
    end = text.find("\n")
    if end >= 0 and text.find("yaml-language-server", end) < 0 and text[:end].rstrip() == kind.header:
        return problems  # the one header, on the first line (what the loop below finds most files to have)
    for match in _MODELINE.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        found = match.group(0).rstrip()
        if line == 1 and found == kind.header:
            continue
        declared = declared_schema(found) if line == 1 else None
        expected = f"../../schema/{declared}" if declared else None
        if (
            declared is not None
            and declared != kind.file.name
            and expected
            and found.rstrip().endswith("$schema=" + expected)
        ):
            problems.append(
                Problem(
                    rel,
                    1,
                    1,
                    (),
                    f"the header names schema {declared} but the file is in records/{kind.folder}/ ({kind.file.name}); move the file to the folder of its kind",
                    "kind",
                )
            )
            continue
        where = "the first line" if line == 1 else f"line {line}"
        problems.append(
            Problem(
                rel,
                line,
                1,
                (),
                f"{where} is a yaml-language-server header other than {kind.header!r}; "
                "a record names its own kind's schema, on its first line only (run 'dprk fmt')",
                "header",
            )
        )
    return problems
