"""Reading many records: every record's data, from the parse cache where it is fresh.

`iter_data` is the one place where commands that read many records get their data
(Repository.iter_data calls it). Fresh entries of the parse cache (dprk_records.records.cache)
are used instead of parsing; what had to be parsed is stored for next time. Records
stream one at a time, so memory does not grow with their number; in date order, a first
pass learns each record's date (one query of the cache) and a second streams the data.
`iter_views` streams what a reader makes of each record (a row of an export), from the
cache's views (dprk_records.records.derived) where they are current, without decoding the record.
"""

from __future__ import annotations

import marshal
import os
import time
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from dprk_records.errors import YamlError
from dprk_records.records.kinds import Kind

if TYPE_CHECKING:
    from dprk_records.records.cache import Entry, ParseCache
    from dprk_records.records.repository import RecordFile, Repository


def iter_data(
    repo: Repository,
    kinds: Iterable[Kind] | None = None,
    *,
    order: Callable[[RecordFile], Any] | str | None = None,
    use_cache: bool = True,
    progress: Callable[..., None] | None = None,
    on_error: Callable[[Exception], None] | None = None,
) -> Iterator[tuple[RecordFile, dict[str, Any]]]:
    """Every record with its parsed data, in scan order. Unreadable files raise YamlError.

    With `order` a function, the record files (names only, nothing parsed yet) are
    sorted by it first. With `order="date"`, records come in the order of their own
    date field (the first day it covers), then id: a first pass learns each record's
    date (from the parse cache, or by parsing and caching it), a second streams the
    records in that order.

    The one place where commands that read many records get their data. Fresh
    entries of the parse cache (dprk_records.records.cache) are used instead of parsing; what had
    to be parsed is stored for next time. Records are streamed: memory does not
    grow with their number (except with order="date" and no cache, when the records
    are held, marshalled, to be sorted). With `on_error`, a file that cannot be read is passed to
    it (as its YamlError) and skipped, instead of ending the iteration.
    """
    from dprk_records.records.cache import open_cache

    cache = open_cache(repo.root, repo.schema_dir, use_cache)
    try:
        records, held, fresh = _ordered(repo, kinds, order, cache, on_error)
        if progress is not None:
            records = list(records)
            progress(0, total=len(records))
        for batch in _batches(records, 256):
            wanted = [r.rel for r in batch if r.rel not in held]
            entries = cache.lookup(wanted, with_data=True) if cache is not None and wanted else {}
            for record in batch:
                data = _held_or_cached(record, held, fresh, entries)
                if data is None:
                    data = _data(repo, record, cache, entries.get(record.rel), on_error)
                if data is None:
                    continue
                if progress is not None:
                    progress(1)
                yield record, data
    finally:
        if cache is not None:
            cache.close()


def iter_views(
    repo: Repository,
    kinds: Iterable[Kind] | None,
    key: str,
    make: Callable[[RecordFile, dict[str, Any]], str],
    *,
    use_cache: bool = True,
    progress: Callable[..., None] | None = None,
) -> Iterator[tuple[RecordFile, str]]:
    """`make(record, data)` for every record, in date order (as iter_data with order="date").

    `key` names what `make` makes (it must change whenever `make` would give other
    text for the same record). A view stored under `key` for the file as it is now is
    used as it is, without reading the record; the others are made from the record's
    data and stored for next time (dprk_records.records.derived).
    """
    from dprk_records.records import derived
    from dprk_records.records.cache import open_cache
    from dprk_records.records.cachekey import unpacked

    cache = open_cache(repo.root, repo.schema_dir, use_cache)
    try:
        records, held, fresh = _ordered(repo, kinds, "date", cache, None)
        if progress is not None:
            records = list(records)
            progress(0, total=len(records))
        if cache is not None:
            derived.use_views(cache, key)
        now = time.time_ns()
        for batch in _batches(records, 256):
            stored = derived.views(cache, key, [r.rel for r in batch]) if cache is not None else {}
            entries: dict[str, Entry] | None = None
            for record in batch:
                view = stored.get(record.rel)
                if view is not None and derived.current(view, fresh.get(record.rel)):
                    value = view.value
                else:
                    if entries is None:  # the records' data, only for a batch that needs some
                        entries = (
                            cache.lookup([r.rel for r in batch if r.rel not in held], with_data=True)
                            if cache is not None
                            else {}
                        )
                    data = _held_or_cached(record, held, fresh, entries)
                    if data is None:
                        data = _data(repo, record, cache, entries.get(record.rel), None)
                    assert data is not None  # without on_error, an unreadable record raised
                    value = make(record, data)
                    stamp = fresh.get(record.rel)
                    if cache is not None and stamp is not None:
                        derived.keep_view(cache, key, record.rel, unpacked(stamp), value, now)
                if progress is not None:
                    progress(1)
                yield record, value
    finally:
        if cache is not None:
            cache.close()


