"""`dprk validate`: the records named (or all), each file's own checks and every check
across records; or what a git change touched (checks.changed), or the git index
(checks.staged). Finishes first what an interrupted command left half made.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable

from dprk_records.checks.checkall import check_all
from dprk_records.checks.problems import Problem, Report
from dprk_records.errors import DataError, UsageError
from dprk_records.records import journal
from dprk_records.records.repository import Repository

# The ways that read git, each imported when a run asks for it, so that checking the records
# on disk loads no git: tests/test_architecture.py reads these names as imports of this module.
GIT_WAYS = {"staged": "dprk_records.checks.staged", "since": "dprk_records.checks.changed"}


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
        report = importlib.import_module(GIT_WAYS["staged"]).validate_staged(repo, use_cache=use_cache, jobs=jobs)
    elif since is not None:
        changed = importlib.import_module(GIT_WAYS["since"])
        report = changed.validate_changed(repo, since, use_cache=use_cache, jobs=jobs)
    else:
        report = check_all(repo, paths, use_cache=use_cache, jobs=jobs, progress=progress)
    if interrupted:
        report.problems = sorted(interrupted + report.problems, key=lambda p: (p.path, p.line or 0, p.column or 0))
    return report


def finish_interrupted(repo: Repository) -> list[Problem]:
    """Finish what interrupted commands left half made (under the write lock); a `journal`
    problem for each journal still waiting afterwards."""
    if not journal.pending(repo):
        return []
    try:
        repo.finish_interrupted()
    except DataError:
        pass  # what is left is reported below
    return [Problem(rel, None, None, (), message, "journal") for rel, message in journal.problems(repo)]
