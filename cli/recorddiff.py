"""Differences between two versions of records, in record terms, and their rendering.

The core of `dprk diff` and `dprk log`: which records were added, removed, modified or
renamed (by kind and id), and for a modified record every field that changed, old ->
new, down to nested list elements. Elements of a list of objects are matched by the
list's natural key (its `x-key` annotation in the schema, such as an observation's
actor) when every element has a distinct one, else by position. Lists of plain values
whose elements are distinct are compared as sets (plus a note when only the order
changed). Nothing here knows git or click: history.py finds the changed blobs, the
commands print what is rendered here.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from cli.kinds import Field, Kind

STATUSES = ("added", "removed", "modified", "renamed")
_MISSING = object()


@dataclass
class FieldChange:
    """One change inside a record: `path` like `observations[actor=KCNA].apogee_km`."""

    path: str
    old: Any = None
    new: Any = None
    op: str = "changed"  # changed, added, removed, reordered

    def to_dict(self) -> dict[str, Any]:
        return {"field": self.path, "op": self.op, "old": self.old, "new": self.new}


@dataclass
class RecordChange:
    status: str  # one of STATUSES
    kind: str
    id: str
    path: str  # the path on the new side (the old side for a removed record)
    old_kind: str | None = None
    old_id: str | None = None
    old_path: str | None = None
    fields: list[FieldChange] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # a side that did not parse, with the revision

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"status": self.status, "kind": self.kind, "id": self.id, "path": self.path}
        if self.status == "renamed":
            data.update(old_kind=self.old_kind, old_id=self.old_id, old_path=self.old_path)
        data["changes"] = [c.to_dict() for c in self.fields]
        data["errors"] = list(self.errors)
        return data

    @property
    def title(self) -> str:
        if self.status == "renamed" and self.old_kind != self.kind:
            return f"{self.old_kind} {self.old_id} -> {self.kind} {self.id}"
        if self.status == "renamed":
            return f"{self.kind} {self.old_id} -> {self.id}"
        return f"{self.kind} {self.id}"


@dataclass
class OtherFile:
    """A changed path that is not a record file (schema, README, a stray under records/)."""

    status: str
    path: str
    old_path: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"status": self.status, "path": self.path, "old_path": self.old_path}


@dataclass
class Diff:
    old_label: str
    new_label: str
    records: list[RecordChange] = field(default_factory=list)
    others: list[OtherFile] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.records)

    def counts(self) -> dict[str, int]:
        return {status: sum(1 for r in self.records if r.status == status) for status in STATUSES}

    def counts_by_kind(self) -> dict[str, dict[str, int]]:
        table: dict[str, dict[str, int]] = {}
        for change in self.records:
            table.setdefault(change.kind, dict.fromkeys(STATUSES, 0))[change.status] += 1
        return dict(sorted(table.items()))

    def sort(self) -> None:
        self.records.sort(key=lambda r: (r.kind, r.id, r.status))
        self.others.sort(key=lambda o: o.path)

    def to_dict(self, stat: bool = False) -> dict[str, Any]:
        data: dict[str, Any] = {"old": self.old_label, "new": self.new_label, "counts": self.counts(), "by_kind": self.counts_by_kind()}
        if not stat:
            data["records"] = [r.to_dict() for r in self.records]
            data["other_files"] = [o.to_dict() for o in self.others]
        return data


# --- comparing two versions of one record ---------------------------------------------


def diff_data(old: Any, new: Any, shape: Field | None) -> list[FieldChange]:
    """Every change between two parsed records (or parts of them), in schema order."""
    out: list[FieldChange] = []
    _diff(old, new, shape, "", out)
    return out


def _join(prefix: str, key: str) -> str:
    return f"{prefix}.{key}" if prefix else key


def _diff(old: Any, new: Any, shape: Field | None, path: str, out: list[FieldChange]) -> None:
    if old is _MISSING and new is _MISSING:
        return
    if old is _MISSING:
        out.append(FieldChange(path, None, new, "added"))
        return
    if new is _MISSING:
        out.append(FieldChange(path, old, None, "removed"))
        return
    if isinstance(old, dict) and isinstance(new, dict):
        known = list(shape.keys) if shape is not None else []
        keys = [k for k in known if k in old or k in new]
        keys += sorted(k for k in set(old) | set(new) if k not in known)
        for key in keys:
            child = shape.keys.get(key) if shape is not None else None
            _diff(old.get(key, _MISSING), new.get(key, _MISSING), child, _join(path, key), out)
        return
    if isinstance(old, list) and isinstance(new, list):
        _diff_list(old, new, shape, path, out)
        return
    if old != new or type(old) is not type(new):
        out.append(FieldChange(path, old, new, "changed"))


def _element_shape(shape: Field | None) -> Field | None:
    return shape.items if shape is not None and shape.items is not None else None


def _diff_list(old: list[Any], new: list[Any], shape: Field | None, path: str, out: list[FieldChange]) -> None:
    if old == new:
        return
    element = _element_shape(shape)
    key = shape.key if shape is not None else None
    if key and _keyed(old, key) and _keyed(new, key):
        old_by = {item[key]: item for item in old}
        new_by = {item[key]: item for item in new}
        order = [item[key] for item in old] + [item[key] for item in new if item[key] not in old_by]
        for value in order:
            label = f"{path}[{key}={_label(value)}]"
            _diff(old_by.get(value, _MISSING), new_by.get(value, _MISSING), element, label, out)
        if [k for k in (item[key] for item in old) if k in new_by] != [k for k in (item[key] for item in new) if k in old_by]:
            out.append(FieldChange(path, [item[key] for item in old], [item[key] for item in new], "reordered"))
        return
    if _plain_distinct(old) and _plain_distinct(new):
        old_set, new_set = set(map(_hashable, old)), set(map(_hashable, new))
        for item in old:
            if _hashable(item) not in new_set:
                out.append(FieldChange(f"{path}[]", item, None, "removed"))
        for item in new:
            if _hashable(item) not in old_set:
                out.append(FieldChange(f"{path}[]", None, item, "added"))
        if old_set == new_set:
            out.append(FieldChange(path, old, new, "reordered"))
        return
    for index in range(max(len(old), len(new))):
        _diff(old[index] if index < len(old) else _MISSING, new[index] if index < len(new) else _MISSING, element, f"{path}[{index}]", out)


def _keyed(items: list[Any], key: str) -> bool:
    values = [item.get(key) for item in items if isinstance(item, dict)]
    if len(values) != len(items) or any(v is None or isinstance(v, (dict, list)) for v in values):
        return False
    return len(set(map(_hashable, values))) == len(values)


def _plain_distinct(items: list[Any]) -> bool:
    if any(isinstance(item, (dict, list)) for item in items):
        return False
    return len(set(map(_hashable, items))) == len(items)


def _hashable(value: Any) -> Any:
    return (type(value).__name__, value)


def _label(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def compare(kind: Kind, old: dict[str, Any] | None, new: dict[str, Any] | None) -> list[FieldChange]:
    """The field changes between two versions of a record of `kind` (None: not there)."""
    return diff_data(old if old is not None else {}, new if new is not None else {}, kind.root)


# --- rendering ------------------------------------------------------------------------


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


def render_change_block(change: RecordChange, indent: str = "") -> str:
    """One record's change as text: a heading line, then one line per field change."""
    where = change.path if change.status != "renamed" else f"{change.old_path} -> {change.path}"
    lines = [f"{indent}{change.status} {change.title} ({where})"]
    for error in change.errors:
        lines.append(f"{indent}  ! {error}")
    for item in change.fields:
        lines.append(f"{indent}  " + change_line(item))
    if change.status == "modified" and not change.fields and not change.errors:
        lines.append(f"{indent}  (layout only: no field changed)")
    return "\n".join(lines) + "\n"


