"""`validate` of every record after a few files changed: each file's share of the last run
kept, so that only what a change can affect is looked at again.

The last `validate` of every record leaves in the cache, for each record file, its stat
(size, mtime, ctime, inode) as it was checked, its problems (its own, and those across
records: ids, references, symbols, duplicates) and, in the `facts` table, what the checks
across records need from it: the ids it refers to, the document symbols it gives, its
content key. The next such run takes the stat of every file. A file whose stat is the one
kept (and which had not changed within the racy window when it was kept) is unchanged;
its share stands, except for the checks across records that a change elsewhere can affect:

- a file added or removed changes the id index: the files with that id, the files
  referring to it, and every file with a broken reference (whose "did you mean" may
  change) are checked across records again;
- a changed, added or removed file's symbols and content key, before and after: the
  files giving the same symbol or having the same content key are checked again.

Only the changed files are checked on their own (through the cache's verdicts where they
are fresh); the others checked again across records take their verdict from the cache.
Nothing else is read: no verdict of an unchanged file is decoded.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Iterable
from typing import Any

from dprk_records.checks.crossrecord import (
    Locator,
    reference_problems,
    twin_problems,
    unique_id_problems,
    unique_symbol_problems,
)
from dprk_records.checks.problems import Problem
from dprk_records.checks.runner import FileResult, check_files
from dprk_records.records import cachekey
from dprk_records.records.cachekey import Stamp
from dprk_records.records.kinds import Kind
from dprk_records.records.repository import RecordFile, Repository

SHARES = "report:validate:files"  # the cache's meta key: paths, stats and problems of the last run
UNTRUSTED = b"\xff" * 32  # the stat kept for a file changed within the racy window: never matches
REF, SYMBOL, TWIN = "ref", "symbol", "twin"


class Prior:
    """What the last run kept: each path's stat and problems, and the facts of the files
    that changed since (read at once, so that the two agree)."""

    def __init__(self, rels: list[str], stamps: bytes, problems: dict[str, list[Any]]):
        self.where = {rel: n for n, rel in enumerate(rels)}
        self.stamps = stamps
        self.problems = problems  # rel -> [own, across records], for files with any

    def same(self, rel: str, stamp: bytes | None) -> bool:
        """Whether the file's packed stat is the one kept (a stat kept within the racy window never is)."""
        n = self.where.get(rel)
        if n is None or stamp is None:
            return False
        kept = self.stamps[n * 32 : n * 32 + 32]
        return kept == stamp and kept != UNTRUSTED

    def own(self, rel: str) -> list[Any]:
        return self.problems.get(rel, ((), ()))[0]

    def cross(self, rel: str) -> list[Any]:
        return self.problems.get(rel, ((), ()))[1]


def load(cache: Any) -> Prior | None:
    """The shares the last run kept (None when there are none, or they are not readable)."""
    text = cache.meta(SHARES)
    if text is None:
        return None
    try:
        stored = json.loads(text)
        prior = Prior(stored["rels"], bytes.fromhex(stored["stamps"]), stored["problems"])
    except (ValueError, KeyError, TypeError):
        return None
    if len(prior.stamps) != 32 * len(prior.where) or not isinstance(prior.problems, dict):
        return None
    return prior


def _encode(problems: Iterable[Problem]) -> list[Any]:
    return [[p.line, p.column, list(p.pointer), p.message, p.check] for p in problems]


def _decode(stored: Iterable[Any], rel: str) -> list[Problem]:
    return [
        Problem(rel, line, column, tuple(pointer), message, check) for line, column, pointer, message, check in stored
    ]


def twin_key(result: FileResult) -> str | None:
    """The content key of a record as the facts keep it (with its kind: twins are of one kind)."""
    return f"{result.record.kind.name}\0{result.twin.key}" if result.twin is not None else None


def _facts(result: FileResult) -> set[tuple[str, str]]:
    facts = {(REF, r.value) for r in result.refs} | {(SYMBOL, s.value) for s in result.symbols}
    twin = twin_key(result)
    if twin is not None:
        facts.add((TWIN, twin))
    return facts


def keep(
    cache: Any,
    rels: list[str],
    stats: dict[str, bytes],
    problems: dict[str, list[Any]],
    facts: Iterable[tuple[str, set[tuple[str, str]]]],
    gone: Iterable[str] | None,
) -> None:
    """Store the shares of this run: every path's stat (packed, see _packs) and problems, and
    the facts of the files in `facts`, replacing those of the files in `gone` (all of them when None)."""
    if cache.connection() is None:
        return
    stamps = b"".join(stats.get(rel, UNTRUSTED) for rel in rels)
    text = json.dumps(
        {"rels": rels, "stamps": stamps.hex(), "problems": problems}, separators=(",", ":"), ensure_ascii=False
    )
    with cache.transaction() as db:
        if db is None:
            return
        if gone is None:
            db.execute("DELETE FROM facts")
        else:
            db.executemany("DELETE FROM facts WHERE rel = ?", [(rel,) for rel in gone])
        db.executemany(
            "INSERT INTO facts (what, value, rel) VALUES (?, ?, ?)",
            ((what, value, rel) for rel, pairs in facts for what, value in pairs),
        )
        db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (SHARES, text))


