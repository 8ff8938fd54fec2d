"""What the parse cache is keyed by: the code that fills it and the schema files.

A cached parse or verdict is only as good as the code that made it and the schemas it
was checked against. `code_key` describes the tool's own source files and the installed
PyYAML (with its libyaml binding), jsonschema and referencing; `schema_hash` hashes the
schema files. The cache (dprk_records.records.cache) drops every entry when either changes.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import NamedTuple

try:  # blake2b without loading OpenSSL (hashlib's import costs more than all the stats below)
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - a Python built without its own blake2
    from hashlib import blake2b

RACY_NS = 2_000_000_000  # a file changed less than this long ago is also hashed (see dprk_records.records.cache)
_LIBRARIES = ("yaml", "jsonschema", "referencing")  # the code that parses and checks besides ours
_CODE_KEY: str | None = None


class Stamp(NamedTuple):
    """What tells one version of a file from another (with its bytes, while it is racy)."""

    size: int
    mtime_ns: int
    ctime_ns: int
    ino: int


def stat_key(stat: os.stat_result | Stamp) -> Stamp:
    """A file's Stamp from its stat (a Stamp is kept as it is: a fraction of a stat's memory)."""
    return stat if isinstance(stat, Stamp) else Stamp(stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino)


def packed(stat: os.stat_result | Stamp) -> bytes:
    """A file's Stamp as 32 bytes: the same thing in a third of the memory, for keeping one
    per record between two passes."""
    import struct

    return struct.pack("<QqqQ", *stat_key(stat))


def unpacked(data: bytes) -> Stamp:
    import struct

    return Stamp(*struct.unpack("<QqqQ", data))


def digest(data: bytes) -> str:
    return blake2b(data, digest_size=16).hexdigest()


def racy(stat: os.stat_result | Stamp, now: int | None = None) -> bool:
    """Whether a file changed so recently that its stat alone may not tell a later change."""
    key = stat_key(stat)
    return (now if now is not None else time.time_ns()) - max(key.mtime_ns, key.ctime_ns) < RACY_NS


def code_key() -> str:
    """A key for the code that parses and checks records, cheap enough for every run.

    Every source file of this package is described by its path, size, mtime, ctime and
    inode (one stat each, nothing read), and so is every file at the top of the installed
    PyYAML (its libyaml binding included), jsonschema and referencing packages (found
    without importing them): a `git pull` of the tool, an edit in an editable install or
    an upgrade changes at least one of these, and with it the key. A source file changed
    within the last two seconds is also hashed by content, so that two edits within one
    tick of a coarse file-system clock, at the same size, still give different keys.
    Computed once per process."""
    global _CODE_KEY
    if _CODE_KEY is None:
        h = blake2b(digest_size=16)
        h.update(f"{sys.version}\0{sys.implementation.cache_tag}\0".encode())
        now = time.time_ns()
        package = Path(__file__).resolve().parent.parent  # the whole cli package
        for folder, folders, files in os.walk(package):
            folders[:] = sorted(f for f in folders if f != "__pycache__")
            for name in sorted(files):
                if name.endswith(".py"):
                    _describe(h, os.path.join(folder, name), now, str(package))
        for library in _LIBRARIES:
            for file in _library_files(library):
                _describe(h, file, None, "")
        _CODE_KEY = h.hexdigest()
    return _CODE_KEY


def _describe(h: blake2b, file: str, now: int | None, base: str) -> None:
    try:
        st = os.stat(file)
    except OSError:
        h.update(f"{file}=missing\0".encode())
        return
    h.update(f"{file[len(base) :]}={st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}:{st.st_ino}\0".encode())
    if now is not None and now - max(st.st_mtime_ns, st.st_ctime_ns) < RACY_NS:
        with open(file, "rb") as handle:
            h.update(blake2b(handle.read(), digest_size=16).digest())


def _library_files(name: str) -> list[str]:
    """The files at the top of an installed package's folder (its module, if a single
    file), found by the import system without importing it."""
    import importlib.util

    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        spec = None
    if spec is None:
        return [f"{name}:none"]
    folders = list(spec.submodule_search_locations or [])
    if not folders:
        return [spec.origin] if spec.origin else [f"{name}:none"]
    files = []
    for folder in folders:
        try:
            files += sorted(entry.path for entry in os.scandir(folder) if entry.is_file())
        except OSError:
            files.append(f"{folder}:unreadable")
    return files


def schema_hash(schema_dir: Path, root: Path | None = None) -> str:
    """A hash of every schema file's name and bytes. With `root`, the repository's root,
    a folder or file that leads out of it is never read: a DataError (see schema_files)."""
    from dprk_records.records.schemas import schema_files

    h = blake2b(digest_size=16)
    for file in schema_files(schema_dir, root, ".json"):
        h.update(file.name.encode())
        h.update(b"\0")
        h.update(file.read_bytes())
        h.update(b"\0")
    return h.hexdigest()
