"""Partial ISO dates: `2025`, `2025-02`, `2025-02-14`, and the span of days each covers."""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

_DATE = re.compile(r"^([0-9]{4})(?:-(0[1-9]|1[0-2])(?:-(0[1-9]|[12][0-9]|3[01]))?)?\Z")  # the schema's form
DATE_FORM = "YYYY, YYYY-MM or YYYY-MM-DD"


def date_span(text: Any) -> tuple[str, str] | None:
    """The first and last day (ISO) that a partial date covers, or None if it is not a date.

    `2023-11` covers 2023-11-01 to 2023-11-30; `2023-02-30` is not a date, and neither is
    any date in the year 0000: the calendar runs from 0001 to 9999 (as Python's dates do,
    so a span can always be turned into them).
    """
    if not isinstance(text, str):
        return None
    return _span(text)


@lru_cache(maxsize=8192)  # an export asks for each record's start and end; dates repeat
def _span(text: str) -> tuple[str, str] | None:
    match = _DATE.match(text)
    if not match:
        return None
    year, month, day = match.groups()
    if year == "0000":
        return None
    if month:
        last = calendar.monthrange(int(year), int(month))[1]
        if day:
            return (text, text) if int(day) <= last else None
        return f"{year}-{month}-01", f"{year}-{month}-{last:02d}"
    return f"{year}-01-01", f"{year}-12-31"


def date_problem(text: Any) -> str | None:
    """What is wrong with a date, in the same words wherever it was given (an option, a
    prompt, a file, the editor), or None when it is a date."""
    if not isinstance(text, str) or not _DATE.match(text):
        return f"{text!r} is not a date ({DATE_FORM})"
    if date_span(text) is None:
        why = " (the calendar has no year 0000)" if text.startswith("0000") else ""
        return f"{text!r} is not a day on the calendar{why}"
    return None


def calendar_problems(kind: Any, data: Any) -> Iterator[tuple[tuple[Any, ...], str]]:
    """(pointer, message) for each date field of a record that has the form of a date but
    names no day on the calendar (2023-02-30). The form itself is the schema's business."""
    from dprk_records.records.kinds import values_at

    for date_field in kind.date_fields:
        for pointer, value in values_at(data, date_field.path):
            if isinstance(value, str) and _DATE.match(value) and date_span(value) is None:
                yield pointer, date_problem(value) or ""
