"""Record differences as text (for the terminal) and Markdown (for a pull-request comment,
where no value can become markup); the writers of dprk_records.output.writers write them
(and JSON, from `Diff.to_dict`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from dprk_records.errors import one_line
from dprk_records.history.recorddiff import STATUSES, Diff, FieldChange, RecordChange


def show(value: Any) -> str:
    """A value on one line, as JSON (so that strings, numbers and lists are told apart)."""
    return json.dumps(value, ensure_ascii=False, sort_keys=False)


def change_line(change: FieldChange) -> str:
    """One field change on one line: `~ path: old -> new`, `+ path: new`, `- path: old`."""
    if change.op == "added":
        return f"+ {change.path}: {show(change.new)}"
    if change.op == "removed":
        return f"- {change.path}: {show(change.old)}"
    if change.op == "reordered":
        return f"~ {change.path}: order {show(change.old)} -> {show(change.new)}"
    return f"~ {change.path}: {show(change.old)} -> {show(change.new)}"


def parts(change: FieldChange) -> list[tuple[str, Any]]:
    """An added or removed value as a reviewer reads it: a list of objects one element at
    a time (`sources[0]`, `sources[1]`, ...), anything else whole."""
    value = change.new if change.op == "added" else change.old
    if (
        change.op in ("added", "removed")
        and isinstance(value, list)
        and value
        and all(isinstance(v, dict) for v in value)
    ):
        return [(f"{change.path}[{index}]", element) for index, element in enumerate(value)]
    return [(change.path, value)]


def walk(value: dict[str, Any], depth: int = 0) -> Iterator[tuple[int, str, Any]]:
    """An object's fields in order as (depth, key, value): an object, or a list of objects,
    inside it comes as its key (`key` or `key[i]`) with the value None, then its own
    fields one level deeper. The text and Markdown blocks are both drawn from this."""
    for key, item in value.items():
        if isinstance(item, dict):
            yield depth, key, None
            yield from walk(item, depth + 1)
        elif isinstance(item, list) and item and all(isinstance(v, dict) for v in item):
            for index, element in enumerate(item):
                yield depth, f"{key}[{index}]", None
                yield from walk(element, depth + 1)
        else:
            yield depth, key, (item,)


def block(value: dict[str, Any], indent: str) -> list[str]:
    """An object's fields, one a line (an object or a list of objects inside it as a block of its own)."""
    return [
        f"{indent}{'  ' * depth}{key}:" + ("" if item is None else f" {show(item[0])}")
        for depth, key, item in walk(value)
    ]


def change_lines(change: FieldChange, indent: str = "") -> list[str]:
    """A field change as text: one line, except that an object added or removed (a
    source, an observation, each element of a new record's lists) is a block, one field
    a line, under its path."""
    if change.op not in ("added", "removed"):
        return [indent + change_line(change)]
    sign = "+" if change.op == "added" else "-"
    lines = []
    for path, value in parts(change):
        if isinstance(value, dict) and value:
            lines.append(f"{indent}{sign} {path}:")
            lines.extend(block(value, indent + "    "))
        else:
            lines.append(f"{indent}{sign} {path}: {show(value)}")
    return lines


def render_change_block(change: RecordChange, indent: str = "") -> str:
    """One record's change as text: a heading line, then each field change (see change_lines)."""
    where = change.path if change.status != "renamed" else f"{change.old_path} -> {change.path}"
    lines = [f"{indent}{change.status} {change.title} ({where})"]
    for error in change.errors:
        lines.append(f"{indent}  ! {error}")
    for item in change.fields:
        lines.extend(change_lines(item, indent + "  "))
    if change.status == "modified" and not change.fields and not change.errors:
        lines.append(f"{indent}  (layout only: no field changed)")
    return "\n".join(one_line(line) for line in lines) + "\n"  # a path, id, title or error is never more than one line


def render_text(diff: Diff, stat: bool = False) -> str:
    lines: list[str] = [f"{diff.old_label} -> {diff.new_label}"]
    if stat:
        lines.extend(_stat_lines(diff))
        return "\n".join(one_line(line) for line in lines) + "\n"
    if not diff.records:
        lines.append("no record changed")
    lines = [one_line(line) for line in lines]
    for change in diff.records:
        lines.append(render_change_block(change).rstrip("\n"))  # escaped line by line
    if diff.others:
        lines.append("other files (not records; not compared):")
        for other in diff.others:
            lines.append(
                one_line(f"  {other.status} {other.path}" + (f" (from {other.old_path})" if other.old_path else ""))
            )
    lines.append(one_line(_summary(diff)))
    return "\n".join(lines) + "\n"


