"""Checking records named by path (or all of them): record files and strays sorted out, each
file's own checks (checks.runner), every check across records (checks.crossrecord), and
the report of a run over every record kept in the parse cache while no file changes.
The piece `validate`, `validate --changed-since` (checks.changed) and `fmt`
(checks.canonical) share.
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
from dprk_records.records.cache import open_cache
from dprk_records.records.derived import Covered, fingerprint, keep_report
from dprk_records.records.derived import report as stored_report
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
    cache = open_cache(repo.root, repo.schema_dir, use_cache)

    def check_schemas() -> None:
        repo.schemas.check_all()  # the meta-schema check, once per version of the schema files
        if cache is not None:
            cache.mark_schemas_checked()

    try:
        # Every record, with the cache: when no file changed since a run that checked them all
        # (the same paths at the same stat), its report stands (see dprk_records.records.derived);
        # when some did, each unchanged file's share of that run stands (dprk_records.checks.incremental).
        whole = cache is not None and not paths
        schemas = cache is None or not cache.schemas_checked()
        if schemas and whole:
            check_schemas()  # before anything kept is used
            schemas = False
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
            # the schemas checked while the first files are: by this process while workers start on them
            first = check_schemas if schemas else None
            results = check_files(repo, chosen, cache=cache, jobs=jobs, progress=progress, stats=stats, first=first)
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
    return fingerprint(
        (
            Covered(item.rel, item.file, "") if isinstance(item, RecordFile) else Covered(item.rel, None, item.message)
            for item in items
        ),
        stats,
    )


def _stored_report(cache: Any, files: str, report: Report) -> Report | None:
    """The report of an earlier run of every record over the same files, if the cache has it."""

    stored = stored_report(cache, "validate", files)
    try:
        problems = [Problem(**{**problem, "pointer": tuple(problem["pointer"])}) for problem in stored["problems"]]
        checked = stored["checked"]
    except (TypeError, KeyError):
        return None
    if not isinstance(checked, int):
        return None
    report.problems, report.checked = problems, checked
    return report


def _keep_report(cache: Any, files: str, report: Report) -> None:

    # the outcome by name: {"checked": n, "problems": [each Problem's fields by name]}
    problems = [{**vars(p), "pointer": list(p.pointer)} for p in report.problems]
    keep_report(cache, "validate", files, {"checked": report.checked, "problems": problems})