def keep_all(cache: Any, results: list[FileResult], cross: list[Problem], stats: dict[str, Stamp], now: int) -> None:
    """Store the shares after a run that checked every record (`cross`: the problems across records)."""
    problems: dict[str, list[Any]] = {}
    for result in results:
        if result.problems:
            problems[result.record.rel] = [_encode(result.problems), []]
    for problem in cross:
        problems.setdefault(problem.path, [[], []])[1].append(_encode([problem])[0])
    rels = [r.record.rel for r in results]
    keep(cache, rels, _packs(stats, rels, now), problems, ((r.record.rel, _facts(r)) for r in results), None)


def _packs(stats: dict[str, Stamp], rels: Iterable[str], now: int | None = None) -> dict[str, bytes]:
    """Each file's stat packed as the shares keep it; with `now`, UNTRUSTED for a file changed
    within the racy window before it (its stat may not tell a later change)."""
    pack = struct.Struct("<QqqQ").pack
    limit = None if now is None else now - cachekey.RACY_NS
    packs = {}
    for rel in rels:
        stamp = stats.get(rel)
        if stamp is not None:
            size, mtime, ctime, ino = stamp
            packs[rel] = UNTRUSTED if limit is not None and max(mtime, ctime) > limit else pack(size, mtime, ctime, ino)
    return packs


class Unreadable(Exception):
    """The cache stopped answering during the run (locked, damaged): what it kept cannot be used."""


