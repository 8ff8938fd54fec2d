"""The parse cache's SQLite tables (dprk_records.records.cache): their definitions, the
`Entry` row of a file, and the upsert that keeps what another command stored for the same
version of a file.
"""

from __future__ import annotations

from typing import NamedTuple

META_TABLE = "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)"
ENTRIES_TABLE = """
CREATE TABLE IF NOT EXISTS entries (
    rel TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    ctime_ns INTEGER NOT NULL,
    ino INTEGER NOT NULL,
    digest TEXT,
    data TEXT,
    verdict_key TEXT,
    verdict TEXT,
    sort_key TEXT
)
"""
VIEWS_TABLE = """
CREATE TABLE IF NOT EXISTS views (
    view TEXT NOT NULL,
    rel TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    ctime_ns INTEGER NOT NULL,
    ino INTEGER NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (view, rel)
)
"""
VIEW_USE_TABLE = "CREATE TABLE IF NOT EXISTS view_use (view TEXT PRIMARY KEY, used INTEGER NOT NULL)"
# what each record gave the checks across records in the last `validate` of every record
# (dprk_records.checks.incremental): the ids it refers to, its symbols, its content key
FACTS_TABLE = "CREATE TABLE IF NOT EXISTS facts (what TEXT NOT NULL, value TEXT NOT NULL, rel TEXT NOT NULL)"
FACTS_INDEX = "CREATE INDEX IF NOT EXISTS facts_value ON facts (what, value)"
FACTS_REL_INDEX = "CREATE INDEX IF NOT EXISTS facts_rel ON facts (rel)"


class Entry(NamedTuple):
    """One file's row of the cache, as stored and as read back."""

    rel: str
    size: int
    mtime_ns: int
    ctime_ns: int
    ino: int
    digest: str | None  # the bytes' hash, kept while the entry is "racy" (stored within RACY_NS of the file's change)
    data: str | None  # the parsed record, as JSON text
    verdict_key: str | None  # the schemas and code the verdict was made under
    verdict: str | None  # the file's own checks, as JSON text (see dprk_records.checks.runner)
    sort_key: str | None  # the record's date, for date order


ENTRY_COLUMNS = ", ".join(Entry._fields)


def entry_columns(*, absent: tuple[str, ...] = ()) -> str:
    """The columns to select for an Entry, with NULL in place of the `absent` ones (big
    columns a query does not need): every Entry read has all its fields, by name."""
    return ", ".join("NULL" if name in absent else name for name in Entry._fields)


class View(NamedTuple):
    """One stored view of one record (see dprk_records.records.derived): what it was made
    for, the file it was made from and that file's stat, and the text made."""

    view: str
    rel: str
    size: int
    mtime_ns: int
    ctime_ns: int
    ino: int
    value: str


VIEW_COLUMNS = ", ".join(View._fields)


def keep_when_same(column: str, when_missing: str) -> str:
    """An upsert assignment keeping the stored `column` when the new row lacks
    `when_missing` and describes the same version of the file (the same stat and, for a
    racy entry, the same bytes)."""
    return (
        f"{column} = CASE WHEN excluded.{when_missing} IS NULL"
        " AND (entries.size, entries.mtime_ns, entries.ctime_ns, entries.ino)"
        " = (excluded.size, excluded.mtime_ns, excluded.ctime_ns, excluded.ino)"
        " AND entries.digest IS excluded.digest"
        f" THEN entries.{column} ELSE excluded.{column} END"
    )


# One row per file; what is stored for the same version of the file and missing from the
# new row (data, a verdict or a sort key stored by another command) is kept.
UPSERT = (
    f"INSERT INTO entries ({ENTRY_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(rel) DO UPDATE SET "
    + ", ".join(
        [
            keep_when_same("data", "data"),
            keep_when_same("sort_key", "sort_key"),
            keep_when_same("verdict_key", "verdict"),
            keep_when_same("verdict", "verdict"),
            "size = excluded.size",
            "mtime_ns = excluded.mtime_ns",
            "ctime_ns = excluded.ctime_ns",
            "ino = excluded.ino",
            "digest = excluded.digest",
        ]
    )
)
