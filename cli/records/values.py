"""The values at a field path in a record's data (lists entered on the way), with the
concrete JSON pointer of each: what checks, links, votes and renames walk a record with.
Imports nothing of the tool, so that kinds and dates can both stand on it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


def values_at(data: Any, path: tuple[str, ...]) -> Iterator[tuple[tuple[Any, ...], Any]]:
    """Every value found at a field path in a record, with its concrete pointer.

    Lists are entered transparently: the path ("outcomes", "symbol") yields
    (("outcomes", 0, "symbol"), "S/RES/1") and so on. A list value at the end of the
    path yields each element with its index.
    """

    def walk(node: Any, rest: tuple[str, ...], pointer: tuple[Any, ...]) -> Iterator[tuple[tuple[Any, ...], Any]]:
        if isinstance(node, list):
            for index, element in enumerate(node):
                yield from walk(element, rest, pointer + (index,))
            return
        if not rest:
            yield pointer, node
            return
        if isinstance(node, dict) and rest[0] in node:
            yield from walk(node[rest[0]], rest[1:], pointer + (rest[0],))

    yield from walk(data, path, ())
