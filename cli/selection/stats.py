"""Counts of records per kind per period (year or month); the table writer draws them as a bar chart too."""

from __future__ import annotations

from typing import Any

from dprk_records.errors import UsageError
from dprk_records.selection.filters import Selection

PERIODS = ("year", "month")
UNKNOWN_MONTH = "??"


def period_of(date: Any, by: str) -> str:
    """The year (`2023`) or month (`2023-11`) of a date; a year-only date in month mode is `2023-??`."""
    text = str(date) if date is not None else ""
    if len(text) < 4:
        return "unknown"
    if by == "year":
        return text[:4]
    return text[:7] if len(text) >= 7 else text[:4] + "-" + UNKNOWN_MONTH


def periods_between(present: list[str], by: str) -> list[str]:
    """Every year (YYYY) or month (YYYY-MM) from the first to the last of `present`, the
    empty ones too; other labels (`unknown`, `2023-??`) are kept, after them."""
    plain = [
        p for p in present if (len(p) == 4 and p.isdigit()) or (len(p) == 7 and p[:4].isdigit() and p[5:].isdigit())
    ]
    others = [p for p in present if p not in plain]
    if not plain:
        return others
    if by == "year":
        return [f"{y:04d}" for y in range(int(plain[0][:4]), int(plain[-1][:4]) + 1)] + others
    year, month = int(plain[0][:4]), int(plain[0][5:7])
    last = (int(plain[-1][:4]), int(plain[-1][5:7]))
    out = []
    while (year, month) <= last:
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return sorted(out + others)


def count(repo: Any, selection: Selection, by: str = "year") -> tuple[list[str], list[list[Any]]]:
    """Header and rows: period, one column per kind, total; periods in order, then a total row."""
    if by not in PERIODS:
        raise UsageError("{by} " + repr(by) + ": choose year or month", params=("by",))
    names = [k.name for k in selection.kinds]
    table: dict[str, dict[str, int]] = {}
    for record, data in selection.records(repo):
        path = selection.date_path(record.kind)
        date = data.get(path[0]) if path else None
        counts = table.setdefault(period_of(date, by), dict.fromkeys(names, 0))
        counts[record.kind.name] += 1
    rows = []
    for period in periods_between(sorted(table), by):  # a year (or month) with no record counts as zero
        counts = table.get(period) or dict.fromkeys(names, 0)
        rows.append([period] + [counts[n] for n in names] + [sum(counts.values())])
    if rows:
        rows.append(["total"] + [sum(r[i + 1] for r in rows) for i in range(len(names))] + [sum(r[-1] for r in rows)])
    return [by] + names + ["total"], rows
