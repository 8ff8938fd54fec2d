"""Which record files the facts of the last `validate` of every record still describe, for
`validate --changed-since`: the files to look up in the `facts` table, and those to read.

A file's facts describe it while its content is what it was when they were made. The first
`--changed-since` after a `validate` tells this by a stat of every file (the stat kept with
each file's share, as `validate` itself does). It also has git's walk of the work tree
(`git status`, which the command runs anyway for what changed): the paths under records/
that are not a tracked file as HEAD holds it (changed, untracked, ignored). A file whose
stat is the one kept and that git does not name has facts that describe HEAD's version of
it, unless it changed after git's walk began (a `validate` at the same time may have kept
facts of a version git never saw): such a file is not vouched for. What is kept of that, beside the shares and for their generation, is HEAD's commit and
every other file: the files git did not vouch for ("untrusted").

The next runs need no stat: a file is described by its facts when it is not untrusted, not
named by git's walk now, and not changed between the commit kept and HEAD (`git diff
--name-only`). A file edited after the facts were made is named by git, unless it is back at
HEAD's version, which its facts describe. A `validate` that makes a file's facts anew adds
it to the untrusted ones (dprk_records.checks.incremental); a `validate` of every record
starts again. Git's walk cannot vouch where it does not look, and the stat is used there: a
kind folder that is a symbolic link or holds a `.git`, an ignored folder under records/
that git names as one entry, files git is told not to look at (`--assume-unchanged`,
`--skip-worktree`), a revision other than HEAD; and with more than LIMIT untrusted files.
"""

from __future__ import annotations

import json
import os
import struct
from collections.abc import Iterable
from typing import Any

from dprk_records.checks.incremental import GENERATION, LIMIT, LINK, Unreadable, load, query
from dprk_records.history.revisions import ChangedSince, paths_between
from dprk_records.records import cachekey
from dprk_records.records.repository import RECORD_SUFFIX, RECORDS, Repository


class Known:
    """Which record files give a symbol, have a content key or refer to an id, from the facts
    of the last `validate` of every record: those described by their facts (`trusted`, or all
    but `untrusted`); the others (`unknown`: changed since, or new) must be read to tell."""

    def __init__(
        self, cache: Any, trusted: set[str] | None, unknown: list[str], untrusted: set[str] | None = None
    ) -> None:
        self.cache, self.trusted, self.unknown, self.untrusted = cache, trusted, unknown, untrusted
        self.rels: Iterable[str] = ()  # the paths of the shares, when a stat of each told
        self.generation: str | None = None
        self.recent: set[str] = set()  # trusted files changed since git's walk began

    def holders(self, what: str, values: Iterable[str]) -> set[str] | None:
        """The trusted files known to hold any of `values`, and every unknown file; None when
        the cache stopped answering (git grep must tell)."""
        wanted = sorted(set(values))
        try:
            rows = query(self.cache, "SELECT rel FROM facts WHERE what = ? AND value IN ({})", wanted, (what,))
        except Unreadable:
            return None
        found = {rel for (rel,) in rows}
        found = found & self.trusted if self.trusted is not None else found - (self.untrusted or set())
        return found | set(self.unknown)


