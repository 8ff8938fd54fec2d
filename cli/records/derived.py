"""What the parse cache keeps beside each file's entry: views and reports.

A *view* is what one reader makes of one record (an export's row of it, say), stored
under a key naming what it was made for (the columns, the format) and with the stat of
the file it was made from. A reader that finds a view for the file as it is now uses it
instead of decoding the record and making it again. Views are stored only for files
whose stat tells their version apart (not "racy": changed two seconds or more before),
and only views of the VIEW_KEYS most recently used keys are kept.

A *report* is the outcome of a whole run (`validate` of every record), stored with a
fingerprint of every file it covered: path, size, mtime, ctime and inode, and each
stray's path and message. A run whose files give the same fingerprint has the same
outcome; a fingerprint is not made (and no report used or stored) while any file is racy.

Both live in the cache's database (dprk_records.records.cache), so they are dropped with it
when the code or the schemas change.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterable
from typing import Any, NamedTuple

from dprk_records.records.cache import VIEW_KEYS, ParseCache, Stamp, racy, stat_key
from dprk_records.records.cachekey import blake2b, packed
from dprk_records.records.cachetables import VIEW_COLUMNS, View


class Covered(NamedTuple):
    """One item a run covers, for its fingerprint."""

    rel: str
    file: str | None  # the file to stat, or None for an item that is not a file (a stray)
    note: str  # what else tells its outcome (a stray's message)


def views(cache: ParseCache, key: str, rels: Iterable[str]) -> dict[str, View]:
    """Stored views under `key` for these paths (not yet checked against the files)."""
    db = cache.connection()
    if db is None:
        return {}
    wanted = list(dict.fromkeys(rels))
    found: dict[str, View] = {}
    make = View._make
    try:
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for row in db.execute(
                f"SELECT {VIEW_COLUMNS} FROM views WHERE view = ? AND rel IN ({marks})",
                [key, *chunk],
            ):
                found[row[1]] = make(row)
    except Exception as exc:
        cache.broken(exc)
        return {}
    return found


def current(view: View | None, stamp: bytes | None) -> bool:
    """Whether a stored view was made from the file whose packed Stamp is `stamp` (dprk_records.records.cachekey.packed)."""
    return (
        view is not None
        and stamp is not None
        and packed(Stamp(view.size, view.mtime_ns, view.ctime_ns, view.ino)) == stamp
    )


def keep_view(cache: ParseCache, key: str, rel: str, stat: os.stat_result | Stamp, value: str, now: int) -> None:
    """Store a view (written on the cache's flush); not for a racy file."""
    if not racy(stat, now):
        size, mtime_ns, ctime_ns, ino = stat_key(stat)
        cache.add_view(View(key, rel, size, mtime_ns, ctime_ns, ino, value))


def use_views(cache: ParseCache, key: str) -> None:
    """Mark `key` as used now, and drop the views of keys beyond the VIEW_KEYS most recently used."""
    db = cache.connection()
    if db is None:
        return
    try:
        db.execute("INSERT OR REPLACE INTO view_use (view, used) VALUES (?, ?)", (key, time.time_ns()))
        old = [
            row[0] for row in db.execute("SELECT view FROM view_use ORDER BY used DESC LIMIT -1 OFFSET ?", (VIEW_KEYS,))
        ]
        for name in old:
            db.execute("DELETE FROM views WHERE view = ?", (name,))
            db.execute("DELETE FROM view_use WHERE view = ?", (name,))
    except Exception as exc:
        cache.broken(exc)


# --- reports ------------------------------------------------------------------------


def fingerprint(files: Iterable[Covered], stats: dict[str, Stamp] | None = None) -> str | None:
    """A fingerprint of every item a run covers;
    None when a file cannot be stat'ed or changed too recently to be told apart. The stat
    taken of each file is put in `stats` (by rel), for the run to use instead of another."""
    h = blake2b(digest_size=16)
    now = time.time_ns()
    settled = True
    for rel, file, note in files:
        if file is not None:
            try:
                stat = os.stat(file)
            except OSError:
                settled = False
                continue
            if stats is not None:
                stats[rel] = stat_key(stat)
            if racy(stat, now):
                settled = False
            h.update(f"{rel}\0{stat.st_size}:{stat.st_mtime_ns}:{stat.st_ctime_ns}:{stat.st_ino}\0{note}\0".encode())
        else:
            h.update(f"{rel}\0-\0{note}\0".encode())
    return h.hexdigest() if settled else None


def report(cache: ParseCache, name: str, print_: str) -> Any:
    """The stored outcome of run `name` (decoded JSON) when it was made over files with this fingerprint."""
    text = cache.meta(f"report:{name}")
    if text is None:
        return None
    try:
        stored = json.loads(text)
    except ValueError:
        return None
    if not isinstance(stored, dict) or stored.get("files") != print_:
        return None
    return stored.get("outcome")


def keep_report(cache: ParseCache, name: str, print_: str, outcome: Any) -> None:
    cache.set_meta(
        f"report:{name}", json.dumps({"files": print_, "outcome": outcome}, separators=(",", ":"), ensure_ascii=False)
    )
