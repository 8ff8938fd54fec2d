"""`dprk validate --changed-since REV`: the records a change touched, and what the change
can break, at a cost that follows the change rather than the repository.
"""

from __future__ import annotations

from typing import Any

from dprk_records.checks.checkall import check_all, split_strays
from dprk_records.checks.crossrecord import (
    IdLookup,
    Locator,
    reference_problems,
    twin_problems,
    unique_id_problems,
    unique_symbol_problems,
)
from dprk_records.checks.incremental import REF, SYMBOL, TWIN, twin_key
from dprk_records.checks.problems import Problem, Report
from dprk_records.checks.runner import FileResult, check_files
from dprk_records.checks.trust import Known, known
from dprk_records.history import revisions as history
from dprk_records.records.cache import open_cache
from dprk_records.records.repository import RecordFile, Repository

ESCAPE = "\\"  # a file holding a backslash may spell an id or symbol with YAML escapes


def validate_changed(repo: Repository, since: str, *, use_cache: bool = True, jobs: int | None = None) -> Report:
    """Check the records changed since revision `since`, and what those changes can break.

    Git names the changed paths. Changed records get every check of their own, and
    each id they use or refer to is looked up by file name (a stat per kind folder;
    nothing is listed or parsed).
    Records that an unchanged record may refer to are those removed, renamed or moved to
    another kind folder: `git grep` finds the files that mention such an id, or that hold
    a backslash (a YAML escape can spell an id without its literal text), and only those
    are parsed, for their references to it. Document symbols of changed records
    are compared with the records that `git grep` finds holding the same symbol, and the
    content of changed records with the records it finds holding the same date. When a
    schema file changed, every record is checked, as by plain `validate`.
    """

    changed = history.changed_since(repo, since)
    if changed.schema_changed:
        return check_all(repo, [], use_cache=use_cache, jobs=jobs)
    report = Report()
    chosen, report.problems = split_strays(changed.present)
    cache = open_cache(repo.root, repo.schema_dir, use_cache)
    try:
        results = check_files(repo, chosen, cache=cache, jobs=jobs)
        report.checked = len(results)
        index = IdLookup(repo)
        at = Locator(repo)
        for result in results:
            report.problems.extend(result.problems)
            report.problems.extend(unique_id_problems(index, result))
            report.problems.extend(reference_problems(index, result, at))
        lost = sorted({gone.id for gone in changed.gone if gone.kind not in index.get(gone.id, [])})
        seen = {result.record.rel for result in results}
        # which files hold an id, a symbol or a content: from what the last validate of every record
        # kept for each unchanged file (dprk_records.checks.trust), else (none kept, or many files
        # changed since) git grep
        facts = known(repo, cache, changed)
        if lost:
            # a value written with YAML escapes ("...\u002d...") holds a backslash: such files are read too
            found = facts.holders(REF, lost) if facts else None
            if found is None:
                found = history.grep_records(repo, lost + [ESCAPE])
            referrers = [repo.classify(repo.root / rel) for rel in sorted(found) if rel not in seen]
            for referrer in check_files(repo, [r for r in referrers if isinstance(r, RecordFile)], cache=cache, jobs=1):
                report.problems.extend(reference_problems(index, referrer, at, set(lost)))
        symbols = sorted({value for result in results for _, value in result.symbols})
        if symbols:
            found = facts.holders(SYMBOL, symbols) if facts else None
            if found is None:
                found = history.grep_records(repo, symbols + [ESCAPE])
            holders = [repo.classify(repo.root / rel) for rel in sorted(found)]
            others = [h for h in holders if isinstance(h, RecordFile) and h.rel not in seen]
            pool = results + check_files(repo, others, cache=cache, jobs=1)
            report.problems.extend(unique_symbol_problems(results, pool, at))
        report.problems.extend(_twins(repo, history, results, seen, cache, at, facts))
    finally:
        if cache is not None:
            cache.close()
    report.problems.sort(key=lambda p: (p.path, p.line or 0, p.column or 0))
    return report


def _twins(
    repo: Repository,
    history: Any,
    results: list[FileResult],
    seen: set[str],
    cache: Any,
    at: Locator,
    known: Known | None = None,
) -> list[Problem]:
    """Changed records that another record repeats (the same content apart from the id).
    The files known to have the same content key are candidates (`known`), else: a twin
    has the same date, so `git grep` for the dates (and for a backslash, an escape could
    spell one) finds every candidate; a record without a date text is compared with every
    record of its kind."""
    dates = sorted({r.twin.date for r in results if r.twin is not None and r.twin.date})
    undated = sorted({r.record.kind.folder for r in results if r.twin is not None and not r.twin.date})
    if not dates and not undated:
        return []
    rels = known.holders(TWIN, [key for key in map(twin_key, results) if key]) if known is not None else None
    if rels is not None:
        undated, dates = [], []
    else:
        rels = set(history.grep_records(repo, dates + [ESCAPE])) if dates else set()
    for folder in undated:
        rels.update(r.rel for r in repo.records([repo.schemas.by_folder[folder]]))
    candidates = [repo.classify(repo.root / rel) for rel in sorted(rels - seen)]
    pool = results + check_files(repo, [c for c in candidates if isinstance(c, RecordFile)], cache=cache, jobs=1)
    return twin_problems(results, pool, at)