def known(repo: Repository, cache: Any, changed: ChangedSince) -> Known | None:
    """What the facts kept can tell about the files as they are now, from git's word when it
    can be had (see the module's docstring), else from a stat of every file; None when there
    are no facts, or too many files changed since."""
    db = cache.connection() if cache is not None else None
    if db is None:
        return None
    walked = changed.moved is not None and changed.head is not None and _walked(repo)
    if walked:
        assert changed.moved is not None
        try:
            rows = dict(db.execute("SELECT key, value FROM meta WHERE key IN (?, ?)", (GENERATION, LINK)).fetchall())
            link = json.loads(rows[LINK]) if LINK in rows else None
            if link is not None and link["generation"] == rows.get(GENERATION):
                untrusted = set(link["untrusted"]) | changed.moved
                between = set() if link["head"] == changed.head else paths_between(repo, link["head"], changed.head)
                if between is not None and len(untrusted | between) <= LIMIT:
                    untrusted |= between
                    return Known(cache, None, [rel for rel in sorted(untrusted) if _listed(repo, rel)], untrusted)
        except Exception as exc:  # unreadable (locked, damaged): a stat of each file tells
            if not isinstance(exc, (KeyError, ValueError, TypeError)):
                cache.broken(exc)
                return None
    found = known_facts(repo, cache, since=changed.walked_at - cachekey.RACY_NS)
    if found is not None and walked and found.trusted is not None:
        assert changed.moved is not None
        # vouched for: as the stat kept, not named by git, and not changed since git's walk began
        vouched = found.trusted - changed.moved - found.recent
        untrusted = (set(found.rels) - vouched) | set(found.unknown)
        if len(untrusted) <= LIMIT:
            link = {"generation": found.generation, "head": changed.head, "untrusted": sorted(untrusted)}
            with cache.transaction() as db:
                row = db.execute("SELECT value FROM meta WHERE key = ?", (GENERATION,)).fetchone() if db else None
                if row is not None and row[0] == found.generation:  # the shares are still those the stat saw
                    db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (LINK, json.dumps(link)))
    return found


def _walked(repo: Repository) -> bool:
    """Whether git's walk of the work tree sees every file `validate` reads under records/."""
    folders = [repo.records_dir, *(repo.records_dir / kind.folder for kind in repo.schemas.kinds.values())]
    return not any(os.path.islink(folder) or os.path.lexists(folder / ".git") for folder in folders)


def _listed(repo: Repository, rel: str) -> bool:
    """Whether `rel` is there as a listing of the kind folders gives record files (see known_facts)."""
    parts = rel.split("/")
    return (
        len(parts) == 3
        and parts[0] == RECORDS
        and parts[1] in repo.schemas.by_folder
        and parts[2].endswith(RECORD_SUFFIX)
        and not parts[2].startswith(".")
        and os.path.lexists(repo.root / rel)
    )


def known_facts(repo: Repository, cache: Any, limit: int = 2000, since: int | None = None) -> Known | None:
    """What the facts of the last `validate` of every record can tell about the files as they
    are now (a stat of each); None when there are none, or more than `limit` files changed since.
    `since`: the trusted files changed at or after this time (ns) are named in `recent`."""
    db = cache.connection() if cache is not None else None
    if db is None:
        return None
    try:
        db.execute("BEGIN")
        try:
            prior = load(cache)
            row = db.execute("SELECT value FROM meta WHERE key = ?", (GENERATION,)).fetchone()
        finally:
            db.execute("COMMIT")
    except Exception as exc:
        cache.broken(exc)
        return None
    if prior is None:
        return None
    trusted: set[str] = set()
    recent: set[str] = set()
    unknown: list[str] = []
    pack = struct.Struct("<QqqQ").pack
    where, stamps = prior.where, prior.stamps
    for kind in repo.schemas.kinds.values():  # the files `scan` gives as records, listed without its objects
        folder = repo.records_dir / kind.folder
        if os.path.islink(folder) and not repo.inside(folder):
            return None
        prefix = f"records/{kind.folder}/"
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            name = entry.name
            if name.startswith(".") or not name.endswith(".yaml"):
                continue
            rel = prefix + name
            n = where.get(rel)
            try:
                st = os.stat(entry.path)
            except OSError:
                n = None
            if n is not None and stamps[n * 32 : n * 32 + 32] == pack(
                st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino
            ):
                trusted.add(rel)
                if since is not None and max(st.st_mtime_ns, st.st_ctime_ns) >= since:
                    recent.add(rel)
            else:
                unknown.append(rel)
                if len(unknown) > limit:
                    return None
    found = Known(cache, trusted, unknown)
    found.rels, found.generation, found.recent = where, row[0] if row is not None else None, recent
    return found
