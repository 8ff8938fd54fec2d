"""`dprk rename OLD NEW`: a record's id changed everywhere, in one step.

The record file is moved to its new name, its `id` field changed, and every reference
to the old id in every other record (any field with `x-references`, at any depth)
changed to the new one. Everything is checked before anything is written: the renamed
record as `dprk add` checks a new one (its new id free in every kind: a taken id is
invalid data, exit 1), each changed record as `update` checks it. Then, under the
repository's write lock, the whole change is written to a journal
(dprk_records.records.journal) and made: the new file first, then the records that refer to it,
then the old file removed, so that at no moment does a reference point at nothing. A
process killed on the way leaves the journal, and the next command that writes (or
`dprk validate`) finishes the rename from it.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from dprk_records.editing.saving import Invalid, check
from dprk_records.errors import DataError, UsageError
from dprk_records.records import yamlread
from dprk_records.records.journal import Change, carry_out
from dprk_records.records.kinds import values_at
from dprk_records.records.repository import RecordFile, Repository, check_id_text


@dataclass
class Renamed:
    old: RecordFile
    new: RecordFile
    referrers: list[tuple[RecordFile, list[str]]] = field(default_factory=list)  # (record, the fields changed)
    commit: str | None = None
    message: str | None = None


def _retarget(kind: Any, data: dict[str, Any], old: str, new: str) -> tuple[dict[str, Any], list[str]]:
    """`data` with every reference to `old` pointing at `new`; and the paths changed."""
    changed = copy.deepcopy(data)
    paths: list[str] = []
    for item in kind.reference_fields:
        for pointer, value in values_at(changed, item.path):
            if value != old:
                continue
            node: Any = changed
            for part in pointer[:-1]:
                node = node[part]
            node[pointer[-1]] = new
            paths.append("".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in pointer).lstrip("."))
    return changed, paths


def _not_to_new(problems: list[Any], new_id: str) -> list[Any]:
    """The problems apart from references to the new id, which exists once the rename is made."""
    return [p for p in problems if not (p.check == "reference" and repr(new_id) in p.message)]


def rename(repo: Repository, old_id: str, new_id: str, *, dry_run: bool = False, commit: bool = False) -> Renamed:
    check_id_text(new_id)
    if new_id == old_id:
        raise UsageError(f"the new id is the old one, {old_id!r}", hint="give another id")
    record = repo.get_record(old_id)
    kind = record.kind
    if commit and not dry_run:
        from dprk_records.history.commit import check_can_commit

        check_can_commit(repo.root, record.path)
    import contextlib

    with contextlib.nullcontext() if dry_run else repo.write_lock():
        taken = repo.find_record(new_id, strict=False)
        if taken is not None:
            raise DataError(
                f"{taken.rel} already exists: the id {new_id!r} is taken; records are never overwritten",
                hint=f"give 'dprk rename {old_id}' another NEW id",
            )
        old_text = repo.read_text(record)
        data = yamlread.loads(old_text, record.rel)
        data[kind.id_field] = new_id
        data, _ = _retarget(kind, data, old_id, new_id)  # a record that refers to itself
        new = repo.record_file(kind, new_id)
        text, problems = check(repo, kind, data, record_id=new_id)
        if _not_to_new(problems, new_id):
            raise Invalid(_not_to_new(problems, new_id))
        referrers = []
        for other, other_data in repo.iter_data():
            if other.rel == record.rel or not _retarget(other.kind, other_data, old_id, new_id)[1]:
                continue
            other_old = repo.read_text(other)  # as it is now, under the lock
            changed, paths = _retarget(other.kind, yamlread.loads(other_old, other.rel), old_id, new_id)
            if paths:
                referrers.append((other, other_old, changed, paths))
        result = Renamed(record, new, [(r, paths) for r, _, _, paths in referrers])
        if dry_run:
            return result
        changes = [Change(new.rel, None, text)]
        for other, other_old, changed, _ in referrers:
            other_text, other_problems = check(repo, other.kind, changed, record_id=other.id)
            if _not_to_new(other_problems, new_id):
                raise Invalid(_not_to_new(other_problems, new_id))
            changes.append(Change(other.rel, other_old, other_text))
        changes.append(Change(record.rel, old_text, None))
        carry_out(repo, f"rename of {kind.name} {old_id} to {new_id}", changes)
    if commit:
        from dprk_records.history.commit import commit_paths

        result.message = f"Rename {kind.name} {old_id} to {new_id}"
        result.commit = commit_paths(
            repo.root, [record.path, new.path] + [r.path for r, _ in result.referrers], result.message
        )
    return result
