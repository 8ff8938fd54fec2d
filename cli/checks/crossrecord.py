"""Checks across records: ids unique across kinds, references that exist and point at
the right kind, document symbols that no two records share, and no two records that are
one (the same content apart from the id: a record told twice, or the two halves of an
interrupted rename).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from dprk_records.checks.problems import Problem, problem_at
from dprk_records.checks.runner import FileResult, check_files
from dprk_records.errors import YamlError
from dprk_records.records.kinds import Kind
from dprk_records.records.repository import RecordFile, Repository
from dprk_records.records.suggest import did_you_mean, nearest_ids


def cross_check(
    repo: Repository,
    results: list[FileResult],
    whole: bool,
    cache: Any = None,
    jobs: int | None = None,
    at: Locator | None = None,
) -> list[Problem]:
    """Checks across records: unique ids, references, unique document symbols, twins.

    `results` are the records being reported on. The id index comes from file names
    alone. When only some records are checked (`whole` false), symbols and contents are
    compared against all other records too, whose own checks come from the cache or are run.
    """
    problems: list[Problem] = []
    if whole:  # every record is in `results`: no need to list the folders again
        index: dict[str, list[Kind]] = {}
        for result in results:
            index.setdefault(result.record.id, []).append(result.record.kind)
    else:
        index = repo.id_index()
    at = at or Locator(repo)
    for result in results:
        problems.extend(unique_id_problems(index, result))
        problems.extend(reference_problems(index, result, at))
    pool = list(results)
    if not whole and results:
        seen = {r.record.rel for r in results}
        pool.extend(check_files(repo, [r for r in repo.records() if r.rel not in seen], cache=cache, jobs=jobs))
    problems.extend(unique_symbol_problems(results, pool, at))
    problems.extend(twin_problems(results, pool, at))
    return problems


class Locator:
    """Positions for cross-record problems: a record's text is read only when it has one."""

    def __init__(self, repo: Repository):
        self.repo = repo
        self.texts: dict[str, str | None] = {}

    def __call__(self, record: RecordFile, pointer: tuple[Any, ...], message: str, check: str) -> Problem:
        if record.rel not in self.texts:
            try:
                self.texts[record.rel] = self.repo.read_text(record)
            except YamlError:
                self.texts[record.rel] = None
        return problem_at(record.rel, self.texts[record.rel], pointer, message, check)


def unique_id_problems(index: dict[str, list[Kind]] | IdLookup, result: FileResult) -> list[Problem]:
    """An id used by records of more than one kind."""
    record = result.record
    kinds = index.get(record.id, [])
    if len(kinds) > 1:
        others = ", ".join(f"records/{k.folder}/" for k in kinds if k is not record.kind)
        return [
            Problem(
                record.rel,
                None,
                None,
                (),
                f"id {record.id!r} is also used in {others}; ids are unique across kinds",
                "unique-id",
            )
        ]
    return []


def reference_problem(
    value: str, expected: list[str], found: list[Kind] | None, known: Callable[[], Iterable[str]]
) -> str | None:
    """What is wrong with one reference to `value`, or None. `found`: the kinds holding that id."""
    if not found:
        message = f"refers to {value!r}, which is not a record"
        close = did_you_mean(nearest_ids(value, known()))
        if close:
            message += f"; {close}"
        return message
    if not any(k.name in expected for k in found):
        return f"refers to {value!r}, a {found[0].name}; expected a {' or '.join(expected)}"
    return None


def reference_problems(
    index: dict[str, list[Kind]] | IdLookup, result: FileResult, at: Locator, only: set[str] | None = None
) -> list[Problem]:
    """References of one record to ids that do not exist or are of the wrong kind.

    With `only`, just the references to those ids.
    """
    problems: list[Problem] = []
    record = result.record
    for pointer, value, dotted in result.refs:
        if only is not None and value not in only:
            continue
        ref_field = record.kind.field(dotted)
        expected = (ref_field.references if ref_field is not None else None) or []
        message = reference_problem(value, expected, index.get(value), lambda: index)
        if message:
            problems.append(at(record, pointer, message, "reference"))
    return problems


def unique_symbol_problems(results: list[FileResult], pool: list[FileResult], at: Locator) -> list[Problem]:
    """Document symbols of `results` that another record in `pool` gives too."""
    owners: dict[str, list[tuple[FileResult, tuple[Any, ...]]]] = {}
    for result in pool:
        for pointer, value in result.symbols:
            owners.setdefault(value, []).append((result, pointer))
    reported = {r.record.rel for r in results}
    problems: list[Problem] = []
    for symbol, places in owners.items():
        if len({place[0].record.rel for place in places}) < 2:
            continue
        for result, pointer in places:
            if result.record.rel not in reported:
                continue
            others_ids = sorted({other.record.id for other, _ in places if other.record.rel != result.record.rel})
            problems.append(
                at(
                    result.record,
                    pointer,
                    f"document symbol {symbol!r} is also given by {', '.join(others_ids)}",
                    "unique-symbol",
                )
            )
    return problems


def twin_problems(results: list[FileResult], pool: list[FileResult], at: Locator) -> list[Problem]:
    """Records of `results` whose content, apart from the id, another record in `pool` has too."""
    groups: dict[tuple[str, str], dict[str, FileResult]] = {}
    for result in pool:
        if result.twin is not None:
            groups.setdefault((result.record.kind.name, result.twin[0]), {}).setdefault(result.record.rel, result)
    reported = {r.record.rel for r in results}
    problems: list[Problem] = []
    for group in groups.values():
        if len(group) < 2:
            continue
        for rel, result in group.items():
            if rel in reported:
                names = sorted(other for other in group if other != rel)
                others = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
                problems.append(
                    at(
                        result.record,
                        (result.record.kind.id_field,),
                        f"the same record as {others}: the content is the same apart from the id; keep one",
                        "duplicate",
                    )
                )
    return problems


# --- what a change can break (dprk validate --changed-since) --------------------------------


class IdLookup:
    """The id index (id -> kinds holding a file of that name), one id at a time.

    `get` costs one stat per kind folder, so checking the references of a few changed
    records does not list every record. Iterating (for "did you mean" suggestions,
    only when a reference is broken) lists them all once.
    """

    def __init__(self, repo: Repository):
        self.repo = repo
        self._known: dict[str, list[Kind]] = {}
        self._all: dict[str, list[Kind]] | None = None

    def get(self, record_id: str, default: Any = None) -> Any:
        if self._all is not None:
            return self._all.get(record_id, default)
        if record_id not in self._known:
            self._known[record_id] = self.repo.kinds_holding(record_id)
        return self._known[record_id] or default

    def __iter__(self) -> Iterator[str]:
        if self._all is None:
            self._all = self.repo.id_index()
        return iter(self._all)
