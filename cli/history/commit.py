"""Committing the one record file that `dprk add/update --commit` wrote, through GitPython
(imported only when a commit is asked for). What git would refuse is checked before
anything is written.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from dprk_records.errors import DataError, UsageError

_IN_PROGRESS = {
    "MERGE_HEAD": "a merge",
    "rebase-merge": "a rebase",
    "rebase-apply": "a rebase (or git am)",
    "CHERRY_PICK_HEAD": "a cherry-pick",
    "REVERT_HEAD": "a revert",
}


COMMIT = {"commit": "commit=True"}  # how an error names the wish to commit (the command line: --commit)


def _params(*texts: str) -> dict[str, str]:
    return COMMIT if any("{commit}" in text for text in texts) else {}


def import_git(needed_for: str) -> Any:
    """GitPython, or a one-line UsageError when git itself is missing (GitPython needs the git program)."""
    try:
        import git
    except ImportError:
        raise UsageError(
            f"git is not installed or not on PATH, and {needed_for} needs it",
            hint="install git",
            params=_params(needed_for),
        ) from None
    return git


def open_git_repo(
    root: Path, needed_for: str = "{commit}", hint: str = "run 'git init' there, or leave out {commit}"
) -> Any:
    """The git repository holding `root`, or a UsageError saying there is none."""
    git = import_git(needed_for)
    try:
        return git.Repo(root, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise UsageError(
            f"{root} is not in a git repository, and {needed_for} needs one",
            hint=hint,
            params=_params(needed_for, hint),
        ) from None


def check_can_commit(root: Path, path: Path | None = None) -> None:
    """Refuse, before anything is written, a commit git could not make: no git, a bare
    repository, a merge or rebase under way, no user identity, or a path outside the
    git work tree."""
    repo = open_git_repo(root)
    git_dir = Path(repo.git_dir)
    for name, what in _IN_PROGRESS.items():
        if (git_dir / name).exists():
            raise UsageError(
                f"the git repository at {repo.working_tree_dir} is in the middle of {what}; {{commit}} will not commit now",
                hint="finish or abort it first, or leave out {commit}",
                params=COMMIT,
            )
    if repo.bare or repo.working_tree_dir is None:
        raise UsageError(f"{repo.git_dir} is a bare git repository; {{commit}} needs a work tree", params=COMMIT)
    if path is not None:
        work_tree = Path(repo.working_tree_dir).resolve()
        target = Path(os.path.realpath(path))
        if target != work_tree and work_tree not in target.parents:
            raise UsageError(
                f"{path} is outside the git work tree at {work_tree}, so {{commit}} cannot commit it",
                hint="leave out {commit}",
                params=COMMIT,
            )
    git = import_git("{commit}")
    for variable in ("GIT_AUTHOR_IDENT", "GIT_COMMITTER_IDENT"):
        try:
            repo.git.var(variable)
        except git.GitCommandError:
            raise UsageError(
                "git does not know who you are, so {commit} cannot commit",
                hint="set it with git config user.name and git config user.email, or leave out {commit}",
                params=COMMIT,
            ) from None


def commit_file(root: Path, path: Path, message: str) -> str:
    """Commit exactly the file at `path` with `message`; return the new commit's short id.

    Other staged and unstaged changes are left as they were: the file is added to
    the index, then committed with `git commit --only -- PATH`, which records that
    path alone. Works on a detached HEAD and on a branch with no commits yet. When git
    refuses (a failing hook, say), the DataError says what is left: the file written
    and staged, not committed.
    """
    git = import_git("{commit}")
    repo = open_git_repo(root)
    rel = Path(os.path.realpath(path)).relative_to(Path(repo.working_tree_dir).resolve()).as_posix()
    try:
        repo.git.add("--", rel)
    except git.GitCommandError as exc:
        raise DataError(
            f"{rel} is written, but not staged or committed: git add failed: {_git_detail(exc)}",
            hint=f"commit it by hand: git add {rel} && git commit",
        ) from None
    try:
        repo.git.commit("--quiet", "--only", "-m", message, "--", rel)
    except git.GitCommandError as exc:
        raise DataError(
            f"{rel} is written and staged, but not committed: git commit failed: {_git_detail(exc)}",
            hint=f"fix that and run: git commit -m '{message}' -- {rel}",
        ) from None
    return repo.head.commit.hexsha[:10]


def commit_paths(root: Path, paths: list[Path], message: str) -> str:
    """Commit exactly these paths (written, changed or removed) with `message`; the new
    commit's short id. A removed path that git never tracked is left out."""
    git = import_git("{commit}")
    repo = open_git_repo(root)
    work_tree = Path(repo.working_tree_dir).resolve()
    rels = []
    for path in paths:
        rel = (Path(os.path.realpath(path.parent)) / path.name).relative_to(work_tree).as_posix()
        if not path.exists():
            try:
                repo.git.ls_files("--error-unmatch", "--", rel)
            except git.GitCommandError:
                continue  # removed, and never tracked: nothing to commit
        rels.append(rel)
    try:
        repo.git.add("-A", "--", *rels)
        repo.git.commit("--quiet", "--only", "-m", message, "--", *rels)
    except git.GitCommandError as exc:
        raise DataError(
            f"the files are written, but not committed: git failed: {_git_detail(exc)}",
            hint=f"commit them by hand: git add -A {' '.join(rels)} && git commit",
        ) from None
    return repo.head.commit.hexsha[:10]


def _git_detail(exc: Any) -> str:
    text = " ".join(str(exc.stderr or exc.stdout or "").replace("stderr:", "").split()).strip(" '")
    return text or f"exit status {exc.status}"
