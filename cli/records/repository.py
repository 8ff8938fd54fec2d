"""The repository: where it is, which record files it holds, and reading and writing them.

A repository is a folder holding `schema/` and `records/`. Records live in
`records/<folder>/<id>.yaml`, the folder naming the kind. Writes are atomic: a
temporary file in the same folder, flushed and synced, then renamed (or, for a new
record, hard-linked so that an existing record is never replaced).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from dprk_records.errors import DataError, UsageError
from dprk_records.records.kinds import Kind
from dprk_records.records.schemas import Schemas, within

RECORD_SUFFIX = ".yaml"
RECORDS = "records"  # the folder of records, under the repository root
SCHEMA = "schema"  # the folder of schema files
REPO = {"repo": "the folder"}  # how an error names the repository folder given (the command line: --repo)
ENV_REPO = "DPRK_REPO"


class RecordFile:
    """A record file on disk: its path, its kind (from its folder) and its id (from its name).

    `file` is the path as a string (cheap to make for every file of a large
    repository); `path` is the same as a Path, made when first asked for.
    """

    __slots__ = ("file", "kind", "id", "rel", "_path")

    def __init__(self, path: str | os.PathLike[str], kind: Kind, id: str, rel: str):
        self.file = os.fspath(path)
        self.kind = kind
        self.id = id
        self.rel = rel  # path relative to the repository root, with forward slashes
        self._path: Path | None = path if isinstance(path, Path) else None

    @property
    def path(self) -> Path:
        if self._path is None:
            self._path = Path(self.file)
        return self._path

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RecordFile) and (self.file, self.kind.name, self.id) == (
            other.file,
            other.kind.name,
            other.id,
        )

    def __hash__(self) -> int:
        return hash(self.file)

    def __repr__(self) -> str:
        return f"RecordFile({self.rel!r}, kind={self.kind.name!r})"


@dataclass(frozen=True)
class Stray:
    """Something under records/ that is not a readable record file."""

    rel: str
    message: str


@dataclass(frozen=True)
class OutsideFolder(Stray):
    """records/, or a kind folder, that is a link to a folder outside the repository.

    Nothing in it is read or written. Commands that list records stop with one line
    (records() raises); validate reports it as a problem.
    """

    def error(self) -> DataError:
        return DataError(f"{self.rel}: {self.message}", hint="replace the link with a folder inside the repository")


OUTSIDE_FOLDER = "is a link to a folder outside the repository; dprk reads and writes only inside the repository"


class Repository:
    def __init__(self, root: Path):
        self.root = root
        self.schema_dir = root / SCHEMA
        self.records_dir = root / RECORDS
        self.real_root = os.path.realpath(root)

    def inside(self, path: str | os.PathLike[str]) -> bool:
        """Whether `path`, with every link followed, is in the repository."""
        return within(path, self.real_root)

    def check_inside(self, folder: Path) -> None:
        """A DataError when `folder` (records/ or a kind folder) leads out of the repository."""
        if not self.inside(folder):
            raise OutsideFolder(self.rel(folder), OUTSIDE_FOLDER).error()

    def __repr__(self) -> str:
        return f"Repository({str(self.root)!r})"

    # --- finding ------------------------------------------------------------------

    @staticmethod
    def is_root(folder: Path) -> bool:
        return (folder / SCHEMA).is_dir() and (folder / RECORDS).is_dir()

    @classmethod
    def find(cls, explicit: str | os.PathLike[str] | None = None, start: Path | None = None) -> Repository:
        """The repository named by `explicit` (or $DPRK_REPO), else the nearest one above `start`."""
        if explicit is None:
            explicit = os.environ.get(ENV_REPO) or None
        if explicit is not None:
            root = Path(explicit).expanduser()
            if root.exists() and not root.is_dir():
                raise UsageError(
                    f"{str(root)!r} is a file, not a repository folder", hint="check {repo} or DPRK_REPO", params=REPO
                )
            if not root.is_dir():
                raise UsageError(
                    f"repository folder {str(root)!r} does not exist", hint="check {repo} or DPRK_REPO", params=REPO
                )
            if not cls.is_root(root):
                raise UsageError(
                    f"{str(root)!r} is not a dprk-records repository (it needs schema/ and records/)",
                    hint="check {repo} or DPRK_REPO",
                    params=REPO,
                )
            return cls(root.resolve())
        here = (start or Path.cwd()).resolve()
        for folder in (here, *here.parents):
            if cls.is_root(folder):
                return cls(folder)
        raise UsageError(
            f"no dprk-records repository here or above {str(here)!r} (a folder holding schema/ and records/)",
            hint="cd into one, or pass {repo=DIR} or set DPRK_REPO",
            params=REPO,
        )

    # --- kinds --------------------------------------------------------------------

    @cached_property
    def schemas(self) -> Schemas:
        return Schemas(self.schema_dir, root=self.root)

    def kind(self, name: str) -> Kind:
        return self.schemas.get(name)

    def kinds(self, names: Iterable[str] = ()) -> list[Kind]:
        """The kinds named (singular or plural), or all kinds when none are named."""
        names = list(names)
        if not names:
            return list(self.schemas.kinds.values())
        chosen: list[Kind] = []
        for name in names:
            kind = self.schemas.get(name)
            if kind not in chosen:
                chosen.append(kind)
        return chosen

    # --- paths --------------------------------------------------------------------

    def rel(self, path: Path) -> str:
        """`path` relative to the root (reached through the root as given or as resolved)."""
        for root in (self.root, Path(self.real_root)):
            try:
                return path.relative_to(root).as_posix()
            except ValueError:
                continue
        return str(path)

    def path_for(self, kind: Kind, record_id: str) -> Path:
        return self.records_dir / kind.folder / (record_id + RECORD_SUFFIX)

    def record_file(self, kind: Kind, record_id: str) -> RecordFile:
        path = self.path_for(kind, record_id)
        return RecordFile(path, kind, record_id, self.rel(path))

    def kinds_holding(self, record_id: Any) -> list[Kind]:
        """The kinds whose folder holds a file named after this id (from names alone: the
        one lookup of an id); none for anything that is not an id's text."""
        if not isinstance(record_id, str):
            return []
        try:
            check_id_text(record_id)
        except UsageError:  # not an id at all, so no file has that name
            return []
        return [kind for kind in self.schemas.kinds.values() if self.path_for(kind, record_id).is_file()]

    def find_record(self, record_id: Any, *, strict: bool = True) -> RecordFile | None:
        """The record with this id (the first kind holding it), or None. Text that is not
        an id is a usage error, or, not `strict`, finds nothing (as anything not text does)."""
        if strict:
            check_id_text(record_id)
        for kind in self.kinds_holding(record_id):
            path = self.path_for(kind, record_id)
            self.check_inside(path.parent)
            found = self.classify(path) if path.is_symlink() else RecordFile(path, kind, record_id, self.rel(path))
            if isinstance(found, Stray):
                raise DataError(f"{found.rel}: {found.message}")
            return found
        return None

    def get_record(self, record_id: str) -> RecordFile:
        found = self.find_record(record_id)
        if found is None:
            from dprk_records.records.suggest import did_you_mean, nearest_ids

            close = did_you_mean(nearest_ids(record_id, self.id_index()))
            raise UsageError(f"no record with id {record_id!r}", hint=close or "list ids with 'dprk query'")
        return found

    def classify(self, path: Path) -> RecordFile | Stray:
        """What a path under records/ is: a record file of some kind, or a stray."""
        rel = self.rel(path)
        parts = Path(rel).parts
        if len(parts) != 3 or parts[0] != RECORDS:
            return Stray(rel, "not a record file: records live in records/<kind folder>/<id>.yaml")
        folder, name = parts[1], parts[2]
        kind = self.schemas.by_folder.get(folder)
        if kind is None:
            return Stray(rel, f"records/{folder}/ is not a kind folder (folders: {', '.join(self.schemas.by_folder)})")
        if not name.endswith(RECORD_SUFFIX):
            return Stray(rel, "record files end in .yaml")
        if not self.inside(path.parent):
            return Stray(rel, f"its folder {OUTSIDE_FOLDER}")
        if path.is_symlink() and not self.inside(path):
            return Stray(rel, "symbolic link to a file outside the repository; records must be regular files")
        if path.is_dir():
            return Stray(rel, "a directory named like a record; records are files")
        if path.exists() and not path.is_file():
            return Stray(rel, "not a regular file (a pipe, socket or device named like a record); records are files")
        return RecordFile(path, kind, name[: -len(RECORD_SUFFIX)], rel)

    def scan(self, kinds: Iterable[Kind] | None = None) -> Iterator[RecordFile | Stray]:
        """Every record file (and every stray) under records/, sorted by kind then id."""
        chosen = list(kinds) if kinds is not None else list(self.schemas.kinds.values())
        if not self.inside(self.records_dir):
            yield OutsideFolder(RECORDS, OUTSIDE_FOLDER)
            return
        if kinds is None and self.records_dir.is_dir():
            for entry in sorted(os.scandir(self.records_dir), key=lambda e: e.name):
                if entry.name.startswith("."):
                    continue
                if entry.is_dir() and entry.name not in self.schemas.by_folder:
                    yield Stray(
                        f"records/{entry.name}", f"not a kind folder (folders: {', '.join(self.schemas.by_folder)})"
                    )
                elif not entry.is_dir() and entry.name.endswith((".yaml", ".yml")):
                    yield Stray(f"records/{entry.name}", "record files belong in a kind folder, records/<kind folder>/")
        for kind in chosen:
            folder = self.records_dir / kind.folder
            if not folder.is_dir():
                continue
            if os.path.islink(folder) and not self.inside(folder):
                yield OutsideFolder(f"{RECORDS}/{kind.folder}", OUTSIDE_FOLDER)
                continue
            for entry in sorted(os.scandir(folder), key=lambda e: e.name):
                name = entry.name
                if name.startswith("."):
                    continue
                if name.endswith(".yml"):
                    yield Stray(f"records/{kind.folder}/{name}", "record files end in .yaml, not .yml; rename it")
                    continue
                if not name.endswith(RECORD_SUFFIX):
                    continue
                if not entry.is_file(follow_symlinks=False):  # a link, a folder, a pipe, a device...
                    yield self.classify(Path(entry.path))
                    continue
                yield RecordFile(entry.path, kind, name[: -len(RECORD_SUFFIX)], f"records/{kind.folder}/{name}")

    def records(self, kinds: Iterable[Kind] | None = None) -> Iterator[RecordFile]:
        """Every record file. A folder that leads out of the repository stops it (DataError)."""
        for item in self.scan(kinds):
            if isinstance(item, RecordFile):
                yield item
            elif isinstance(item, OutsideFolder):
                raise item.error()

    def id_index(self) -> dict[str, list[Kind]]:
        """Every record id with the kinds that hold a file of that name (from names alone)."""
        index: dict[str, list[Kind]] = {}
        for item in self.records():
            index.setdefault(item.id, []).append(item.kind)
        return index

    # --- reading ------------------------------------------------------------------

    def read_bytes(self, record: RecordFile) -> bytes:
        from dprk_records.records import yamlread

        return yamlread.read_bytes(record.file, record.rel)

    def read_text(self, record: RecordFile) -> str:
        from dprk_records.records import yamlread

        return yamlread.decode(self.read_bytes(record), record.rel)

    def load(self, record: RecordFile) -> dict[str, Any]:
        from dprk_records.records import yamlread

        return yamlread.loads(self.read_text(record), record.rel)

    def iter_data(
        self,
        kinds: Iterable[Kind] | None = None,
        *,
        order: Callable[[RecordFile], Any] | str | None = None,
        use_cache: bool = True,
        progress: Callable[..., None] | None = None,
        on_error: Callable[[Exception], None] | None = None,
    ) -> Iterator[tuple[RecordFile, dict[str, Any]]]:
        """Every record with its parsed data: see dprk_records.records.reading.iter_data."""
        from dprk_records.records.reading import iter_data

        return iter_data(self, kinds, order=order, use_cache=use_cache, progress=progress, on_error=on_error)

    # --- writing ------------------------------------------------------------------

    @contextlib.contextmanager
    def write_lock(self) -> Iterator[None]:
        """Hold the repository's write lock: an exclusive lock on the records folder.

        Every command that writes a record (add, update, fmt, rename) takes it around
        "read what is there, check, write", so two writers never interleave: an id is
        checked free and taken in one step, and a record is replaced only as it was
        read. Readers take no lock (writes are atomic renames). The lock is held for
        milliseconds, never while a person is typing. Taking it first finishes any change
        to several files that an interrupted command left half made (dprk_records.records.journal).
        """
        import fcntl

        self.check_inside(self.records_dir)
        try:
            fd = os.open(self.records_dir, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        except OSError as exc:
            raise DataError(f"cannot open {self.rel(self.records_dir)}/ to lock it: {exc.strerror or exc}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            from dprk_records.records import journal

            if journal.pending(self):
                journal.recover(self)  # a change an interrupted command left half made is finished first
            yield
        finally:
            os.close(fd)  # closing releases the lock

    def finish_interrupted(self) -> None:
        """Finish, under the write lock, any change to several files that an interrupted
        command left half made (dprk_records.records.journal); nothing is locked when there is none."""
        from dprk_records.records import journal

        if journal.pending(self):
            with self.write_lock():
                pass

    def private_folder(self, *parts: str) -> Path | None:
        """The tool's own folder in the repository (see dprk_records.records.writing.private_folder)."""
        from dprk_records.records.writing import private_folder

        return private_folder(self.root, *parts)

    def render(self, kind: Kind, data: dict[str, Any]) -> str:
        from dprk_records.records import yamlwrite

        return yamlwrite.dumps(data, kind.root, kind.header)


def check_id_text(record_id: str) -> None:
    """Refuse an id that could name a path outside its folder."""
    if (
        not record_id
        or "/" in record_id
        or "\\" in record_id
        or record_id in (".", "..")
        or not record_id.isprintable()
        or len(record_id) > 200
    ):
        raise UsageError(
            f"{record_id!r} is not a record id",
            hint="ids look like 2023-11-21-satellite-launch, with no path separators",
        )
