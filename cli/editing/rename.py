"""`dprk rename OLD NEW`: a record's id changed everywhere, in one step.

The record file is moved to its new name, its `id` field changed, and every reference
to the old id in every other record (any field with `x-references`, at any depth)
changed to the new one. Everything is checked before the old file goes: the renamed
record as `dprk add` checks a new one (its new id free in every kind), each changed
record as `update` checks it. Under the repository's write lock, the new file is
written first, then the records that refer to it, then the old file is removed, so that
at no moment does a reference point at nothing; if a check fails, the new file is taken
away again and nothing else has changed.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from cli.editing.saving import Invalid, check, refuse_existing
from cli.errors import DataError, UsageError
from cli.records.kinds import values_at
from cli.records.repository import RecordFile, Repository, check_id_text


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


def rename(repo: Repository, old_id: str, new_id: str, *, dry_run: bool = False, commit: bool = False) -> Renamed:
    check_id_text(new_id)
    if new_id == old_id:
        raise UsageError(f"the new id is the old one, {old_id!r}", hint="give another id")
    record = repo.get_record(old_id)
    kind = record.kind
    if commit and not dry_run:
        from cli.history.commit import check_can_commit

        check_can_commit(repo.root, record.path)
    import contextlib

    with contextlib.nullcontext() if dry_run else repo.write_lock():
        refuse_existing(repo, new_id)
        data = repo.load(record)
        data[kind.id_field] = new_id
        data, _ = _retarget(kind, data, old_id, new_id)  # a record that refers to itself
        new = repo.record_file(kind, new_id)
        text, problems = check(repo, kind, data, record_id=new_id)
        problems = [p for p in problems if not (p.check == "reference" and repr(new_id) in p.message)]
        if problems:
            raise Invalid(problems)
        referrers = []
        for other, other_data in repo.iter_data():
            if other.rel == record.rel:
                continue
            changed, paths = _retarget(other.kind, other_data, old_id, new_id)
            if paths:
                referrers.append((other, changed, paths))
        result = Renamed(record, new, [(r, paths) for r, _, paths in referrers])
        if dry_run:
            return result
        from cli.records.writing import atomic_write

        atomic_write(new.path, text, exclusive=True)
        try:
            rendered = []
            for other, changed, _ in referrers:
                other_text, other_problems = check(repo, other.kind, changed, record_id=other.id)
                if other_problems:
                    raise Invalid(other_problems)
                rendered.append((other, other_text))
        except BaseException:
            new.path.unlink(missing_ok=True)  # nothing else was written yet
            raise
        for other, other_text in rendered:
            atomic_write(other.path, other_text, exclusive=False)
        try:
            record.path.unlink()
        except OSError as exc:
            raise DataError(f"{record.rel}: renamed to {new.rel}, but the old file could not be removed: {exc.strerror or exc}",
                            hint="remove it by hand") from None
    if commit:
        from cli.history.commit import commit_paths

        result.message = f"Rename {kind.name} {old_id} to {new_id}"
        result.commit = commit_paths(repo.root, [record.path, new.path] + [r.path for r, _ in result.referrers], result.message)
    return result