def _ordered(
    repo: Repository,
    kinds: Iterable[Kind] | None,
    order: Any,
    cache: ParseCache | None,
    on_error: Callable[[Exception], None] | None,
) -> tuple[Iterable[RecordFile], dict[str, bytes], dict[str, bytes]]:
    """The record files in the order asked for; the records the date pass had to parse
    with no cache (marshalled); and the paths whose cache entry the date pass found
    fresh, with the stat it found them at."""
    records: Iterable[RecordFile] = repo.records(kinds)
    held: dict[str, bytes] = {}  # with no cache, records parsed by the date pass, marshalled (a dict costs ~8x more)
    fresh: dict[str, bytes] = {}
    if order == "date":
        records = _by_date(repo, list(records), cache, held, fresh, on_error)
    elif order is not None:
        records = sorted(records, key=order)
    return records, held, fresh


def _held_or_cached(
    record: RecordFile, held: dict[str, bytes], fresh: dict[str, bytes], entries: dict[str, Entry]
) -> dict[str, Any] | None:
    packed = held.pop(record.rel, None)
    if packed is not None:
        return marshal.loads(packed)
    if record.rel in fresh:
        return _cached_data(entries.get(record.rel))  # found fresh by the date pass
    return None


def _data(
    repo: Repository,
    record: RecordFile,
    cache: ParseCache | None,
    entry: Entry | None,
    on_error: Callable[[Exception], None] | None,
) -> dict[str, Any] | None:
    """One record's data: from a fresh cache entry, else parsed (and stored in the cache).
    None when it cannot be read and `on_error` took the error."""
    import json

    from dprk_records.records import yamlread

    try:
        stat = os.stat(record.file)
    except OSError:
        stat = None
    if (
        cache is not None
        and stat is not None
        and entry is not None
        and entry.data is not None
        and cache.valid(entry, record.file, stat)
    ):
        try:
            return json.loads(entry.data)
        except ValueError:
            pass
    try:
        raw = yamlread.read_bytes(record.file, record.rel)
        data = yamlread.loads(yamlread.decode(raw, record.rel), record.rel)
    except YamlError as exc:
        if on_error is None:
            raise
        on_error(exc)
        return None
    if cache is not None and stat is not None:
        cache.store(
            record.rel,
            stat,
            raw,
            json.dumps(data, separators=(",", ":"), ensure_ascii=False),
            None,
            record.kind.sort_date(data),
        )
    return data


def _by_date(
    repo: Repository,
    records: list[RecordFile],
    cache: ParseCache | None,
    held: dict[str, bytes],
    fresh: dict[str, bytes],
    on_error: Callable[[Exception], None] | None,
) -> list[RecordFile]:
    """`records` in date order. Dates come from fresh cache entries (whose paths are
    added to `fresh` with their stat, so that the second pass takes their data without
    checking the file again); other records are parsed now and cached (or, with no
    cache, held in `held` for the second pass, marshalled: the exact values in a
    fraction of the memory of the dicts, so 100,000 records stay within a few hundred MB)."""
    from dprk_records.records.cachekey import packed

    dates: dict[str, str] = {}
    known = cache.sort_keys() if cache is not None else {}
    for record in records:
        entry = known.get(record.rel)
        stat = cache.fresh(entry, record.file) if cache is not None and entry is not None else None
        if stat is not None and entry is not None and entry.sort_key is not None:
            dates[record.rel] = entry.sort_key
            fresh[record.rel] = packed(stat)  # kept for the second pass: 32 bytes, a fraction of a stat's memory
            continue
        data = _data(repo, record, cache, None, on_error)
        if data is None:  # unreadable, and reported to on_error once: left out
            continue
        dates[record.rel] = record.kind.sort_date(data)
        if cache is None:
            held[record.rel] = marshal.dumps(data)
    if cache is not None:
        cache.flush()
    return sorted((r for r in records if r.rel in dates), key=lambda r: (dates[r.rel], r.id))


def _cached_data(entry: Entry | None) -> dict[str, Any] | None:
    import json

    if entry is None or entry.data is None:
        return None
    try:
        return json.loads(entry.data)
    except ValueError:
        return None


def _batches(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
