"""Everything git, through GitPython (imported only when needed)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cli.errors import DataError, UsageError

# --- committing one record file (dprk add/update --commit) -----------------------------

_IN_PROGRESS = {
    "MERGE_HEAD": "a merge",
    "rebase-merge": "a rebase",
    "rebase-apply": "a rebase (or git am)",
    "CHERRY_PICK_HEAD": "a cherry-pick",
    "REVERT_HEAD": "a revert",
}


def open_git_repo(root: Path) -> Any:
    """The git repository holding `root`, or a UsageError saying there is none."""
    import git

    try:
        return git.Repo(root, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise UsageError(f"{root} is not in a git repository, so --commit cannot commit", hint="run 'git init' there, or leave out --commit") from None


def check_can_commit(root: Path) -> None:
    """Refuse before anything is written when a commit could not be made: no git, or a merge or rebase under way."""
    repo = open_git_repo(root)
    git_dir = Path(repo.git_dir)
    for name, what in _IN_PROGRESS.items():
        if (git_dir / name).exists():
            raise UsageError(f"the git repository at {repo.working_tree_dir} is in the middle of {what}; --commit will not commit now", hint="finish or abort it first, or leave out --commit")
    if repo.bare:
        raise UsageError(f"{repo.git_dir} is a bare git repository; --commit needs a work tree")


def commit_file(root: Path, path: Path, message: str) -> str:
    """Commit exactly the file at `path` with `message`; return the new commit's short id.

    Other staged and unstaged changes are left as they were: the file is added to
    the index, then committed with `git commit --only -- PATH`, which records that
    path alone. Works on a detached HEAD and on a branch with no commits yet.
    """
    import git

    check_can_commit(root)
    repo = open_git_repo(root)
    rel = Path(path).resolve().relative_to(Path(repo.working_tree_dir).resolve()).as_posix()
    try:
        repo.git.add("--", rel)
        repo.git.commit("--quiet", "--only", "-m", message, "--", rel)
    except git.GitCommandError as exc:
        detail = " ".join(str(exc.stderr or exc.stdout or "").replace("stderr:", "").split()).strip(" '")
        raise DataError(f"git could not commit {rel}: {detail or exc}", hint="the file is written; commit it by hand") from None
    return repo.head.commit.hexsha[:10]
