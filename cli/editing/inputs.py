"""Records and fields given as text (`--from-file FILE`, or `-` for stdin): problems in
the values they gave are named in that input, as it was given, at its own lines and
columns, not in a record file that was never written.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class Input:
    """A record, or fields to change, given as text (`--from-file FILE` or `-`): the name
    to show (as given, `<stdin>` for stdin), the text and what it was read as."""

    name: str
    text: str
    data: dict[str, Any]


def in_input(problems: list[Any], data: dict[str, Any], given: Input | None, *, whole: bool) -> list[Any]:
    """Problems moved to the input they came from, at its own lines and columns: each
    problem whose value the input gave (and no option changed since). With `whole` (the
    input is the record, for add) a problem of the record as a whole names the input too.
    Others keep naming the record file."""
    import dataclasses

    from dprk_records.records import yamlread

    if given is None:
        return problems
    out = []
    for problem in problems:
        pointer = tuple(problem.pointer)
        if not pointer:
            out.append(dataclasses.replace(problem, path=given.name, line=None, column=None) if whole else problem)
            continue
        if not _gave(given.data, data, pointer):
            out.append(problem)
            continue
        where = yamlread.locate(given.text, pointer)
        line, column = where if where else (None, None)
        out.append(dataclasses.replace(problem, path=given.name, line=line, column=column))
    return out


def _gave(document: Any, data: Any, pointer: tuple[Any, ...]) -> bool:
    """Whether `document` holds the value at `pointer` and `data` holds the same one there."""
    for part in pointer:
        if isinstance(document, dict) and isinstance(data, dict) and part in document and part in data:
            document, data = document[part], data[part]
        elif (
            isinstance(document, list)
            and isinstance(data, list)
            and isinstance(part, int)
            and part < min(len(document), len(data))
        ):
            document, data = document[part], data[part]
        else:
            return False
    return identical(document, data)


def identical(a: Any, b: Any) -> bool:
    """Equal data of equal types at every depth (`1`, `1.0` and `true` differ; key order does not matter)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(identical(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(identical(x, y) for x, y in zip(a, b))
    return bool(a == b)