def _query(cache: Any, sql: str, values: list[Any], extra: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    import sqlite3

    db = cache.connection()
    if db is None:
        raise Unreadable
    rows: list[tuple[Any, ...]] = []
    try:
        for start in range(0, len(values), 500):
            chunk = values[start : start + 500]
            rows += db.execute(sql.format(",".join("?" * len(chunk))), [*extra, *chunk]).fetchall()
    except sqlite3.Error as exc:
        cache.broken(exc)
        raise Unreadable from exc
    return rows


def check_changed(
    repo: Repository, chosen: list[RecordFile], cache: Any, stats: dict[str, Stamp], now: int, **options: Any
) -> list[Problem] | None:
    """See _check_changed; None also when the cache stopped answering during the run (the
    caller then checks every record as without shares)."""
    try:
        return _check_changed(repo, chosen, cache, stats, now, **options)
    except Unreadable:
        return None


def _check_changed(
    repo: Repository,
    chosen: list[RecordFile],
    cache: Any,
    stats: dict[str, Stamp],
    now: int,
    *,
    jobs: int | None = None,
    progress: Any = None,
) -> list[Problem] | None:
    """Every record's problems (own and across records, in the order a run of every record
    gives them) from the shares of the last run and the files as they are now, and the new
    shares stored. None when there are no shares to start from. `stats`: the stat of each
    file taken at the start of this run (`now`)."""
    import sqlite3

    db = cache.connection()
    if db is None:
        return None
    present = {r.rel: r for r in chosen}
    try:
        db.execute("BEGIN")  # the shares and the facts read below come from one version of the cache
        try:
            prior = load(cache)
            if prior is None:
                return None
            packs = _packs(stats, present)
            changed = [r for r in chosen if not prior.same(r.rel, packs.get(r.rel))]
            fresh = {r.rel for r in changed}  # checked on their own: their share is made anew
            gone = [*fresh, *(rel for rel in prior.where if rel not in present)]
            before = _query(cache, "SELECT what, value FROM facts WHERE rel IN ({})", gone)
        finally:
            db.execute("COMMIT")
    except (sqlite3.Error, Unreadable) as exc:
        cache.broken(exc)
        return None
    trusted = {rel for rel in present if rel not in fresh}  # whose facts in the table are theirs
    results = {
        r.record.rel: r for r in check_files(repo, changed, cache=cache, jobs=jobs, progress=progress, stats=stats)
    }
    after = {rel: _facts(results[rel]) for rel in fresh}

    def holders(what: str, values: Iterable[str]) -> set[str]:
        wanted = sorted(set(values))
        found = {
            rel for (rel,) in _query(cache, "SELECT rel FROM facts WHERE what = ? AND value IN ({})", wanted, (what,))
        }
        found &= trusted
        named = set(wanted)
        found.update(rel for rel, pairs in after.items() if any(w == what and v in named for w, v in pairs))
        return found

    index: dict[str, list[Kind]] = {}
    for record in chosen:
        index.setdefault(record.id, []).append(record.kind)
    again = set(fresh)  # the files whose problems across records are found again
    added = [rel for rel in fresh if rel not in prior.where]
    lost_ids = {present[rel].id for rel in added} | {_id_of(rel) for rel in gone if rel not in present}
    if lost_ids:  # the id index changed
        again.update(r.rel for r in chosen if r.id in lost_ids)
        again.update(holders(REF, lost_ids))
        again.update(
            rel for rel in prior.problems if rel in trusted and any(p[4] == "reference" for p in prior.cross(rel))
        )
    hit = set(before) | {pair for pairs in after.values() for pair in pairs if pair[0] != REF}
    again.update(holders(SYMBOL, [v for what, v in hit if what == SYMBOL]))
    again.update(holders(TWIN, [v for what, v in hit if what == TWIN]))

    # the files the symbol and content checks of those compare with: whoever shares one with them
    theirs = _query(cache, "SELECT what, value FROM facts WHERE what != 'ref' AND rel IN ({})", sorted(again & trusted))
    mine = theirs + [pair for rel in again & fresh for pair in after[rel] if pair[0] != REF]
    pool_rels = (
        again | holders(SYMBOL, [v for w, v in mine if w == SYMBOL]) | holders(TWIN, [v for w, v in mine if w == TWIN])
    )
    order = {rel: n for n, rel in enumerate(present)}
    missing = sorted((rel for rel in pool_rels if rel not in results), key=order.__getitem__)
    for result in check_files(repo, [present[rel] for rel in missing], cache=cache, jobs=1, stats=stats):
        results[result.record.rel] = result
    pool = [results[rel] for rel in sorted(pool_rels, key=order.__getitem__)]
    checked = [r for r in pool if r.record.rel in again]

    at = Locator(repo)
    cross: dict[str, list[Problem]] = {rel: [] for rel in again}
    found: list[Problem] = []
    for result in checked:
        found.extend(unique_id_problems(index, result))
        found.extend(reference_problems(index, result, at))
    found.extend(unique_symbol_problems(checked, pool, at))
    found.extend(twin_problems(checked, pool, at))
    for problem in found:
        cross[problem.path].append(problem)

    own_problems: list[Problem] = []
    cross_problems: list[Problem] = []
    shares: dict[str, list[Any]] = {}
    for rel in present:
        own = _encode(results[rel].problems) if rel in fresh else prior.own(rel)
        across = _encode(cross[rel]) if rel in cross else prior.cross(rel)
        if own or across:
            shares[rel] = [own, across]
            own_problems.extend(results[rel].problems if rel in fresh else _decode(own, rel))
            cross_problems.extend(cross[rel] if rel in cross else _decode(across, rel))
    packs.update(_packs(stats, fresh, now))  # an unchanged file's stat is as settled as when it was kept
    keep(cache, list(present), packs, shares, after.items(), gone)
    # the problems across records follow every file's own, as in a full run (then sorted, stably)
    return own_problems + cross_problems


def _id_of(rel: str) -> str:
    name = rel.rsplit("/", 1)[-1]
    return name[: -len(".yaml")] if name.endswith(".yaml") else name


class Known:
    """Which record files give a symbol, have a content key or refer to an id, from the facts
    of the last `validate` of every record: trusted for the files whose stat is the one kept
    then; the others (`unknown`: changed since, or new) must be read to tell."""

    def __init__(self, cache: Any, trusted: set[str], unknown: list[str]):
        self.cache, self.trusted, self.unknown = cache, trusted, unknown

    def holders(self, what: str, values: Iterable[str]) -> set[str] | None:
        """The trusted files known to hold any of `values`, and every unknown file; None when
        the cache stopped answering (git grep must tell)."""
        wanted = sorted(set(values))
        try:
            rows = _query(self.cache, "SELECT rel FROM facts WHERE what = ? AND value IN ({})", wanted, (what,))
        except Unreadable:
            return None
        return ({rel for (rel,) in rows} & self.trusted) | set(self.unknown)


def known_facts(repo: Repository, cache: Any, limit: int = 2000) -> Known | None:
    """What the facts of the last `validate` of every record can tell about the files as they
    are now (a stat of each); None when there are none, or more than `limit` files changed since."""
    import os

    db = cache.connection() if cache is not None else None
    if db is None:
        return None
    try:
        db.execute("BEGIN")
        try:
            prior = load(cache)
        finally:
            db.execute("COMMIT")
    except Exception as exc:
        cache.broken(exc)
        return None
    if prior is None:
        return None
    trusted: set[str] = set()
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
            else:
                unknown.append(rel)
                if len(unknown) > limit:
                    return None
    return Known(cache, trusted, unknown)
