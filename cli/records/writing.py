"""Writing files inside the repository: atomically, with the right permissions, never
through a link out of it.

`atomic_file` and `atomic_write` write a temporary file in the same folder, sync it and
rename it into place (or hard-link it, for a new file that must not replace one), so a
reader sees the old file or the new one, never a part. `private_folder` is the tool's
own folder, `.dprk-cache/`, made only where it is a real folder of the repository.
`write_file` writes (or replaces) a file of the tool's own there, or anywhere a
committed link could wait for it: a link, folder, pipe or device at that name is
refused (`refuse_link`), never followed or replaced, and the file is written atomically.
`create_file` makes a new file that must not exist yet (the editor's work files) with
O_EXCL and O_NOFOLLOW, and `read_own_file` reads one back without following a link.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from dprk_records.errors import DataError

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
                with atomic_file(ignore, replace=False) as handle:  # never replaces what is there, link or file
                    handle.write("*\n")
            except (FileExistsError, DataError):
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
    fd = os.open(
        path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    )
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise OSError(errno.EINVAL, "not a regular file", str(path))
        return handle.read(limit + 1)


def refuse_link(path: Path, shown: str | None = None, *, hint: str = "remove it; dprk makes the file afresh") -> None:
    """A DataError when `path` is a symbolic link (even one inside the repository), a
    folder, a pipe, a socket or a device: the tool replaces regular files only, and never
    writes through a link. Nothing at `path` is fine. `shown` names it in the message."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return
    except OSError as exc:
        raise DataError(f"cannot write {shown or path}: {exc.strerror or exc}") from None
    if stat.S_ISLNK(mode):
        raise DataError(f"{shown or path} is a symbolic link; dprk never writes through a link", hint=hint)
    if not stat.S_ISREG(mode):
        raise DataError(
            f"{shown or path} is not a regular file (a folder, pipe or device); dprk will not replace it", hint=hint
        )


def write_file(
    path: Path,
    data: str | bytes,
    *,
    shown: str | None = None,
    exclusive: bool = False,
    hint: str = "remove it; dprk makes the file afresh",
    sync: bool = True,
) -> None:
    """Write a file of the tool's own safely: refused when a link (or anything but a
    regular file) is at `path` (see refuse_link), else written atomically (see
    atomic_file). With `exclusive`, an existing file is never replaced (DataError).
    `sync=False` leaves syncing to the caller (many files, synced once: see atomic_file)."""
    refuse_link(path, shown, hint=hint)
    try:
        with atomic_file(path, replace=not exclusive, binary=isinstance(data, bytes), sync=sync) as out:
            if isinstance(data, bytes):
                with open(out, "wb") as handle:
                    handle.write(data)
            else:
                out.write(data)
    except FileExistsError:
        raise DataError(f"{shown or path} already exists", hint="it was made meanwhile; nothing was replaced") from None


@contextlib.contextmanager
def atomic_file(
    path: Path,
    *,
    replace: bool,
    binary: bool = False,
    encoding: str = "utf-8",
    newline: str | None = "\n",
    sync: bool = True,
) -> Iterator[Any]:
    """Write a file so that readers see the old one or the new one, never a part.

    Yields a text stream (or, with `binary`, the temporary path for a writer that opens
    it itself) on a temporary dot-file in the same folder. On success it is flushed,
    synced and renamed over `path` (`replace`) or hard-linked to `path`, which fails
    with FileExistsError if `path` exists, so that nothing is ever replaced by
    accident. On any error the temporary file is removed and `path` is untouched;
    other OS errors become a DataError naming the file. With `sync=False` the file and
    its folder are not synced: still renamed into place whole, for a caller that writes
    many files and syncs them once at the end (the site's pages).
    """
    folder = path.parent if str(path.parent) else Path(".")
    temp: Path | None = None
    try:
        import tempfile

        fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
        temp = Path(temp_name)
        if binary:
            os.close(fd)
            yield temp
            if sync:
                handle_fd = os.open(temp, os.O_RDWR | getattr(os, "O_NOFOLLOW", 0))
                try:
                    os.fsync(handle_fd)
                finally:
                    os.close(handle_fd)
        else:
            with os.fdopen(fd, "w", encoding=encoding, newline=newline) as handle:
                yield handle
                handle.flush()
                if sync:
                    os.fsync(handle.fileno())
        os.chmod(temp, _mode_for(path))
        if replace:
            os.replace(temp, path)
        else:
            os.link(temp, path)
        if sync:
            sync_folder(folder)
    except FileExistsError:
        raise
    except OSError as exc:
        raise DataError(
            f"cannot write {path}: {exc.strerror or exc}", hint="check that the folder exists and is writable"
        ) from None
    finally:
        if temp is not None and temp.exists():
            temp.unlink()


def _mode_for(path: Path) -> int:
    """The permissions a written file gets: those of the file it replaces, else what the
    umask leaves of 0666 (as for any file a program creates). A link is not followed:
    a file replacing one gets the umask's permissions, not those of what it points at."""
    try:
        mode = os.lstat(path).st_mode
        if not stat.S_ISLNK(mode):
            return stat.S_IMODE(mode)
        raise FileNotFoundError
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
        raise DataError(
            f"{path} already exists; records are never overwritten",
            hint="choose another {id}, or use 'dprk update'",
            params=("id",),
        ) from None


def sync_folder(folder: Path) -> None:
    """Flush a folder's entries (a rename or unlink in it) to disk; where the system cannot, nothing."""
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
