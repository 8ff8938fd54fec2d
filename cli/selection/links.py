"""Links between records: which records point at a given id (backlinks).

A link is a value of a reference field (a field with `x-references` in the schema,
found through Kind.reference_fields). Finding backlinks reads every record once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from dprk_records.records.kinds import values_at


def backlinks(repo: Any, target: str, on_error: Callable[[Exception], None] | None = None) -> Iterator[dict[str, Any]]:
    """Each record field that refers to `target`, as a row: the timeline columns and `field`.

    In date-then-id order; a record referring to `target` from two fields gives two rows.
    With `on_error`, a record file that cannot be read is reported to it and skipped.
    """
    from dprk_records.selection.rows import cell, timeline_columns

    kinds = list(repo.schemas.kinds.values())
    columns = timeline_columns(kinds)
    for record, data in repo.iter_data(kinds, order="date", on_error=on_error):
        for item in record.kind.reference_fields:
            if any(value == target for _, value in values_at(data, item.path)):
                row = {c.name: (record.kind.name if c.is_kind else cell(data, c)) for c in columns}
                row["field"] = item.dotted
                yield row
