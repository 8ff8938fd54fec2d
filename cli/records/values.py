"""The values at a field path in a record's data (lists entered on the way), with the
concrete JSON pointer of each: what checks, links, votes and renames walk a record with.
Imports nothing of the tool, so that kinds and dates can both stand on it.
"""

from __future__ import annotations

from typing import Any


def values_at(data: Any, path: tuple[str, ...]) -> list[tuple[tuple[Any, ...], Any]]:
    """Every value found at a field path in a record, with its concrete pointer.

    Lists are entered transparently: the path ("outcomes", "symbol") yields
    (("outcomes", 0, "symbol"), "S/RES/1") and so on. A list value at the end of the
    path yields each element with its index. (A list, made by a plain recursion: this runs
    for several fields of every record a cold `validate` checks, and chained generators
    cost several times more.)
    """
    found: list[tuple[tuple[Any, ...], Any]] = []
    _walk(data, path, 0, (), found)
    return found


def _walk(node: Any, path: tuple[str, ...], depth: int, pointer: tuple[Any, ...], found: list[Any]) -> None:
    while True:  # down through mappings in this loop; a list's elements each by a call
        if isinstance(node, list):
            for index, element in enumerate(node):
                _walk(element, path, depth, pointer + (index,), found)
            return
        if depth == len(path):
            found.append((pointer, node))
            return
        if not isinstance(node, dict):
            return
        key = path[depth]
        if key not in node:
            return
        node = node[key]
        pointer = pointer + (key,)
        depth += 1
