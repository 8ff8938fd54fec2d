"""The record-level diff core, on parsed data and the project's real schemas."""

from __future__ import annotations

from conftest import PROJECT
from dprk_records.history.recorddiff import diff_data
from dprk_records.records.schemas import Schemas

LAUNCH = Schemas(PROJECT / "schema").get("launch")


def changes(old: dict, new: dict) -> list[tuple[str, str, object, object]]:
    return [(c.op, c.path, c.old, c.new) for c in diff_data(old, new, LAUNCH.root)]


def test_elements_with_a_schema_key_are_matched_by_it() -> None:
    old = {"observations": [{"actor": "KCNA", "apogee_km": 1}, {"actor": "JCS", "apogee_km": 2}]}
    new = {"observations": [{"actor": "JCS", "apogee_km": 3}, {"actor": "KCNA", "apogee_km": 1}]}
    assert changes(old, new) == [
        ("changed", "observations[actor=JCS].apogee_km", 2, 3),
        ("reordered", "observations", ["KCNA", "JCS"], ["JCS", "KCNA"]),
    ]


def test_duplicate_or_missing_keys_fall_back_to_position() -> None:
    old = {"observations": [{"actor": "KCNA", "apogee_km": 1}, {"actor": "KCNA", "apogee_km": 2}]}
    new = {"observations": [{"actor": "KCNA", "apogee_km": 1}, {"actor": "KCNA", "apogee_km": 5}, {"stance": "claim"}]}
    assert changes(old, new) == [
        ("changed", "observations[1].apogee_km", 2, 5),
        ("added", "observations[2]", None, {"stance": "claim"}),
    ]


def test_plain_lists_and_types() -> None:
    assert changes({"count": 1}, {"count": "1"}) == [("changed", "count", 1, "1")]
    assert changes({"count": 1}, {"count": 1.0}) == [("changed", "count", 1, 1.0)]
    assert changes({"x": ["A", "B"]}, {"x": ["B", "A"]}) == [("reordered", "x", ["A", "B"], ["B", "A"])]
    assert changes({"x": ["A", "A"]}, {"x": ["A", "B"]}) == [("changed", "x[1]", "A", "B")]
    assert changes({"title": "a"}, {}) == [("removed", "title", "a", None)]
    assert changes({}, {}) == []


def test_values_python_counts_equal_are_told_apart_as_paths_print_them() -> None:
    # 1 == True and [1] == [True] in Python; a record's 1 and true are different values
    assert changes({"x": [1]}, {"x": [True]}) == [("removed", "x[=1]", 1, None), ("added", "x[=true]", None, True)]
    assert changes({"x": [1, "a"]}, {"x": [1.0, "a"]}) == [
        ("removed", "x[=1]", 1, None),
        ("added", "x[=1.0]", None, 1.0),
    ]
    old = {"sources": [{"quote": 1, "n": 0}, {"quote": True, "n": 1}]}
    new = {"sources": [{"quote": 1, "n": 5}, {"quote": True, "n": 1}]}
    assert changes(old, new) == [("changed", "sources[quote=1].n", 0, 5)]
    # keys that print alike ("1" and 1) cannot name elements: their places do
    old = {"sources": [{"quote": "1", "n": 0}, {"quote": 1, "n": 1}]}
    assert changes(old, {"sources": [{"quote": "1", "n": 0}, {"quote": 1, "n": 2}]}) == [
        ("changed", "sources[1].n", 1, 2)
    ]


def test_fields_come_in_schema_order_then_unknown_ones() -> None:
    old = {"zzz": 1, "count": 1, "id": "a"}
    new = {"zzz": 2, "count": 2, "id": "b"}
    assert [c[1] for c in changes(old, new)] == ["id", "count", "zzz"]