def render_text(diff: Diff, stat: bool = False) -> str:
    lines: list[str] = [f"{diff.old_label} -> {diff.new_label}"]
    if stat:
        lines.extend(_stat_lines(diff))
        return "\n".join(lines) + "\n"
    if not diff.records:
        lines.append("no record changed")
    for change in diff.records:
        lines.append(render_change_block(change).rstrip("\n"))
    if diff.others:
        lines.append("other files (not records; not compared):")
        for other in diff.others:
            lines.append(f"  {other.status} {other.path}" + (f" (from {other.old_path})" if other.old_path else ""))
    lines.append(_summary(diff))
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
            ident = _code(change.id, True) if change.status != "renamed" else f"{_code(change.old_id or '', True)} → {_code(change.id, True)}"
            count = "unreadable" if change.errors else str(len(change.fields))
            out.append(f"| {change.status} | {change.kind} | {ident} | {count} |")
        out.append("")
    for change in diff.records:
        out.append(f"#### {change.status}: {change.kind} {_code(change.id)}")
        out.append("")
        where = _code(change.path) if change.status != "renamed" else f"{_code(change.old_path or '')} → {_code(change.path)}"
        out.append(f"File: {where}")
        out.append("")
        for error in change.errors:
            out.append(f"- :warning: {_code(error)}")
        if change.status == "modified" and not change.fields and not change.errors:
            out.append("- layout only: no field changed")
        for item in change.fields:
            if item.op == "added":
                out.append(f"- added {_code(item.path)}: {_code(show(item.new))}")
            elif item.op == "removed":
                out.append(f"- removed {_code(item.path)}: {_code(show(item.old))}")
            elif item.op == "reordered":
                out.append(f"- reordered {_code(item.path)}: {_code(show(item.old))} → {_code(show(item.new))}")
            else:
                out.append(f"- {_code(item.path)}: {_code(show(item.old))} → {_code(show(item.new))}")
        out.append("")
    if diff.others:
        out.append("#### Other files (not records)")
        out.append("")
        for other in diff.others:
            out.append(f"- {other.status} {_code(other.path)}" + (f" (from {_code(other.old_path)})" if other.old_path else ""))
        out.append("")
    return "\n".join(out)


def render_json(diff: Diff, stat: bool = False) -> str:
    return json.dumps(diff.to_dict(stat), indent=2, ensure_ascii=False) + "\n"


def render(diff: Diff, output: str, stat: bool = False) -> str:
    return {"text": render_text, "json": render_json, "markdown": render_markdown}[output](diff, stat)
