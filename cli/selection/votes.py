"""Positions of Council members: per state and year, how it voted and what it signed.

Derived from the records, as `reactions` is, and from what the schema says they mean
(dprk_records.selection.vocabulary): each list of states marked `x-position` (a vote's
`in_favour_states`, `against_states` and `abstaining_states`; a statement's
`signatories`) counts once for each state it lists. A vote against a product whose
status is `x-vetoed`, by one of the `x-permanent-members`, is a veto. Signatories count
only on statements whose type is `x-joint` (joint statements).

Its limit: a state is counted only where a source lists how it voted. A vote given as
counts alone (13-2-0, or 15-0-0 where a source says "unanimously") names no state and
adds nothing here, so the figures are a floor, not the Council's whole record.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from dprk_records.records.dates import date_span
from dprk_records.records.kinds import values_at
from dprk_records.selection.stats import periods_between
from dprk_records.selection.vocabulary import permanent_members, positions, vocabulary

COLUMNS = ["year", "state", "name", "in_favour", "against", "abstaining", "vetoes", "joint_statements", "vetoed"]
TABLE_COLUMNS = ["year", "state", "in_favour", "against", "abstaining", "vetoes", "joint_statements"]
COUNTED = {"in_favour": "in_favour", "against": "against", "abstaining": "abstaining", "signed": "joint_statements"}
LIMIT = "states are counted only where a source lists how each voted; votes given as counts alone name no state"


@dataclass
class Position:
    year: str
    state: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COLUMNS[3:8], 0))
    vetoed: list[str] = field(default_factory=list)  # the records (meetings) where its veto fell


def votes(kinds: list[Any], records: Iterable[tuple[Any, dict[str, Any]]]) -> list[Position]:
    """Per year and state, the positions the records give; sorted by year, then state."""
    words = vocabulary(kinds)
    permanent = permanent_members(kinds)
    marked = {kind.name: positions(kind) for kind in kinds}
    table: dict[tuple[str, str], Position] = {}
    for record, data in records:
        kind = record.kind
        span = date_span(data.get(kind.date_field)) if kind.date_field else None
        if not span or not marked.get(kind.name):
            continue
        for path, position in marked[kind.name]:
            product = next(
                (p for p in words.products.get(kind.name, []) if path[: len(p.container)] == p.container), None
            )
            for pointer, state in values_at(data, path):
                if not isinstance(state, str):
                    continue
                element = _element(data, pointer, len(product.container)) if product else data
                type_ = element.get(product.type) if product and product.type else None
                if position == "signed" and (product is None or type_ not in product.values("x-joint", "type")):
                    continue
                entry = table.setdefault((span[0][:4], state), Position(span[0][:4], state))
                entry.counts[COUNTED[position]] += 1
                status = element.get(product.status) if product and product.status else None
                if (
                    position == "against"
                    and state in permanent
                    and product
                    and status in product.values("x-vetoed", "status")
                ):
                    entry.counts["vetoes"] += 1
                    entry.vetoed.append(data.get("id", record.id))
    return [table[key] for key in sorted(table)]


def _element(data: dict[str, Any], pointer: tuple[Any, ...], depth: int) -> dict[str, Any]:
    """The object holding the product at `pointer`: the list element `depth` names deep
    (an outcome, for `outcomes.vote.against_states`), or the record itself."""
    node: Any = data
    steps = 0
    for part in pointer:
        if steps == depth and isinstance(node, dict):
            return node
        node = node[part]
        if not isinstance(part, int):
            steps += 1
    return node if isinstance(node, dict) else data


def rows(found: list[Position], names: dict[str, str]) -> list[list[Any]]:
    return [[p.year, p.state, names.get(p.state, p.state), *p.counts.values(), p.vetoed or None] for p in found]


def years(found: list[Position]) -> list[str]:
    """Every year from the first to the last with a position, empty ones too."""
    return periods_between(sorted({p.year for p in found}), "year") if found else []


def state_names(kinds: list[Any]) -> dict[str, str]:
    names: dict[str, str] = {}
    for kind in kinds:
        for item in kind.root.walk():
            if item.names:
                names.update(item.names)
    return names
