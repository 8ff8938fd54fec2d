"""Differences between two versions of records, in record terms.

The core of `dprk diff` and `dprk log`: which records were added, removed, modified or
renamed (by kind and id), and for a modified record every field that changed, old ->
new, down to nested list elements. Elements of a list of objects are matched by the
list's natural key (its `x-key` annotation in the schema, such as an observation's
actor) when every element has a distinct one, else by position. Lists of plain values
whose elements are distinct are compared as sets (plus a note when only the order
changed). Nothing here knows git or click: dprk_records.history.git finds the changed blobs,
dprk_records.history.render writes what is found here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dprk_records.records.kinds import Field, Kind
from dprk_records.records.paths import is_name, join_key, join_match, label

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
        data: dict[str, Any] = {
            "old": self.old_label,
            "new": self.new_label,
            "counts": self.counts(),
            "by_kind": self.counts_by_kind(),
        }
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
            _diff(old.get(key, _MISSING), new.get(key, _MISSING), child, join_key(path, key), out)
        return
    if isinstance(old, list) and isinstance(new, list):
        _diff_list(old, new, shape, path, out)
        return
    if old != new or type(old) is not type(new):
        out.append(FieldChange(path, old, new, "changed"))


def _element_shape(shape: Field | None) -> Field | None:
    return shape.items if shape is not None and shape.items is not None else None


def _diff_list(old: list[Any], new: list[Any], shape: Field | None, path: str, out: list[FieldChange]) -> None:
    if _same(old, new):
        return
    element = _element_shape(shape)
    key = shape.key if shape is not None else None
    if key and is_name(key) and _keyed(old, key) and _keyed(new, key):
        # by the key's label, as the path prints it: the value 1 and the value true are two keys, though 1 == True
        old_by = {label(item[key]): item for item in old}
        new_by = {label(item[key]): item for item in new}
        order = list(old_by) + [name for name in new_by if name not in old_by]
        for name in order:
            _diff(old_by.get(name, _MISSING), new_by.get(name, _MISSING), element, join_match(path, key, name), out)
        if [name for name in old_by if name in new_by] != [name for name in new_by if name in old_by]:
            out.append(FieldChange(path, [item[key] for item in old], [item[key] for item in new], "reordered"))
        return
    if _plain_distinct(old) and _plain_distinct(new):
        old_set, new_set = set(map(_hashable, old)), set(map(_hashable, new))
        for item in old:
            if _hashable(item) not in new_set:
                out.append(FieldChange(join_match(path, "", item), item, None, "removed"))
        for item in new:
            if _hashable(item) not in old_set:
                out.append(FieldChange(join_match(path, "", item), None, item, "added"))
        if old_set == new_set:
            out.append(FieldChange(path, old, new, "reordered"))
        return
    for index in range(max(len(old), len(new))):
        _diff(
            old[index] if index < len(old) else _MISSING,
            new[index] if index < len(new) else _MISSING,
            element,
            f"{path}[{index}]",
            out,
        )


def _keyed(items: list[Any], key: str) -> bool:
    """Whether each element is an object whose `key` names it alone: a string, number or
    boolean that no other element's `key` shares, as a path prints it (so `1` and `"1"`
    do not name two elements)."""
    labels = [label(item.get(key)) for item in items if isinstance(item, dict)]
    return len(labels) == len(items) and None not in labels and len(set(labels)) == len(labels)


def _plain_distinct(items: list[Any]) -> bool:
    """Whether each element is a string, number or boolean no other element is, as a path prints it."""
    labels = [label(item) for item in items]
    return None not in labels and len(set(labels)) == len(labels)


def _same(old: Any, new: Any) -> bool:
    """Equal and of the same types throughout ([1] == [True] in Python, but not here)."""
    if type(old) is not type(new):
        return False
    if isinstance(old, list):
        return len(old) == len(new) and all(_same(a, b) for a, b in zip(old, new))
    if isinstance(old, dict):
        return old.keys() == new.keys() and all(_same(value, new[key]) for key, value in old.items())
    return bool(old == new)


def _hashable(value: Any) -> Any:
    return (type(value).__name__, value)


def compare(kind: Kind, old: dict[str, Any] | None, new: dict[str, Any] | None) -> list[FieldChange]:
    """The field changes between two versions of a record of `kind` (None: not there)."""
    return diff_data(old if old is not None else {}, new if new is not None else {}, kind.root)


def record_paths(kind: Kind, data: dict[str, Any]) -> list[tuple[str, Any]]:
    """Every value of a record with the path `diff` names it by, which `update --set` and
    `--remove` read back: each field, and each element of a list by its key
    (`observations[actor=KCNA]`), by its value (`tags[=russia]`) or by its place, as
    `diff` would, in schema order."""
    out: list[tuple[str, Any]] = []
    _paths(data, kind.root, "", out)
    return out


def _paths(value: Any, shape: Field | None, path: str, out: list[tuple[str, Any]]) -> None:
    if isinstance(value, dict) and value:
        known = list(shape.keys) if shape is not None else []
        for key in [k for k in known if k in value] + sorted(k for k in value if k not in known):
            _paths(value[key], shape.keys.get(key) if shape is not None else None, join_key(path, key), out)
    elif isinstance(value, list) and value:
        element = _element_shape(shape)
        key = shape.key if shape is not None else None
        if key and is_name(key) and _keyed(value, key):
            for item in value:
                _paths(item, element, join_match(path, key, item[key]), out)
        elif _plain_distinct(value):
            out.extend((join_match(path, "", item), item) for item in value)
        else:
            for index, item in enumerate(value):
                _paths(item, element, f"{path}[{index}]", out)
    else:
        out.append((path, value))
