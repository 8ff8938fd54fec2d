"""Writing files inside the repository: atomically, with the right permissions, never
through a link out of it.

`atomic_file` and `atomic_write` write a temporary file in the same folder, sync it and
rename it into place (or hard-link it, for a new file that must not replace one), so a
reader sees the old file or the new one, never a part. `private_folder` is the tool's
own folder, `.dprk-cache/`, made only where it is a real folder of the repository;
`create_file` and `read_own_file` make and read the files the tool keeps there, never
through a link.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from pathlib import Path
from typing import Any, Iterator

from cli.errors import DataError

PRIVATE = ".dprk-cache"  # the tool's own folder (parse cache, unsaved edits); git ignores it


def private_folder(root: Path, *parts: str) -> Path | None:
    """The tool's own folder in a repository, `.dprk-cache/` (or a folder under it), made
    if missing, with a .gitignore so that git never sees it. None when it cannot be used:
    it (or a folder under it) is a link, or is not a folder, or cannot be made. The tool
    never writes through a link out of the repository.
    """
    folder = root / PRIVATE
    try:
        for name in ("", *parts):
            folder = folder / name if name else folder
            try:
                os.mkdir(folder)
            except FileExistsError:
                pass
            if os.path.islink(folder) or not os.path.isdir(folder):
                return None
        ignore = root / PRIVATE / ".gitignore"
        if not os.path.lexists(ignore):
            try:
                with open(ignore, "x") as handle:
                    handle.write("*\n")
            except FileExistsError:
                pass
    except OSError:
        return None
    return folder


_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


def create_file(path: Path, data: bytes, mode: int = 0o600) -> None:
    """Make a new file holding `data`. Never through a link and never over a file that is
    there: O_CREAT with O_EXCL refuses any name that exists, a link (even one pointing at
    nothing) included, with FileExistsError. A file left part-written by an error is removed.
    Other OS errors are raised as they are."""
    fd = os.open(path, _CREATE, mode)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(path)
        raise


def read_own_file(path: Path, limit: int) -> bytes:
    """At most `limit` + 1 bytes of a regular file the tool made, opened without following
    a link (OSError if it is a link, is missing, or is not a regular file)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise OSError(errno.EINVAL, "not a regular file", str(path))
        return handle.read(limit + 1)


@contextlib.contextmanager
def atomic_file(path: Path, *, replace: bool, binary: bool = False, encoding: str = "utf-8", newline: str | None = "\n") -> Iterator[Any]:
    """Write a file so that readers see the old one or the new one, never a part.

    Yields a text stream (or, with `binary`, the temporary path for a writer that opens
    it itself) on a temporary dot-file in the same folder. On success it is flushed,
    synced and renamed over `path` (`replace`) or hard-linked to `path`, which fails
    with FileExistsError if `path` exists, so that nothing is ever replaced by
    accident. On any error the temporary file is removed and `path` is untouched;
    other OS errors become a DataError naming the file.
    """
    folder = path.parent if str(path.parent) else Path(".")
    temp: Path | None = None
    try:
        fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
        temp = Path(temp_name)
        if binary:
            os.close(fd)
            yield temp
            with open(temp, "rb+") as handle:
                os.fsync(handle.fileno())
        else:
            with os.fdopen(fd, "w", encoding=encoding, newline=newline) as handle:
                yield handle
                handle.flush()
                os.fsync(handle.fileno())
        os.chmod(temp, _mode_for(path))
        if replace:
            os.replace(temp, path)
        else:
            os.link(temp, path)
        _sync_folder(folder)
    except FileExistsError:
        raise
    except OSError as exc:
        raise DataError(f"cannot write {path}: {exc.strerror or exc}", hint="check that the folder exists and is writable") from None
    finally:
        if temp is not None and temp.exists():
            temp.unlink()


def _mode_for(path: Path) -> int:
    """The permissions a written file gets: those of the file it replaces, else what the
    umask leaves of 0666 (as for any file a program creates)."""
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        mask = os.umask(0o022)
        os.umask(mask)
        return 0o666 & ~mask


def atomic_write(path: Path, text: str, *, exclusive: bool) -> None:
    """Write a record file atomically (see atomic_file). With `exclusive`, never replace one."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DataError(f"cannot make the folder {path.parent}: {exc.strerror or exc}") from None
    try:
        with atomic_file(path, replace=not exclusive) as handle:
            handle.write(text)
    except FileExistsError:
        raise DataError(f"{path} already exists; records are never overwritten", hint="choose another --id, or use 'dprk update'") from None


def _sync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
