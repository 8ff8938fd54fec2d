"""Writing the site into its folder: only what changed, only inside it, never through a link.

The folder keeps a manifest, `.dprk-site.json`, naming every file the site wrote. A
build writes a page only where its bytes differ from the file there (so that a publish
diff stays small), removes the files of the last build that this one no longer makes
(pages of records since removed; nothing the manifest does not name), and writes the
manifest last. A folder that holds files but no manifest was not made by `dprk site`:
it is refused unless `force` (and then nothing in it is ever removed but what the site
writes from then on). A link, anywhere on a page's path inside the folder, is refused,
never followed; every file is written atomically (dprk_records.records.writing).
"""

from __future__ import annotations

import json
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from dprk_records.errors import DataError, UsageError
from dprk_records.records.writing import read_own_file, sync_folder, write_file

MANIFEST = ".dprk-site.json"
MAX_PAGE = 512 * 1024 * 1024  # read back at most this much of a page to compare it


@dataclass
class Published:
    written: int = 0
    unchanged: int = 0
    removed: int = 0

    def text(self) -> str:
        return f"{self.written} pages written, {self.unchanged} unchanged, {self.removed} removed"


def check_folder(folder: Path, force: bool) -> dict:
    """The manifest of the site in `folder` ({} for a new or empty folder); refuses a
    link, a file, or a folder holding files of something else (unless `force`)."""
    try:
        mode = os.lstat(folder).st_mode
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise DataError(f"cannot use {folder}: {exc.strerror or exc}") from None
    if stat.S_ISLNK(mode):
        raise UsageError(
            f"{folder} is a symbolic link; dprk site writes only into a real folder", hint="give the folder itself"
        )
    if not stat.S_ISDIR(mode):
        raise UsageError(f"{folder} exists and is not a folder", hint="give a folder for the site")
    manifest = folder / MANIFEST
    if os.path.lexists(manifest):
        try:
            data = json.loads(read_own_file(manifest, MAX_PAGE).decode("utf-8"))
        except (OSError, ValueError):
            raise DataError(
                f"{manifest} is not a manifest dprk site wrote", hint="remove it, or give another folder"
            ) from None
        if not isinstance(data, dict) or not isinstance(data.get("files"), list):
            raise DataError(f"{manifest} is not a manifest dprk site wrote", hint="remove it, or give another folder")
        return data
    if any(os.scandir(folder)) and not force:
        raise UsageError(
            f"{folder} holds files that dprk site did not write",
            hint="give a new or empty folder, or add --force to write the site among them",
        )
    return {}


def _safe_rel(rel: str) -> tuple[str, ...]:
    parts = tuple(rel.split("/"))
    if not rel or any(p in ("", ".", "..") or "\\" in p or "\0" in p for p in parts) or parts[-1] == MANIFEST:
        raise DataError(f"the site would write {rel!r}, which is not a page name inside its folder")
    return parts


def _make_folders(folder: Path, parts: tuple[str, ...]) -> Path:
    """The folder for a page, made as needed; a link or a file on the way is refused."""
    here = folder
    for part in parts[:-1]:
        here = here / part
        try:
            os.mkdir(here)
        except FileExistsError:
            pass
        except OSError as exc:
            raise DataError(f"cannot make {here}: {exc.strerror or exc}") from None
        mode = os.lstat(here).st_mode
        if not stat.S_ISDIR(mode):  # a link (even to a folder) or a file
            raise DataError(
                f"{here} is not a folder of the site (a link or a file); dprk never writes through a link",
                hint="remove it; dprk site makes it afresh",
            )
    return here / parts[-1]


def publish(folder: Path, pages: dict[str, bytes], extra: dict, *, force: bool = False) -> Published:
    """Write `pages` (path inside the folder -> bytes) into `folder`; `extra` goes into the manifest."""
    old = check_folder(folder, force)
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError as exc:
        raise DataError(f"cannot make {folder}: {exc.strerror or exc}") from None
    report = Published()
    for rel in sorted(pages):
        path = _make_folders(folder, _safe_rel(rel))
        if _same(path, pages[rel]):
            report.unchanged += 1
            continue
        write_file(path, pages[rel], shown=str(path), hint="remove it; dprk site makes the page afresh", sync=False)
        report.written += 1
    for rel in sorted(set(_listed(old)) - set(pages)):
        report.removed += _remove(folder, rel)
    if report.written and hasattr(os, "sync"):
        os.sync()  # the pages, synced once (each was renamed into place whole), before the manifest names them
    manifest = json.dumps({"files": sorted(pages), **extra}, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    if not _same(folder / MANIFEST, manifest.encode("utf-8")):
        write_file(folder / MANIFEST, manifest, shown=str(folder / MANIFEST))
    return report


def _listed(manifest: dict) -> list[str]:
    return [f for f in manifest.get("files", []) if isinstance(f, str)]


def _same(path: Path, data: bytes) -> bool:
    try:
        return read_own_file(path, len(data)) == data
    except OSError:
        return False


def _remove(folder: Path, rel: str) -> int:
    """Remove a file the last build wrote, if it is still a regular file reached through
    real folders inside `folder`; then its folders, where they are left empty."""
    try:
        parts = _safe_rel(rel)
    except DataError:
        return 0
    here = folder
    for part in parts[:-1]:
        here = here / part
        try:
            if not stat.S_ISDIR(os.lstat(here).st_mode):
                return 0
        except OSError:
            return 0
    path = here / parts[-1]
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            return 0
        os.unlink(path)
    except OSError:
        return 0
    sync_folder(here)
    while here != folder:
        try:
            os.rmdir(here)  # only an empty folder goes
        except OSError:
            break
        here = here.parent
    return 1
