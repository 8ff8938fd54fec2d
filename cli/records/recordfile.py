"""What a scan of records/ finds: a record file (its path, kind and id), or a stray, something
there that is not one. Below the repository (dprk_records.records.repository), so that
what the repository uses, such as the journal of a change to several files, can name a
record file without importing the repository.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from dprk_records.errors import DataError
from dprk_records.records.kinds import Kind


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