def _summary(diff: Diff) -> str:
    counts = diff.counts()
    text = ", ".join(f"{n} {status}" for status, n in counts.items())
    if diff.others:
        text += f"; {len(diff.others)} other file{'s' if len(diff.others) != 1 else ''}"
    return text


def _stat_lines(diff: Diff) -> list[str]:
    width = max([len("kind")] + [len(k) for k in diff.counts_by_kind()])
    lines = [f"{'kind':<{width}}  " + "  ".join(f"{s:>8}" for s in STATUSES)]
    for kind, counts in diff.counts_by_kind().items():
        lines.append(f"{kind:<{width}}  " + "  ".join(f"{counts[s]:>8}" for s in STATUSES))
    lines.append(_summary(diff))
    return lines


def _code(value: str, table: bool = False) -> str:
    """`value` as a Markdown code span, inside which nothing is markup.

    The fence is one backtick longer than the longest run of backticks in the value, so
    the value cannot close the span early (CommonMark 6.1); a value that begins or ends
    with a backtick or a space is padded with one space, which the span strips again.
    In a table cell, `|` is escaped (GitHub splits cells on it even inside a span).
    """
    value = value.replace("\r\n", " ").replace("\n", " ").replace("\r", " ")
    if table:
        value = value.replace("|", "\\|")
    longest = max((len(run) for run in re.findall("`+", value)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if value[:1] in ("`", " ") or value[-1:] in ("`", " ") else ""
    return f"{fence}{pad}{value}{pad}{fence}" if value else "(empty)"


def render_markdown(diff: Diff, stat: bool = False) -> str:
    out: list[str] = [f"### Record changes: {_code(diff.old_label)} → {_code(diff.new_label)}", ""]
    if not diff.records and not diff.others:
        out.append("No record changed.")
        return "\n".join(out) + "\n"
    out += ["| kind | " + " | ".join(STATUSES) + " |", "|---|" + "---:|" * len(STATUSES)]
    for kind, counts in diff.counts_by_kind().items():
        out.append(f"| {kind} | " + " | ".join(str(counts[s]) for s in STATUSES) + " |")
    totals = diff.counts()
    out.append("| **all** | " + " | ".join(f"**{totals[s]}**" for s in STATUSES) + " |")
    out.append("")
    if stat:
        out.append(_summary(diff))
        return "\n".join(out) + "\n"
    if diff.records:
        out += ["| status | kind | id | fields changed |", "|---|---|---|---:|"]
        for change in diff.records:
            ident = (
                _code(change.id, True)
                if change.status != "renamed"
                else f"{_code(change.old_id or '', True)} → {_code(change.id, True)}"
            )
            count = "unreadable" if change.errors else str(len(change.fields))
            out.append(f"| {change.status} | {change.kind} | {ident} | {count} |")
        out.append("")
    for change in diff.records:
        out.append(f"#### {change.status}: {change.kind} {_code(change.id)}")
        out.append("")
        where = (
            _code(change.path)
            if change.status != "renamed"
            else f"{_code(change.old_path or '')} → {_code(change.path)}"
        )
        out.append(f"File: {where}")
        out.append("")
        for error in change.errors:
            out.append(f"- :warning: {_code(error)}")
        if change.status == "modified" and not change.fields and not change.errors:
            out.append("- layout only: no field changed")
        for item in change.fields:
            if item.op in ("added", "removed"):
                for path, value in parts(item):
                    if isinstance(value, dict) and value:
                        out.append(f"- {item.op} {_code(path)}:")
                        out.extend(_markdown_block(value, "  "))
                    else:
                        out.append(f"- {item.op} {_code(path)}: {_code(show(value))}")
            elif item.op == "reordered":
                out.append(f"- reordered {_code(item.path)}: {_code(show(item.old))} → {_code(show(item.new))}")
            else:
                out.append(f"- {_code(item.path)}: {_code(show(item.old))} → {_code(show(item.new))}")
        out.append("")
    if diff.others:
        out.append("#### Other files (not records)")
        out.append("")
        for other in diff.others:
            out.append(
                f"- {other.status} {_code(other.path)}" + (f" (from {_code(other.old_path)})" if other.old_path else "")
            )
        out.append("")
    return "\n".join(out)


def _markdown_block(value: dict[str, Any], indent: str) -> list[str]:
    """An object's fields as a nested list, one field an item, every key and value in a code span."""
    return [
        f"{indent}{'  ' * depth}- {_code(key)}:" + ("" if item is None else f" {_code(show(item[0]))}")
        for depth, key, item in walk(value)
    ]
