"""Records between revisions: which were added, removed, modified or renamed (each side
read with its own schemas), the history of one record, and what changed since a
revision for `validate --changed-since`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from dprk_records.errors import DprkError, UsageError
from dprk_records.history import status
from dprk_records.history.git import WORKTREE, Commit, Git, PathChange, Side, open_git
from dprk_records.history.recorddiff import Diff, OtherFile, RecordChange, compare
from dprk_records.records.repository import RECORD_SUFFIX, RECORDS, SCHEMA, RecordFile, Repository, Stray, check_id_text
from dprk_records.records.suggest import did_you_mean, nearest_ids


def record_at(repo: Repository, rel: str | None, schemas: Any = None) -> RecordFile | None:
    """The record a repository-relative path names (kind from folder, id from name), or None.

    `schemas`: the kinds to map folders with (a revision's own); the working tree's by default."""
    if rel is None:
        return None
    parts = rel.split("/")
    if len(parts) != 3 or parts[0] != RECORDS or not parts[2].endswith(RECORD_SUFFIX):
        return None
    kind = (schemas or repo.schemas).by_folder.get(parts[1])
    if kind is None:
        return None
    return RecordFile(repo.root / rel, kind, parts[2][: -len(RECORD_SUFFIX)], rel)


def diff_revisions(repo: Repository, spec: str | None = None) -> Diff:
    """Records added, removed, modified and renamed between the two sides of `spec`.

    `spec`: None (the working tree against HEAD), `REV` (REV against the working tree),
    `A..B`, or `A...B` (B against the merge base of A and B). Only changed blobs are read.
    """

    # the work tree against HEAD: git's walk of it starts now, while GitPython loads
    early = status.Early(repo.root, *status.status_args((), False)) if not spec else None
    try:
        with open_git(repo) as handle:
            old, new = handle.sides(spec)
            diff = Diff(old.label, new.label)
            for change in handle.changes(old, new, early=early):
                entry = _record_change(repo, handle, old, new, change)
                if entry is None:
                    diff.others.append(
                        OtherFile(
                            _STATUS_WORD.get(change.status, change.status),
                            change.new_path or change.old_path or "",
                            change.old_path if change.status == "R" else None,
                        )
                    )
                else:
                    diff.records.append(entry)
    finally:
        if early is not None:
            early.close()
    diff.sort()
    return diff


_STATUS_WORD = {"A": "added", "D": "removed", "M": "modified", "T": "modified", "R": "renamed", "C": "added"}


def _record_change(repo: Repository, handle: Git, old: Side, new: Side, change: PathChange) -> RecordChange | None:
    """One changed path in record terms, or None when neither side is a record file."""

    before = record_at(repo, change.old_path, handle.schemas_at(old)) if change.status not in ("A", "C") else None
    after = record_at(repo, change.new_path, handle.schemas_at(new))
    if before is None and after is None:
        return None
    if before is not None and after is not None:
        status = "renamed" if before.rel != after.rel else "modified"
    else:
        status = "added" if after is not None else "removed"
    shown = after or before
    assert shown is not None
    entry = RecordChange(status, shown.kind.name, shown.id, shown.rel)
    if status == "renamed" and before is not None:
        entry.old_kind, entry.old_id, entry.old_path = before.kind.name, before.id, before.rel
    old_snap = handle.snapshot(old, before.rel, change.old_blob, change.old_mode) if before is not None else None
    new_snap = handle.snapshot(new, after.rel, change.new_blob, change.new_mode) if after is not None else None
    for snap in (old_snap, new_snap):
        if snap is not None and snap.error:
            entry.errors.append(f"{snap.path} {snap.error}")
    if not entry.errors:
        entry.fields = compare(shown.kind, old_snap.data if old_snap else None, new_snap.data if new_snap else None)
    return entry


@dataclass
class LogEntry:
    commit: Commit
    change: RecordChange | None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "hash": self.commit.hash,
            "short": self.commit.short,
            "date": self.commit.date,
            "author": self.commit.author,
            "subject": self.commit.subject,
        }
        data.update({k: v for k, v in (self.change.to_dict() if self.change else {}).items()})
        return data


def record_log(repo: Repository, record_id: str) -> tuple[str, list[LogEntry]]:
    """The history of one record, newest first: each commit with the fields it changed.

    Follows renames. A record since removed is found by its id in history.
    """

    check_id_text(record_id)
    with open_git(repo) as handle:
        current = repo.find_record(record_id)
        has_head = handle.has_head()
        path = current.rel if current is not None else (handle.last_path(record_id) if has_head else None)
        if path is not None and not has_head:
            return path, []  # a record in a repository with no commit yet has no history
        if path is None:
            close = did_you_mean(nearest_ids(record_id, repo.id_index()))
            raise UsageError(
                f"no record with id {record_id!r}, now or in the history of this branch",
                hint=close or "list ids with 'git ls-files records'",
            )
        entries: list[LogEntry] = []
        for number, commit in enumerate(handle.log(path)):
            parent = Side(commit.hash + "^", commit.short + "^")
            this = Side(commit.hash, commit.short)
            items = commit.changes
            if number == 0 and current is None:
                # the newest commit took the record away: a rename to a new id shows as one
                renamed = handle.renamed_away(commit.hash, path)
                items = [renamed] if renamed is not None else items
            change = None
            for item in items:
                change = _record_change(repo, handle, parent, this, item)
                if change is not None:
                    break
            entries.append(LogEntry(commit, change))
    return path, entries


@dataclass
class ChangedSince:
    """What changed in the working tree since a revision, in record terms."""

    label: str
    present: list[RecordFile | Stray] = field(default_factory=list)  # added, modified or renamed-to, still on disk
    gone: list[RecordFile] = field(default_factory=list)  # removed, or renamed away (the old path)
    schema_changed: bool = False
    # git's word on the rest: HEAD's commit, and the paths under records/ that are not a tracked
    # file as HEAD holds it (changed, untracked, ignored); None when git's walk cannot vouch for that
    head: str | None = None
    moved: set[str] | None = None
    walked_at: int = 0  # the clock (ns) before git's walk began: a file changed since may be one it missed


def changed_since(repo: Repository, since: str) -> ChangedSince:
    """Records changed between `since` and the working tree (untracked records included).

    `since` is a revision; `REV...` means the merge base of REV and HEAD (what a pull
    request changed, even after REV moved on).
    """
    # against HEAD, git's walk of the work tree starts now, while GitPython loads
    walked_at = time.time_ns()
    early = [status.Early(repo.root, *status.status_args((RECORDS, SCHEMA), True))] if since == "HEAD" else []
    early += [status.Early(repo.root, *status.hidden_args(RECORDS))] if early else []
    try:
        with open_git(repo) as handle:
            result = _changed_since(repo, handle, since, *early)
            result.walked_at = walked_at
            return result
    finally:
        for process in early:
            process.close()


def _changed_since(repo: Repository, handle: Git, since: str, *early: status.Early) -> ChangedSince:
    """changed_since with git open (`early`: its status and ls-files -v, started before)."""
    if since.endswith("...") and len(since) > 3:
        old, _ = handle.sides(since + "HEAD")
    else:
        old = Side(handle.commit(since), since)
    result = ChangedSince(old.label)
    walk, told = early or (None, None)
    found = (
        status.worktree(handle, (RECORDS, SCHEMA), (RECORDS, SCHEMA), True, walk) if old.rev == handle.head() else None
    )
    if found is not None and not found.ignored_folders and not status.hidden(handle, RECORDS, told):
        result.head, result.moved = old.rev, found.moved
    work = Side(WORKTREE, "working tree")
    for change in found.changes if found is not None else handle.diff_changes(old, work, (RECORDS, SCHEMA)):
        for rel in (change.old_path, change.new_path):
            if rel is not None and rel.startswith("schema/"):
                result.schema_changed = True
        if change.status in ("D", "R") and change.old_path:
            before = record_at(repo, change.old_path)
            if before is not None:
                result.gone.append(before)
        if change.new_path and change.new_path.startswith("records/"):
            path = repo.root / change.new_path
            if path.exists() or path.is_symlink():
                result.present.append(repo.classify(path))
    return result


def paths_between(repo: Repository, old: str, new: str) -> set[str] | None:
    """The paths under records/ that differ between two commits; None when git cannot tell
    (a commit no longer there)."""
    if not all(len(rev) in (40, 64) and all(c in "0123456789abcdef" for c in rev) for rev in (old, new)):
        return None
    args = ("--name-only", "-z", "--no-renames", "--relative", "--no-ext-diff", "--no-textconv", "--ignore-submodules")
    with open_git(repo) as handle:
        try:
            out = handle.run("diff", *args, old, new, "--", RECORDS)
        except DprkError:
            return None
    return {path for path in out.split("\0") if path}


def grep_records(repo: Repository, needles: list[str]) -> list[str]:
    """Record files in the working tree whose text contains any of `needles` (git grep)."""
    with open_git(repo) as handle:
        return handle.grep(needles)
