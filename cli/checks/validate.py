"""`dprk validate`: the records named (or all), each file's own checks and every check
across records.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from dprk_records.checks.crossrecord import cross_check
from dprk_records.checks.incremental import check_changed, keep_all
from dprk_records.checks.problems import Problem, Report
from dprk_records.checks.runner import check_files
from dprk_records.errors import UsageError
from dprk_records.records.repository import RecordFile, Repository, Stray


def split_strays(items: Iterable[RecordFile | Stray]) -> tuple[list[RecordFile], list[Problem]]:
    """Record files, and a `file` problem for each stray (something that is not one)."""
    records: list[RecordFile] = []
    problems: list[Problem] = []
    for item in items:
        if isinstance(item, Stray):
            problems.append(Problem(item.rel, None, None, (), item.message, "file"))
        else:
            records.append(item)
    return records, problems


def resolve_paths(repo: Repository, paths: Iterable[str]) -> list[RecordFile | Stray]:
    """Record files named on the command line (files or folders), relative to the cwd."""
    chosen: list[RecordFile | Stray] = []
    root = Path(repo.real_root)
    for raw in paths:
        if not raw.strip():
            raise UsageError(
                "an empty path was given", hint="name record files or kind folders, or none for all records"
            )
        path = Path(raw)
        absolute = Path.cwd() / path if not path.is_absolute() else path
        if not absolute.exists() and not absolute.is_symlink():
            raise UsageError(f"{raw}: no such file or folder")
        # Links on the way to the repository are followed (on macOS /tmp is one); the last
        # part is kept as it is, so that a record that is itself a link is judged as one.
        normal = Path(*_normalise(absolute.parts))
        normal = Path(os.path.realpath(normal.parent)) / normal.name if normal.name else Path(os.path.realpath(normal))
        try:
            normal.relative_to(root)
        except ValueError:
            raise UsageError(f"{raw}: outside the repository at {root}", hint="name files under records/") from None
        if normal.is_dir() and not normal.is_symlink():
            rel = repo.rel(normal)
            if rel in (".", "", "records"):
                chosen.extend(repo.scan())
            else:
                kind = repo.schemas.by_folder.get(Path(rel).name) if Path(rel).parent.as_posix() == "records" else None
                if kind is None:
                    raise UsageError(
                        f"{raw}: not a kind folder under records/", hint="name record files or records/<kind folder>"
                    )
                chosen.extend(repo.scan([kind]))
        else:
            chosen.append(repo.classify(normal))
    unique: dict[str, RecordFile | Stray] = {}
    for item in chosen:  # a file named twice (or inside a folder also named) is checked once
        unique.setdefault(item.rel, item)
    return list(unique.values())


def _normalise(parts: tuple[str, ...]) -> list[str]:
    out: list[str] = []
    for part in parts:
        if part == "..":
            if len(out) > 1:
                out.pop()
        elif part != ".":
            out.append(part)
    return out


def validate(
    repo: Repository,
    paths: Iterable[str] = (),
    *,
    since: str | None = None,
    staged: bool = False,
    use_cache: bool = True,
    jobs: int | None = None,
    progress: Callable[..., None] | None = None,
) -> Report:
    """Check the records named by `paths` (all records when empty) and every cross-record rule.

    With `since` (a git revision), only what changed since then and what that can
    break (see validate_changed). With `staged`, every record as the git index holds it,
    what the next commit will hold (see validate_staged). A change to several files that an interrupted command
    left half made (dprk_records.records.journal) is finished first; one that cannot be is a problem.
    """
    paths = list(paths)
    if since is not None and paths:
        raise UsageError("give either {paths} or {since}, not both", params=("since", "paths"))
    if staged and (paths or since is not None):
        raise UsageError(
            "{staged} checks every record of the git index: give it without {paths} and {since}",
            params=("staged", "paths", "since"),
        )
    interrupted = finish_interrupted(repo)
    if staged:
        from dprk_records.checks.staged import validate_staged

        report = validate_staged(repo, use_cache=use_cache, jobs=jobs)
    elif since is not None:
        from dprk_records.checks.changed import validate_changed

        report = validate_changed(repo, since, use_cache=use_cache, jobs=jobs)
    else:
        report = check_all(repo, paths, use_cache=use_cache, jobs=jobs, progress=progress)
    if interrupted:
        report.problems = sorted(interrupted + report.problems, key=lambda p: (p.path, p.line or 0, p.column or 0))
    return report


def finish_interrupted(repo: Repository) -> list[Problem]:
    """Finish what interrupted commands left half made (under the write lock); a `journal`
    problem for each journal still waiting afterwards."""
    from dprk_records.errors import DataError
    from dprk_records.records import journal

    if not journal.pending(repo):
        return []
    try:
        repo.finish_interrupted()
    except DataError:
        pass  # what is left is reported below
    return [Problem(rel, None, None, (), message, "journal") for rel, message in journal.problems(repo)]


def check_all(
    repo: Repository,
    paths: list[str],
    *,
    use_cache: bool = True,
    jobs: int | None = None,
    progress: Callable[..., None] | None = None,
) -> Report:
    """Every check on the records named by `paths` (all records when empty)."""
    items = resolve_paths(repo, paths) if paths else list(repo.scan())
    report = Report()
    chosen, report.problems = split_strays(items)
    from dprk_records.records.cache import open_cache

    cache = open_cache(repo.root, repo.schema_dir, use_cache)
    try:
        if cache is None or not cache.schemas_checked():
            repo.schemas.check_all()  # the meta-schema check, once per version of the schema files
            if cache is not None:
                cache.mark_schemas_checked()
        # Every record, with the cache: when no file changed since a run that checked them all
        # (the same paths at the same stat), its report stands (see dprk_records.records.derived);
        # when some did, each unchanged file's share of that run stands (dprk_records.checks.incremental).
        whole = cache is not None and not paths
        now, stats = time.time_ns(), {}
        files = _fingerprint(items, stats) if whole else None
        earlier = _stored_report(cache, files, report) if files is not None else None
        if earlier is not None:
            return earlier
        problems = check_changed(repo, chosen, cache, stats, now, jobs=jobs, progress=progress) if whole else None
        if problems is not None:
            report.checked = len(chosen)
            report.problems.extend(problems)
        else:
            results = check_files(repo, chosen, cache=cache, jobs=jobs, progress=progress, stats=stats)
            report.checked = len(results)
            for result in results:
                report.problems.extend(result.problems)
            cross = cross_check(repo, results, whole=not paths, cache=cache, jobs=jobs)
            report.problems.extend(cross)
            if whole:
                keep_all(cache, results, cross, stats, now)
        if whole:
            cache.forget_missing({r.rel for r in chosen})
        report.problems.sort(key=lambda p: (p.path, p.line or 0, p.column or 0))
        if files is not None and cache is not None:
            _keep_report(cache, files, report)
    finally:
        if cache is not None:
            cache.close()
    return report


def _fingerprint(items: list[RecordFile | Stray], stats: dict[str, Any]) -> str | None:
    """The fingerprint of every path (see dprk_records.records.derived); the stat taken of each
    record file is put in `stats`, for the checks that follow."""
    from dprk_records.records.derived import fingerprint

    return fingerprint(
        (
            (item.rel, item.file, "") if isinstance(item, RecordFile) else (item.rel, None, item.message)
            for item in items
        ),
        stats,
    )


def _stored_report(cache: Any, files: str, report: Report) -> Report | None:
    """The report of an earlier run of every record over the same files, if the cache has it."""
    from dprk_records.records.derived import report as stored_report

    stored = stored_report(cache, "validate", files)
    try:
        checked, problems = stored
        report.problems = [
            Problem(path, line, column, tuple(pointer), message, check)
            for path, line, column, pointer, message, check in problems
        ]
        report.checked = checked
    except (TypeError, ValueError):
        return None
    return report


def _keep_report(cache: Any, files: str, report: Report) -> None:
    from dprk_records.records.derived import keep_report

    keep_report(
        cache,
        "validate",
        files,
        [report.checked, [[p.path, p.line, p.column, list(p.pointer), p.message, p.check] for p in report.problems]],
    )
