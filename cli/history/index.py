"""The git index: what the next commit holds, as `dprk validate --staged` reads it.

`git ls-files --stage` lists the index's entries (mode, blob, merge stage, path) under
the folders asked for; `git ls-files --modified --deleted` names the tracked paths
whose file in the work tree differs from the index (git compares content where the
file's stat data cannot tell), and `--others` the files git does not track. A blob is
read through GitPython's object database, and only when its size is within the limit asked for.
A commit made with `git commit -a` or with paths runs its hooks with GIT_INDEX_FILE
naming the index it will commit; git reads that one, since the environment is passed on.
"""

from __future__ import annotations

from dataclasses import dataclass

from dprk_records.history.git import Git

REGULAR = ("100644", "100755")
LINK = "120000"
SUBMODULE = "160000"


@dataclass(frozen=True)
class Entry:
    """One entry of the index, its path relative to the dprk repository's root."""

    mode: str
    blob: str
    stage: int  # 0, or 1-3 for the sides of an unresolved merge conflict
    path: str


def entries(handle: Git, *folders: str) -> list[Entry]:
    """The index's entries under `folders`."""
    found = []
    for item in handle.run("ls-files", "--stage", "-z", "--", *folders).split("\0"):
        meta, _, path = item.partition("\t")
        parts = meta.split()
        if len(parts) == 3 and path:
            found.append(Entry(parts[0], parts[1], int(parts[2]), path))
    return found


def unstaged(handle: Git, *folders: str) -> set[str]:
    """Tracked paths under `folders` whose file in the work tree is not what the index holds."""
    out = handle.run("ls-files", "--modified", "--deleted", "-z", "--", *folders)
    return {path for path in out.split("\0") if path}


def untracked(handle: Git, *folders: str) -> list[str]:
    """Files under `folders` that the index does not hold (ignored ones too)."""
    return [path for path in handle.run("ls-files", "--others", "-z", "--", *folders).split("\0") if path]


def blob(handle: Git, sha: str, limit: int) -> bytes | int:
    """The bytes of a blob; only its size when that is over `limit` (it is not read)."""
    binsha = bytes.fromhex(sha)
    size = handle.gitrepo.odb.info(binsha).size
    if size > limit:
        return size
    return handle.gitrepo.odb.stream(binsha).read()
