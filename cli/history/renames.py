"""Records renamed in git history (`dprk rename`): old id -> new id, for the site's
redirect pages. A rename is a record file that git sees moved within its kind's folder
(`-M80%`, as everywhere in `history`), in any commit of the current branch, or between
HEAD and the working tree (a rename not yet committed).
"""

from __future__ import annotations

from pathlib import PurePosixPath

from dprk_records.history.git import RENAME, WORKTREE, Side, open_git
from dprk_records.history.rawdiff import parse_raw
from dprk_records.records.repository import RECORD_SUFFIX, RECORDS, Repository


def renamed_ids(repo: Repository) -> dict[str, str]:
    """Every old id of a renamed record and the id it was renamed to, oldest rename first."""
    found: dict[str, str] = {}
    with open_git(repo) as handle:
        if not handle.has_head():
            return found
        out = handle.run(
            "log",
            "--reverse",
            "--first-parent",
            RENAME,
            "--diff-filter=R",
            "--raw",
            "--no-abbrev",
            "-z",
            "--relative",
            "--no-ext-diff",
            "--format=%x1e",
            "--",
            RECORDS,
        )
        changes = [c for chunk in out.split("\x1e")[1:] for c in parse_raw(chunk.lstrip("\n"))]
        head = Side(handle.commit("HEAD"), "HEAD")
        changes += handle.changes(head, Side(WORKTREE, "working tree"), (RECORDS,))
    for change in changes:
        if change.status != "R" or not change.old_path or not change.new_path:
            continue
        old, new = PurePosixPath(change.old_path), PurePosixPath(change.new_path)
        if old.parent == new.parent and old.suffix == new.suffix == RECORD_SUFFIX and old.stem != new.stem:
            found[old.stem] = new.stem
    return found
