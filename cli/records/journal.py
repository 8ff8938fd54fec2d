"""A change to several record files made as one: a journal, kept until the change is whole.

No file system renames several files at once, so a change that moves a record and
rewrites the records that refer to it (`dprk rename`) first writes what it will do to a
journal: for each file, its text before and after (None: the file does not exist). The
journal is written atomically into `.dprk-cache/journal/` (never through a link); then
the files are changed one by one, and the journal is removed. A process killed on the
way leaves the journal, and the next command that takes the repository's write lock
(every command that writes records, and `dprk validate`) finishes the change from it.

A journal is finished only when every file it names is its text before or its text
after, so no later edit is lost; a file changed meanwhile stops every writer with one
line naming it, until a person has looked. A journal is bound to the `records/` folder
it was written for (its device, inode and change time), so one copied or committed from
elsewhere is never carried out (`dprk validate` reports it). Only record files
(`records/<kind folder>/<id>.yaml`, not links) are ever written or removed.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dprk_records.errors import DataError
from dprk_records.records.writing import PRIVATE

FOLDER = "journal"  # under .dprk-cache/
FORMAT = 1
MAX_BYTES = 256 * 1024 * 1024

COMPLETED: list[str] = []  # what this process finished from an earlier one's journal (the command line says so)


@dataclass(frozen=True)
class Change:
    """One file of a change: its text before and after (None: no such file)."""

    rel: str
    old: str | None
    new: str | None


class JournalError(DataError):
    """A journal that cannot be finished as it stands: a person must look at it."""

    def __init__(self, rel: str, message: str, hint: str | None = None):
        super().__init__(f"{rel}: {message}", hint=hint)
        self.rel = rel


def _binding(repo: Any) -> list[int]:
    info = os.stat(repo.records_dir)
    return [info.st_dev, info.st_ino, info.st_ctime_ns]


def _folder_path(repo: Any) -> Path:
    return repo.root / PRIVATE / FOLDER


def pending(repo: Any) -> list[Path]:
    """The journals waiting in the repository (looked up without making any folder)."""
    folder = _folder_path(repo)
    try:
        if os.path.islink(folder) or os.path.islink(folder.parent):
            return []
        names = sorted(name for name in os.listdir(folder) if name.endswith(".json") and not name.startswith("."))
    except OSError:
        return []
    return [folder / name for name in names]


def carry_out(repo: Any, what: str, changes: list[Change]) -> None:
    """Make `changes` as one: journal, files in order, journal removed. The caller holds
    the write lock and has checked the change; a new file (old None) never replaces one."""
    folder = repo.private_folder(FOLDER)
    if folder is None:
        raise DataError(
            f"{PRIVATE}/{FOLDER}/ cannot be used (it or {PRIVATE} is a link, or not a folder); nothing was written",
            hint="remove it, so that dprk can keep the journal of this change there",
        )
    from dprk_records.records.writing import atomic_file

    record = {
        "format": FORMAT,
        "what": what,
        "records": _binding(repo),
        "files": [{"path": c.rel, "old": c.old, "new": c.new} for c in changes],
    }
    path = folder / f"{time.time_ns()}-{os.getpid()}.json"
    with atomic_file(path, replace=False) as handle:
        json.dump(record, handle, ensure_ascii=False)
    try:
        _apply(repo, changes, path.name)
    except JournalError:
        raise
    except (DataError, OSError) as exc:  # the disk is full, say: the journal stays, and the change is finished later
        reason = exc.message if isinstance(exc, DataError) else f"{exc.strerror or exc}"
        raise DataError(
            f"the {what} stopped part-way: {reason}",
            hint="it is finished by the next dprk command that writes records, or by 'dprk validate', once that is put right",
        ) from None
    _remove(path)


def recover(repo: Any) -> list[str]:
    """Finish every journal of this repository that an interrupted command left (the
    caller holds the write lock). Returns what was finished; a journal that cannot be
    finished raises JournalError; one not made for this folder is left alone."""
    done = []
    for path in pending(repo):
        loaded = _load(repo, path)
        if loaded is None:
            continue
        what, changes = loaded
        _apply(repo, changes, path.name)
        _remove(path)
        COMPLETED.append(f"finished an interrupted {what}")
        done.append(what)
    return done


def problems(repo: Any) -> list[tuple[str, str]]:
    """(path, message) for each journal still waiting: one not made for this folder, one
    that cannot be finished, or one that could not be finished here (no write lock)."""
    found = []
    for path in pending(repo):
        rel = f"{path.parent.parent.name}/{path.parent.name}/{path.name}"
        loaded = _load(repo, path)
        if loaded is None:
            found.append(
                (
                    rel,
                    "the journal of an unfinished change, not made for this folder (copied or committed "
                    "from elsewhere?); dprk leaves it alone: delete it",
                )
            )
            continue
        try:
            _todo(repo, loaded[1], path.name)
        except JournalError as exc:
            found.append((rel, f"an interrupted {loaded[0]} cannot be finished: {exc}"))
        else:
            found.append(
                (rel, f"an interrupted {loaded[0]} is not finished: run dprk where the repository can be written")
            )
    return found


def _load(repo: Any, path: Path) -> tuple[str, list[Change]] | None:
    """A journal's change, or None when it is not one this folder's dprk wrote."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as handle:
            import stat

            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                return None
            raw = handle.read(MAX_BYTES + 1)
        record = json.loads(raw.decode("utf-8"))
        if record.get("format") != FORMAT or record.get("records") != _binding(repo):
            return None
        what = record["what"]
        changes = [Change(item["path"], item["old"], item["new"]) for item in record["files"]]
        if not isinstance(what, str) or not all(_well_formed(c) for c in changes):
            return None
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    for change in changes:
        if not _record_path(repo, change.rel):
            return None
    return what, changes


