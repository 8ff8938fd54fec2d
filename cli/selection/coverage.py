"""How complete the dataset is: the statement a repository keeps in `docs/coverage.md`.

Launches were first gathered from the Council's own sources, so the launches it never
took up were the ones missing, and every share computed over launches depends on how
whole each year's list is. A repository that states its coverage does so in
`docs/coverage.md`: per year, what was searched, the reference counts and what is
known to be missing. Its table headed `LAUNCH_TABLE` gives, per year, how many launch
records the dataset holds; a data test holds the records to it, so that no later edit
drops a launch unnoticed.
"""

from __future__ import annotations

import os
import re
import stat

COVERAGE_FILE = ("docs", "coverage.md")
LAUNCH_TABLE = "Launch records per year"
YEAR_COLUMN, COUNT_COLUMN = "year", "launch records"


def coverage_file(root: str | os.PathLike[str]) -> str | None:
    """The repository's coverage statement, when it has one as a plain file (never a link)."""
    path = os.path.join(os.fspath(root), *COVERAGE_FILE)
    try:
        if stat.S_ISREG(os.lstat(path).st_mode) and not os.path.islink(os.path.dirname(path)):
            return path
    except OSError:
        pass
    return None


def note(root: str | os.PathLike[str]) -> str | None:
    """A line pointing a reader of shares over launches to the coverage statement."""
    if coverage_file(root) is None:
        return None
    return (
        "note: how complete each year's launches are, and what is known to be missing, "
        "is in " + "/".join(COVERAGE_FILE) + "; read it before comparing years"
    )


def stated_table(text: str) -> tuple[list[str], list[list[str]]]:
    """The header and rows of the coverage statement's table of launch records per year.

    The table is the first Markdown table after a heading whose text is `LAUNCH_TABLE`.
    """
    lines = text.splitlines()
    start = next(
        (
            i
            for i, line in enumerate(lines)
            if line.lstrip("#").strip().lower() == LAUNCH_TABLE.lower() and line.startswith("#")
        ),
        None,
    )
    if start is None:
        raise ValueError(f"no heading '{LAUNCH_TABLE}'")
    rows = []
    for line in lines[start + 1 :]:
        if line.startswith("|"):
            rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
        elif rows or line.startswith("#"):
            break
    if len(rows) < 3:
        raise ValueError(f"the table under '{LAUNCH_TABLE}' has no rows")
    return rows[0], rows[2:]


def stated_launch_counts(text: str) -> dict[str, int]:
    """The launch records per year that the coverage statement's table gives: it has a
    `year` column and a `launch records` column (any order, among others)."""
    header, rows = stated_table(text)
    header = [cell.lower() for cell in header]
    if YEAR_COLUMN not in header or COUNT_COLUMN not in header:
        raise ValueError(f"the table under '{LAUNCH_TABLE}' needs the columns '{YEAR_COLUMN}' and '{COUNT_COLUMN}'")
    year_at, count_at = header.index(YEAR_COLUMN), header.index(COUNT_COLUMN)
    counts = {}
    for row in rows:
        if len(row) <= max(year_at, count_at):
            continue
        year, count = row[year_at], re.sub(r"\*", "", row[count_at])
        if re.fullmatch(r"[0-9]{4}", year) and count.isdigit():
            counts[year] = int(count)
    return counts


LAUNCH_KIND = "launch"  # the kind whose records the table counts


def held_launch_counts(repo) -> dict[str, int]:
    """Launch records per year of their date, as the repository holds them."""
    from dprk_records.selection.filters import build_selection

    counts: dict[str, int] = {}
    for _record, data in build_selection(repo, [LAUNCH_KIND]).records(repo):
        year = str(data.get("date", ""))[:4]
        counts[year] = counts.get(year, 0) + 1
    return counts


def check(repo) -> list[str]:
    """Where the records and the coverage statement's launch counts disagree, one line each."""
    path = coverage_file(repo.root)
    if path is None:
        return []
    name = "/".join(COVERAGE_FILE)
    with open(path, encoding="utf-8") as handle:
        try:
            stated = stated_launch_counts(handle.read())
        except ValueError as exc:
            return [f"{name}: {exc}"]
    held = held_launch_counts(repo)
    problems = []
    for year in sorted(set(stated) | set(held)):
        want, have = stated.get(year), held.get(year, 0)
        if want is None:
            problems.append(
                f"{name} gives no launch count for {year}, where records/ holds {have}: add the year to its table"
            )
        elif have != want:
            what = "restore the missing launches or" if have < want else ""
            problems.append(
                f"{name} states {want} launch records for {year}; records/ holds {have}: "
                f"{what} correct the statement".replace(":  ", ": ")
            )
    return problems
