"""Suggestions for a near miss: the field, value or record id someone most likely meant.

A suggestion is made only when it is close: a wrong one costs more time than none, so
when nothing is near, or too many things are equally near, nothing is said. Words are
compared by edit distance (a swap of two neighbouring letters counts as one edit); record
ids by the edit distance of their date and of their slug, each on its own, so that the
same slug on another day (`2022-11-03-icbm-launch`, `2022-03-24-icbm-launch`) is not
taken for a typo.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

MAX_SUGGESTIONS = 3
_ID = re.compile(r"^([0-9]{4}(?:-[0-9]{2}(?:-[0-9]{2})?)?)(?:-(.*))?$")


def distance(a: str, b: str) -> int:
    """Edits (insert, delete, replace, swap of neighbours) that turn `a` into `b`."""
    if a == b:
        return 0
    rows = [list(range(len(b) + 1))]
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            row[j] = min(rows[-1][j] + 1, row[j - 1] + 1, rows[-1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], rows[-2][j - 2] + 1)
        rows.append(row)
    return rows[-1][-1]


def allowed_edits(word: str) -> int:
    """How many edits still make a typo of a word of this length (not another word)."""
    if len(word) <= 2:
        return 0
    if len(word) <= 5:
        return 1
    if len(word) <= 10:
        return 2
    return 3


def _best(scored: Iterable[tuple[tuple[int, ...], str]]) -> list[str]:
    """The candidates with the lowest score, unless there are too many of them to help."""
    ranked = sorted(scored)
    if not ranked:
        return []
    best = [name for score, name in ranked if score == ranked[0][0]]
    return best if len(best) <= MAX_SUGGESTIONS else []


def nearest(word: str, candidates: Iterable[str]) -> list[str]:
    """The candidates `word` is most likely a typo of (any case), or none.

    A dotted name (`observations.actor`) is also found by its last part (`actor`).
    """
    folded = word.casefold()
    names = list(dict.fromkeys(candidates))
    exact = [name for name in names if name.casefold() == folded]
    if exact:
        return exact[:1]
    by_last = [name for name in names if "." in name and name.rsplit(".", 1)[1].casefold() == folded]
    if by_last:
        return by_last if len(by_last) <= MAX_SUGGESTIONS else []
    limit = allowed_edits(folded)
    scored = []
    for name in names:
        edits = distance(folded, name.casefold())
        if edits <= limit:
            scored.append(((0, edits), name))
        elif len(folded) >= 4 and name.casefold().startswith(folded):  # the start of a longer name
            scored.append(((1, 0), name))
    return _best(scored)


def split_id(record_id: str) -> tuple[str, str]:
    """(date, slug) of an id; ("", id) when it does not start with a date."""
    match = _ID.match(record_id)
    if not match:
        return "", record_id
    return match.group(1), match.group(2) or ""


def _date_edits(a: str, b: str) -> int | None:
    """Edits between two ids' dates: 0 the same day, 1 a typo or the same date at another
    precision (`2023-11` and `2023-11-21`); None when they are simply other dates."""
    if a == b:
        return 0
    if a and b and (a.startswith(b + "-") or b.startswith(a + "-")):
        return 1
    return 1 if a and b and distance(a, b) == 1 else None


def nearest_ids(record_id: str, ids: Iterable[str]) -> list[str]:
    """The ids `record_id` most likely meant, or none.

    An id is near when its date is the same or one typo away (or the same date at
    another precision), and its slug is a typo away, or, on the same date, holds all the
    words of the other (`...-malligyong-1-satellite` and `...-malligyong-1-satellite-launch`).
    """
    date, slug = split_id(record_id.strip().casefold())
    words = set(slug.split("-")) - {""}
    scored = []
    for candidate in dict.fromkeys(ids):
        other_date, other_slug = split_id(candidate)
        slug_edits = distance(slug, other_slug)
        if not date:  # only a slug was given: compare slugs
            if slug_edits <= allowed_edits(slug):
                scored.append(((slug_edits, 0), candidate))
            continue
        date_edits = _date_edits(date, other_date)
        if date_edits is None:
            continue
        other_words = set(other_slug.split("-")) - {""}
        related = date_edits == 0 and words and other_words and (words <= other_words or other_words <= words)
        if slug_edits <= allowed_edits(slug) or related:
            scored.append(((0 if slug_edits <= allowed_edits(slug) else 1, date_edits + slug_edits), candidate))
    return _best(scored)


def did_you_mean(names: list[str], show: dict[str, str] | None = None) -> str:
    """`did you mean 'a'?`, or `did you mean 'a' or 'b'?`; "" for none. `show` adds a
    name to each (a state's name beside its code)."""
    if not names:
        return ""
    shown = [f"{name!r}" + (f" ({show[name]})" if show and name in show else "") for name in names]
    joined = shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " or " + shown[-1]
    return f"did you mean {joined}?"
