"""Problems found in records: where (file, line, column, JSON path), what, and by which check.

Every finding of `dprk validate`, `add`, `update` and `fmt` is a Problem. Schema errors
from jsonschema are put in our own words here (schema_message), so that messages do not
change with the jsonschema release installed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from dprk_records.errors import one_line
from dprk_records.records.kinds import Kind
from dprk_records.records.suggest import did_you_mean, nearest


@dataclass
class Problem:
    path: str
    line: int | None
    column: int | None
    pointer: tuple[Any, ...]
    message: str
    check: str

    @property
    def json_path(self) -> str:
        return json_path(self.pointer)

    def __str__(self) -> str:
        where = one_line(self.path)
        if self.line is not None:
            where += f":{self.line}:{self.column or 1}"
        if self.pointer:
            return f"{where}: {one_line(self.json_path)}: {one_line(self.message)}"
        return f"{where}: {one_line(self.message)}"

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["pointer"] = json_pointer(self.pointer)
        data["json_path"] = self.json_path
        return data


@dataclass
class Report:
    problems: list[Problem] = field(default_factory=list)
    checked: int = 0

    @property
    def files_with_problems(self) -> int:
        return len({p.path for p in self.problems})

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        records = "record" if self.checked == 1 else "records"
        problems = "problem" if len(self.problems) == 1 else "problems"
        files = "file" if self.files_with_problems == 1 else "files"
        return (
            f"{self.checked} {records} checked, {len(self.problems)} {problems} in {self.files_with_problems} {files}"
        )


def json_path(pointer: Iterable[Any]) -> str:
    out = "$"
    for part in pointer:
        out += (
            f"[{part}]"
            if isinstance(part, int)
            else (f".{part}" if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", str(part)) else f"[{str(part)!r}]")
        )
    return out


def json_pointer(pointer: Iterable[Any]) -> str:
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in pointer)


def problem_at(
    rel: str, text: str | None, pointer: tuple[Any, ...], message: str, check: str, key: str | None = None
) -> Problem:
    """A problem at `pointer`; with `key`, positioned at that key of the mapping at `pointer`."""
    from dprk_records.records import yamlread  # a problem's position: YAML is loaded only when there is one

    position = yamlread.locate(text, pointer, key) if text is not None else None
    if key is not None:
        pointer = pointer + (key,)
    line, column = position if position else (None, None)
    return Problem(rel, line, column, pointer, message, check)


def schema_problems(kind: Kind, rel: str, error: Any, text: str | None) -> list[Problem]:
    pointer = tuple(error.absolute_path)
    validator = error.validator
    if validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = list((error.schema.get("properties") or {}).keys())
        out = []
        for extra in error.instance:
            if extra in allowed:
                continue
            close = did_you_mean(nearest(str(extra), allowed))
            hint = f"; {close}" if close else f"; allowed here: {', '.join(allowed)}"
            out.append(problem_at(rel, text, pointer, f"unknown field {extra!r}{hint}", "schema", key=extra))
        return out
    if validator == "required" and isinstance(error.instance, dict):
        # one problem per missing field, whatever jsonschema's own grouping (the caller drops repeats)
        missing = [name for name in error.validator_value if name not in error.instance]
        return [problem_at(rel, text, pointer, f"{name!r} is required but missing", "schema") for name in missing]
    if validator == "enum":
        from dprk_records.records.allowed import listing, not_allowed
        from dprk_records.records.kinds import Field

        item = Field("", pointer, error.schema)
        return [problem_at(rel, text, pointer, not_allowed(item, error.instance, listing(pointer)), "schema")]
    if validator == "minItems":
        count = error.validator_value
        return [
            problem_at(rel, text, pointer, f"needs at least {count} {'entry' if count == 1 else 'entries'}", "schema")
        ]
    if validator == "pattern":
        from dprk_records.records.allowed import wrong_form

        return [problem_at(rel, text, pointer, wrong_form(error.schema, error.instance), "schema")]
    return [
        problem_at(
            rel,
            text,
            pointer,
            schema_message(validator, error.validator_value, error.instance, error.message),
            "schema",
        )
    ]


_TYPE_WORDS = {
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "array": "a list",
    "object": "a mapping of fields (key: value)",
    "null": "empty",
}


def schema_message(keyword: str, expected: Any, instance: Any, fallback: str) -> str:
    """Our own words for a schema keyword that failed, so that messages do not change
    with the jsonschema release installed. `fallback` (jsonschema's) is used only for
    keywords our schemas do not use."""
    if keyword == "type":
        names = expected if isinstance(expected, list) else [expected]
        wanted = " or ".join(_TYPE_WORDS.get(str(n), str(n)) for n in names)
        return f"must be {wanted}, not {instance!r}"
    bounds = {
        "minimum": "at least",
        "maximum": "at most",
        "exclusiveMinimum": "more than",
        "exclusiveMaximum": "less than",
    }
    if keyword in bounds:
        return f"must be {bounds[keyword]} {expected}, not {instance!r}"
    if keyword == "minLength":
        return "must not be empty" if expected == 1 else f"must be at least {expected} characters long"
    if keyword == "maxLength" and isinstance(instance, str):
        return f"must be at most {expected} characters long (it has {len(instance)})"
    if keyword == "maxItems":
        return f"must have at most {expected} {'entry' if expected == 1 else 'entries'}"
    if keyword == "uniqueItems":
        return "lists the same entry more than once"
    if keyword == "const":
        return f"must be {expected!r}"
    return fallback