def _well_formed(change: Change) -> bool:
    return (
        isinstance(change.rel, str)
        and all(isinstance(text, (str, type(None))) for text in (change.old, change.new))
        and change.old != change.new
    )


def _record_path(repo: Any, rel: str) -> bool:
    from dprk_records.records.repository import RecordFile

    found = repo.classify(repo.root / rel)
    return isinstance(found, RecordFile) and found.rel == rel and not os.path.islink(repo.root / rel)


def _current(repo: Any, rel: str) -> str | None | bool:
    """A file's text now: None when it does not exist, False when it is no regular file or not UTF-8."""
    import stat

    path = repo.root / rel
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        return None
    except OSError:
        return False
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            return False
        raw = handle.read()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return False


def _todo(repo: Any, changes: list[Change], name: str) -> list[Change]:
    """The files still to change. Each must be its text before or after; else nothing may be touched."""
    todo = []
    for change in changes:
        now = _current(repo, change.rel)
        if now == change.new:
            continue
        if now is False or now != change.old:
            raise JournalError(
                change.rel,
                f"changed since an interrupted change began (journal {PRIVATE}/{FOLDER}/{name}); "
                "dprk will not finish it over that change",
                hint="put the file right by hand, then delete the journal",
            )
        todo.append(change)
    return todo


def _apply(repo: Any, changes: list[Change], name: str) -> None:
    """Bring each file to its text after, in the journal's order (see _todo)."""
    from dprk_records.records.writing import atomic_file, sync_folder

    for change in _todo(repo, changes, name):
        path = repo.root / change.rel
        if change.new is None:
            path.unlink(missing_ok=True)
            sync_folder(path.parent)
            continue
        try:
            with atomic_file(path, replace=change.old is not None) as handle:
                handle.write(change.new)
        except FileExistsError:  # a file appeared where the change makes a new one
            raise JournalError(
                change.rel,
                "appeared while a change was being made; nothing more was written",
                hint=f"put the file right by hand, then delete {PRIVATE}/{FOLDER}/{name}",
            ) from None


def _remove(path: Path) -> None:
    path.unlink(missing_ok=True)
    from dprk_records.records.writing import sync_folder

    sync_folder(path.parent)
