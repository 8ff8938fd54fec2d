"""What the parse cache is keyed by: the code that fills it and the schema files.

A cached parse or verdict is only as good as the code that made it and the schemas it
was checked against. `code_key` hashes the tool's own source files and the installed
PyYAML, libyaml binding and jsonschema; `schema_hash` hashes the schema files. The cache
(cli.records.cache) drops every entry when either changes.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

_CODE_KEY: str | None = None


def code_key() -> str:
    """A hash of the code that parses and checks records: every source file of this
    package (by content) and the installed PyYAML, libyaml binding and jsonschema (by
    where they are and their files' stat), so that an upgrade or a `git pull` of the tool
    makes every cached parse and verdict stale. Computed once per process (~5 ms)."""
    global _CODE_KEY
    if _CODE_KEY is None:
        import importlib.util
        import sys

        h = hashlib.blake2b(digest_size=16)
        package = Path(__file__).resolve().parent.parent  # the whole cli package
        for file in sorted(package.rglob("*.py")):
            h.update(file.relative_to(package).as_posix().encode() + b"\0" + file.read_bytes() + b"\0")
        h.update(sys.version.encode())
        for name in ("yaml", "yaml._yaml", "jsonschema", "referencing"):
            try:
                spec = importlib.util.find_spec(name)
            except (ImportError, ValueError):
                spec = None
            origin = getattr(spec, "origin", None)
            if origin:
                st = os.stat(origin)
                h.update(f"{name}={origin}:{st.st_size}:{st.st_mtime_ns}:{st.st_ino}\0".encode())
            else:
                h.update(f"{name}=none\0".encode())
        _CODE_KEY = h.hexdigest()
    return _CODE_KEY


def schema_hash(schema_dir: Path, root: Path | None = None) -> str:
    """A hash of every schema file's name and bytes. With `root`, the repository's root,
    a folder or file that leads out of it is never read: a DataError (see schema_files)."""
    from cli.records.schemas import schema_files

    h = hashlib.blake2b(digest_size=16)
    for file in schema_files(schema_dir, root, ".json"):
        h.update(file.name.encode())
        h.update(b"\0")
        h.update(file.read_bytes())
        h.update(b"\0")
    return h.hexdigest()
