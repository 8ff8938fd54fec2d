"""Canonical form of record files: which files are not in it, and rewriting them.

A record's canonical text is what Repository.render makes of its strictly loaded
data (keys in schema order, block style, the `$schema` header of the kind its folder
names). Only files whose bytes would change are rewritten, each atomically. A file
that does not parse is reported and left untouched.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field

from dprk_records.checks.problems import Problem
from dprk_records.checks.validate import resolve_paths, split_strays
from dprk_records.errors import YamlError, one_line
from dprk_records.records.repository import RecordFile, Repository
from dprk_records.records.writing import atomic_write

DIFF_LINES = 40  # at most this many lines of unified diff per file in a report


@dataclass
class Rewrite:
    rel: str
    diff: str


@dataclass
class FormatReport:
    rewrites: list[Rewrite] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    checked: int = 0

    @property
    def ok(self) -> bool:
        return not self.rewrites and not self.problems


def canonical_text(repo: Repository, record: RecordFile, raw: bytes | None = None) -> tuple[str, str]:
    """The file's current text and its canonical text. Raises YamlError if it does not parse.

    `raw`: the file's bytes, when already read."""
    from dprk_records.records import yamlread

    text = yamlread.decode(raw if raw is not None else repo.read_bytes(record), record.rel)
    data = yamlread.loads(text, record.rel)
    rendered = repo.render(record.kind, data)
    if yamlread.loads(rendered, record.rel) != data:  # never let a rewrite change the data
        raise YamlError(
            "its canonical form would not read back as the same data; left as it is (please report this)",
            path=record.rel,
        )
    return text, rendered


def short_diff(rel: str, old: str, new: str, limit: int = DIFF_LINES) -> str:
    lines = list(
        difflib.unified_diff(
            old.splitlines(keepends=True),
            new.splitlines(keepends=True),
            fromfile=one_line(rel),
            tofile=f"{one_line(rel)} (canonical)",
            n=1,
        )
    )
    lines = [line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines]
    if len(lines) > limit:
        lines = lines[:limit] + [f"... ({len(lines) - limit} more diff lines)\n"]
    return "".join(lines)


def format_records(repo: Repository, paths: Iterable[str] = (), *, write: bool = True) -> FormatReport:
    """Bring the named record files (all when none) into canonical form, or just report."""
    paths = list(paths)
    if write:
        repo.finish_interrupted()  # before the files are listed: an interrupted rename moves one
    items = resolve_paths(repo, paths) if paths else list(repo.scan())
    report = FormatReport()
    records, report.problems = split_strays(items)
    for item in records:
        report.checked += 1
        try:
            raw = repo.read_bytes(item)
            old, new = canonical_text(repo, item, raw)
            if old != new and write:
                # Replace the file only as it was read: under the write lock, a file that
                # another command changed meanwhile is read and formatted again.
                with repo.write_lock():
                    current = repo.read_bytes(item)
                    if current != raw:
                        old, new = canonical_text(repo, item, current)
                    if old != new:
                        atomic_write(item.path, new, exclusive=False)
        except YamlError as exc:
            report.problems.append(Problem(item.rel, exc.line, exc.column, (), exc.message, "yaml"))
            continue
        if old != new:
            report.rewrites.append(Rewrite(item.rel, short_diff(item.rel, old, new)))
    return report
