"""A persistent parse cache: parsed records and their own verdicts, kept between runs.

Loading YAML is the slow part of reading many records, so each record's parsed data
(as JSON) and the problems found in it alone are kept in an SQLite file,
`.dprk-cache/records.sqlite3` under the repository root. The folder holds a
`.gitignore` of `*`, so git never sees it.

The cache is keyed by the code that filled it: a hash of the tool's own source files
and of the installed PyYAML and jsonschema (see `code_key`). When that changes (a `git
pull` that changes a rule, an upgrade), every entry is dropped, so no parse or verdict of
older code is ever used. The folder and the database must be real files inside the
repository: if `.dprk-cache` or the database is a link, the cache is not used, and
nothing is written or deleted through it.

An entry is used only when the file's size, mtime_ns, ctime_ns and inode are what
they were when the entry was stored. An entry stored within a second of the file's
last change could miss a later change within the same clock tick, so for such a
"racy" entry the file's bytes are hashed and compared as well. Every entry is also
keyed by a hash of the schema files: changing a schema re-reads and re-checks every
record. A cache that is corrupt, truncated, locked or unreadable is
ignored (and rebuilt when it can be); concurrent runs are serialised by SQLite.

The same database keeps views and reports (dprk_records.records.derived): an export's row of a
record, the outcome of a `validate` of every record; each used only for the same files.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from dprk_records import __version__
from dprk_records.errors import DataError
from dprk_records.records.cachekey import Stamp, code_key, digest, racy, schema_hash, stat_key
from dprk_records.records.cachetables import (
    ENTRIES_TABLE,
    FACTS_INDEX,
    FACTS_REL_INDEX,
    FACTS_TABLE,
    META_TABLE,
    UPSERT,
    VIEW_COLUMNS,
    VIEW_USE_TABLE,
    VIEWS_TABLE,
    Entry,
    View,
    entry_columns,
)
from dprk_records.records.writing import PRIVATE, private_folder

CACHE_DIR, CACHE_FILE = PRIVATE, "records.sqlite3"  # the parse cache's file, in the tool's own folder
FORMAT = 4  # the layout of what the cache stores (verdicts, reports): a new one drops every entry
VIEW_KEYS = 8  # views of this many different kinds (export column sets, ...) are kept; the least recently used goes


class ParseCache:
    """The cache of one repository. Use as a context manager, or call close()."""

    def __init__(self, root: Path, verdict_key: str):
        self.root = root
        self.folder = root / CACHE_DIR
        self.path = self.folder / CACHE_FILE
        self.verdict_key = f"{FORMAT}:{__version__}:{verdict_key}"
        # the schemas decide each record's sort key (its date field), so they key the whole cache too
        self.code = f"{code_key()}:{self.verdict_key}"
        self._db: Any = None
        self._pending: list[Entry] = []
        self._settled: list[tuple[str]] = []  # (rel,) of entries whose file is no longer racy
        self._views: list[View] = []
        self._opened = False

    # --- opening ------------------------------------------------------------------

    def connection(self) -> Any:
        """The cache's SQLite connection, opened on first use; None where there is no cache
        to use (no private folder, a link in its place, a file SQLite cannot read)."""
        if self._opened:
            return self._db
        self._opened = True
        import sqlite3

        if private_folder(self.root) is None:
            return None
        for suffix in ("", "-wal", "-shm"):
            name = str(self.path) + suffix
            if os.path.islink(name) or (os.path.lexists(name) and not os.path.isfile(name)):
                return None  # never open, write or delete through a link
        for _attempt in (1, 2):
            try:
                db = sqlite3.connect(self.path, timeout=5, isolation_level=None)
                db.execute("PRAGMA journal_mode=WAL")
                db.execute(META_TABLE)
                row = db.execute("SELECT value FROM meta WHERE key = 'code'").fetchone()
                if row is None or row[0] != self.code:
                    # filled by other code or other schemas (or empty): nothing in it may be used
                    db.execute("BEGIN IMMEDIATE")
                    try:
                        for table in ("entries", "views", "view_use", "facts"):
                            db.execute(f"DROP TABLE IF EXISTS {table}")
                        db.execute("DELETE FROM meta")
                        for table in (
                            ENTRIES_TABLE,
                            VIEWS_TABLE,
                            VIEW_USE_TABLE,
                            FACTS_TABLE,
                            FACTS_INDEX,
                            FACTS_REL_INDEX,
                        ):
                            db.execute(table)
                        db.execute("INSERT INTO meta (key, value) VALUES ('code', ?)", (self.code,))
                        db.execute("COMMIT")
                    except BaseException:
                        db.execute("ROLLBACK")
                        raise
                db.execute("SELECT count(*) FROM entries").fetchone()
                self._db = db
                return db
            except sqlite3.DatabaseError:
                # corrupt or not a database: throw it away and start again
                self._remove_files()
            except OSError:
                return None
        return None

    def _remove_files(self) -> None:
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(OSError):
                os.unlink(str(self.path) + suffix)

    def close(self) -> None:
        self.flush()
        if self._db is not None:
            with contextlib.suppress(Exception):
                self._db.close()
            self._db = None

    def __enter__(self) -> ParseCache:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # --- reading ------------------------------------------------------------------

    def lookup(self, rels: Iterable[str], *, with_data: bool) -> dict[str, Entry]:
        """Stored entries for these paths (`data` left out unless `with_data`), asked for in
        batches of a few hundred paths, so memory follows the batch, not the cache."""
        db = self.connection()
        if db is None:
            return {}
        wanted = list(dict.fromkeys(rels))
        columns = entry_columns(absent=() if with_data else ("data",))
        found: dict[str, Entry] = {}
        make = Entry._make
        try:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                marks = ",".join("?" * len(chunk))
                for row in db.execute(f"SELECT {columns} FROM entries WHERE rel IN ({marks})", chunk):
                    found[row[0]] = make(row)
        except Exception as exc:
            self.broken(exc)
            return {}
        return found

    def sort_keys(self) -> dict[str, Entry]:
        """Every stored path with what it takes to trust its sort key, in one query
        (small rows: no data, no verdict)."""
        db = self.connection()
        if db is None:
            return {}
        make = Entry._make
        columns = entry_columns(absent=("data", "verdict_key", "verdict"))
        try:
            return {
                row[0]: make(row) for row in db.execute(f"SELECT {columns} FROM entries WHERE sort_key IS NOT NULL")
            }
        except Exception as exc:
            self.broken(exc)
            return {}

    def schemas_checked(self) -> bool:
        """Whether the schema files, as they are now, were found valid by an earlier run."""
        return self.meta("schemas-checked") == self.verdict_key

    def mark_schemas_checked(self) -> None:
        self.set_meta("schemas-checked", self.verdict_key)

    def meta(self, key: str) -> str | None:
        db = self.connection()
        try:
            row = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone() if db is not None else None
        except Exception as exc:
            self.broken(exc)
            return None
        return row[0] if row is not None else None

    def set_meta(self, key: str, value: str) -> None:
        db = self.connection()
        if db is None:
            return
        try:
            db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))
        except Exception as exc:
            self.broken(exc)

    def valid(self, entry: Entry | None, file: str, stat: os.stat_result | Stamp) -> bool:
        """Whether a stored entry still describes the file at `file`, whose stat (or Stamp) is `stat`."""
        if entry is None:
            return False
        if (entry.size, entry.mtime_ns, entry.ctime_ns, entry.ino) != stat_key(stat):
            return False
        if entry.digest is not None:
            try:
                with open(file, "rb") as handle:
                    same = digest(handle.read()) == entry.digest
            except OSError:
                return False
            if same and not racy(stat):
                self._settled.append((entry.rel,))
            return same
        return True

    def fresh(self, entry: Entry | None, file: str) -> os.stat_result | None:
        """The file's stat when a stored entry still describes the file as it is now, else None."""
        if entry is None:
            return None
        try:
            stat = os.stat(file)
        except OSError:
            return None
        return stat if self.valid(entry, file, stat) else None

    def verdict_of(self, entry: Entry) -> Any:
        """The stored verdict (decoded JSON), when it was made under these schemas and this code."""
        if entry.verdict_key != self.verdict_key or entry.verdict is None:
            return None
        try:
            return json.loads(entry.verdict)
        except ValueError:
            return None

    # --- writing ------------------------------------------------------------------

    def row(
        self,
        rel: str,
        stat: os.stat_result,
        raw: bytes,
        *,
        data_json: str | None,
        verdict: Any | None,
        sort_key: str | None = None,
    ) -> Entry:
        """The entry to store for a file (can be built in a worker process): its parsed
        data as JSON text, its verdict (JSON-able, see dprk_records.checks.runner.encode)
        and its sort key, each None when not known."""
        size, mtime_ns, ctime_ns, ino = stat_key(stat)
        return Entry(
            rel=rel,
            size=size,
            mtime_ns=mtime_ns,
            ctime_ns=ctime_ns,
            ino=ino,
            digest=digest(raw) if racy(stat) else None,
            data=data_json,
            verdict_key=self.verdict_key if verdict is not None else None,
            verdict=json.dumps(verdict, separators=(",", ":"), ensure_ascii=False) if verdict is not None else None,
            sort_key=sort_key,
        )

    def store(
        self,
        rel: str,
        stat: os.stat_result,
        raw: bytes,
        *,
        data_json: str | None,
        verdict: Any | None,
        sort_key: str | None = None,
    ) -> None:
        """Remember a file's parsed data (JSON text), verdict and sort key. Written on flush()."""
        self.add(self.row(rel, stat, raw, data_json=data_json, verdict=verdict, sort_key=sort_key))

    def add(self, entry: Entry) -> None:
        self._pending.append(entry)
        if len(self._pending) >= 5000:
            self.flush()

    def add_view(self, view: View) -> None:
        """A view to store on the next flush (dprk_records.records.derived)."""
        self._views.append(view)

    def flush(self) -> None:
        if not self._pending and not self._settled and not self._views:
            return
        pending, self._pending = self._pending, []
        settled, self._settled = self._settled, []
        views, self._views = self._views, []
        with self.transaction() as db:
            if db is not None:
                db.executemany("UPDATE entries SET digest = NULL WHERE rel = ?", settled)
                # keep data or verdict already stored for the same file version when only one is new
                db.executemany(UPSERT, pending)
                db.executemany(f"INSERT OR REPLACE INTO views ({VIEW_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)", views)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Any]:
        """The database, for writes made as one (BEGIN IMMEDIATE ... COMMIT); None when the
        cache cannot be used. Whatever goes wrong inside rolls the writes back and stops
        using the cache for this run (see broken); it is not raised."""
        db = self.connection()
        if db is None:
            yield None
            return
        try:
            db.execute("BEGIN IMMEDIATE")
            yield db
            db.execute("COMMIT")
        except Exception as exc:
            try:
                db.execute("ROLLBACK")
            except Exception:
                pass
            self.broken(exc)

    def forget_missing(self, present: set[str]) -> None:
        """Drop entries for files that no longer exist (keeps the cache from growing)."""
        db = self.connection()
        if db is None:
            return
        try:
            stored = [row[0] for row in db.execute("SELECT rel FROM entries")]
            gone = [(rel,) for rel in stored if rel not in present]
            if gone:
                db.executemany("DELETE FROM entries WHERE rel = ?", gone)
                db.executemany("DELETE FROM views WHERE rel = ?", gone)
        except Exception as exc:
            self.broken(exc)

    def broken(self, exc: Exception) -> None:
        """Something went wrong reading or writing: stop using the cache for this run.

        A locked database is left alone (another run is writing); a corrupt one is
        removed so that the next run rebuilds it.
        """
        import sqlite3

        try:
            if self._db is not None:
                self._db.close()
        except Exception:
            pass
        self._db = None
        self._pending = []
        self._settled = []
        self._views = []
        if isinstance(exc, sqlite3.DatabaseError) and not isinstance(exc, sqlite3.OperationalError):
            self._remove_files()


def enabled_by_default() -> bool:
    return os.environ.get("DPRK_NO_CACHE", "") in ("", "0")


def open_cache(root: Path, schema_dir: Path, use_cache: bool = True) -> ParseCache | None:
    """The repository's parse cache, or None when it is turned off (--no-cache, DPRK_NO_CACHE=1)."""
    if not use_cache or not enabled_by_default():
        return None
    try:
        key = schema_hash(schema_dir, root)
    except (OSError, DataError):  # unreadable, or leading out of the repository: no cache (the schemas say why)
        return None
    return ParseCache(root, key)
