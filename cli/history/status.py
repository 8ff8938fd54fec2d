"""The work tree against HEAD in one run of `git status --porcelain=v2 -z`: one walk of the
work tree by git for the tracked files that changed (each compared by its stat with the
index, by content where the stat cannot tell) and the files git does not track.

What it reads is turned into what `git diff --raw HEAD` would print for the same paths
(untracked files as added), so that `dprk diff` and `validate --changed-since` give the
same answers. Where the two could differ the answer is None and the caller asks `git
diff`: a path gone and a path added (git's rename detection pairs them), a rename or copy
in the index, a merge conflict, a submodule, a path changed both in the index and in the
work tree (the work tree may be back at HEAD's version), an untracked folder named as one
entry. The index is never written (`GIT_OPTIONAL_LOCKS=0`, as `git --no-optional-locks`).
"""

from __future__ import annotations

import os
import stat
import subprocess
from dataclasses import dataclass, field
from subprocess import DEVNULL, PIPE
from typing import Any

from dprk_records.history.rawdiff import PathChange

NULL = "0" * 40


@dataclass
class WorkTree:
    """The paths changed since HEAD under the paths asked for, as `git diff --raw HEAD` gives
    them (`changes`), and every path that is not a tracked file at HEAD's version in the work
    tree: those changes' paths, untracked and ignored files (`moved`)."""

    changes: list[PathChange] = field(default_factory=list)
    moved: set[str] = field(default_factory=set)
    ignored_folders: bool = False  # an ignored folder was named as one entry: its files are not listed


def _within(path: str, folders: tuple[str, ...]) -> bool:
    return any(folder in (".", path) or path.startswith(folder + "/") for folder in folders)


def _mode(full: str) -> str:
    """The mode git gives a file it does not track yet."""
    try:
        info = os.lstat(full)
    except OSError:
        return "100644"
    if stat.S_ISLNK(info.st_mode):
        return "120000"
    return "100755" if info.st_mode & stat.S_IXUSR else "100644"


class Early:
    """A git command started at once, before GitPython is loaded and the revisions are asked
    for, so that git's walk of the work tree and that work run at the same time. Its output
    is used when it ran to the end; else (no git, not a repository) the command is run again
    through GitPython, which says what went wrong."""

    def __init__(self, root: Any, *args: str) -> None:
        self.args = args
        env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0", "LANGUAGE": "C", "LC_ALL": "C"}
        try:
            self.process: subprocess.Popen[bytes] | None = subprocess.Popen(
                ["git", *args], cwd=str(root), env=env, stdin=DEVNULL, stdout=PIPE, stderr=DEVNULL
            )
        except OSError:
            self.process = None

    def output(self, *args: str) -> bytes | None:
        """What the command printed, if it is the one started (`args`) and ran to the end."""
        if self.process is None or args != self.args:
            return None
        out, _ = self.process.communicate()
        code, self.process = self.process.returncode, None
        return out if code == 0 else None

    def close(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None


def status_args(pathspec: tuple[str, ...], ignored: bool) -> tuple[str, ...]:
    """The `git status` that worktree reads."""
    args = ["status", "--porcelain=v2", "-z", "--untracked-files=normal", "--ignore-submodules=all"]
    if ignored:
        args.append("--ignored=traditional")
    return (*args, "--", *(pathspec or (".",)))


def hidden_args(folder: str) -> tuple[str, ...]:
    return ("ls-files", "-v", "-z", "--", folder)


def worktree(
    handle: Any,
    pathspec: tuple[str, ...],
    untracked: tuple[str, ...],
    ignored: bool = False,
    early: Early | None = None,
) -> WorkTree | None:
    """The work tree's changes against HEAD under `pathspec` (the whole dprk repository when
    empty), with the untracked files under `untracked` as added; None where `git diff` must
    tell (see the module's docstring). `ignored`: list the ignored files too (in `moved`).
    `early`: the same `git status`, started before."""
    args = status_args(pathspec, ignored)
    raw = early.output(*args) if early is not None else None
    if raw is not None:
        out = raw.decode("utf-8", "surrogateescape")
    else:
        out = handle.run(*args, env={"GIT_OPTIONAL_LOCKS": "0"})
    prefix = handle.prefix()
    result = WorkTree()
    added = gone = False
    tokens = iter(out.split("\0"))
    for token in tokens:
        if not token or token[0] == "#":
            continue
        kind = token[0]
        if kind in "?!":
            path = token[2:]
            if not path.startswith(prefix):
                continue
            path = path[len(prefix) :]
            result.moved.add(path.rstrip("/"))
            if kind == "!":
                result.ignored_folders |= path.endswith("/")
                continue
            if not _within(path, untracked):
                continue
            if path.endswith("/"):
                return None  # a folder git does not track, named as one: git diff lists its files
            added = True
            new_mode = _mode(os.path.join(str(handle.repo.root), path))
            result.changes.append(PathChange("A", None, path, None, NULL, None, new_mode))
            continue
        if kind != "1":
            return None  # a rename or copy in the index ("2"), a merge conflict ("u")
        parts = token.split(" ", 8)
        if len(parts) != 9:
            return None
        _, xy, sub, old_mode, _, new_mode, old_blob, index_blob, path = parts
        if sub != "N..." or not path.startswith(prefix):
            return None
        path = path[len(prefix) :]
        result.moved.add(path)
        x, y = xy[0], xy[1]
        if x != "." and y != ".":
            return None  # changed in the index and again in the work tree: maybe back at HEAD's version
        new_blob = index_blob if y == "." else NULL
        if "D" in xy:
            gone = True
            result.changes.append(PathChange("D", path, None, old_blob, None, old_mode, None))
        elif x == "A":
            added = True
            result.changes.append(PathChange("A", None, path, None, new_blob, None, new_mode))
        else:
            status = "T" if "T" in xy else "M"
            result.changes.append(PathChange(status, path, path, old_blob, new_blob, old_mode, new_mode))
    if added and gone:
        return None  # git pairs a path gone with one added as a rename
    result.changes.sort(key=lambda change: os.fsencode(change.new_path or change.old_path or ""))
    return result


def hidden(handle: Any, folder: str, early: Early | None = None) -> bool:
    """Whether git was told not to look at some tracked file under `folder` (`git update-index
    --assume-unchanged` or `--skip-worktree`): its status then says nothing of that file."""
    out = early.output(*hidden_args(folder)) if early is not None else None
    if out is None:
        out = handle.run_bytes(*hidden_args(folder))
    return out.count(b"\0H ") + out.startswith(b"H ") != out.count(b"\0")  # each entry ends in NUL
