"""What `git diff --raw -z` prints, read into one PathChange per changed path."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PathChange:
    """One changed path as git reports it, relative to the repository root."""

    status: str  # A, D, M, R (renamed), T (type changed), C (copied)
    old_path: str | None
    new_path: str | None
    old_blob: str | None
    new_blob: str | None
    old_mode: str | None = None  # 100644, 100755, 120000 (a symbolic link), ...
    new_mode: str | None = None


def parse_raw(out: str) -> list[PathChange]:
    """Parse `git diff --raw -z` output: ':old new oldsha newsha STATUS\\0path[\\0path]\\0'."""
    tokens = out.split("\0")
    changes: list[PathChange] = []
    i = 0
    while i < len(tokens):
        token = tokens[i].strip("\n")
        i += 1
        if not token.startswith(":"):
            continue
        parts = token[1:].split()
        if len(parts) < 5:
            continue
        old_mode, new_mode, old_sha, new_sha, status = parts[0], parts[1], parts[2], parts[3], parts[4][0]
        if status in ("R", "C"):
            old_path, new_path = tokens[i], tokens[i + 1]
            i += 2
        else:
            old_path = new_path = tokens[i]
            i += 1
        if status == "A":
            old_path, old_sha, old_mode = None, None, None
        if status == "D":
            new_path, new_sha, new_mode = None, None, None
        changes.append(PathChange(status, old_path, new_path, old_sha, new_sha, old_mode, new_mode))
    return changes
