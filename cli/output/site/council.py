"""The site's pages on the Council's own work: one per resolution, one per Council member.

A resolution is a product of type `resolution` in a kind's list of products (a meeting's
`outcomes`, as dprk_records.selection.vocabulary finds them from the schema), adopted or
only drafted. Its page's address follows its symbol: `resolutions/1718.html` for
S/RES/1718 (2006) (or the `number` the sources give), `resolutions/draft-S-2022-431.html`
for a draft's symbol, else the meeting's id and the outcome's place in it.

A member's page gives its positions per year, the rows of `dprk votes`
(dprk_records.selection.votes, with the same limit: a state counts only where a source
lists how it voted), and every record where it is listed as voting or signing, with the
resolution where there is one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from dprk_records.output.site.pages import Entry, fields
from dprk_records.records.kinds import values_at
from dprk_records.selection import votes as votes_module
from dprk_records.selection.vocabulary import positions, vocabulary

RESOLUTION = "resolution"
POSITION_LABELS = {
    "in_favour": "voted in favour",
    "against": "voted against",
    "abstaining": "abstained",
    "signed": "signed",
}


@dataclass
class Resolution:
    slug: str
    title: str
    entry: Entry  # the record (meeting) holding it
    element: dict[str, Any]
    item: Any  # the schema field of the product list's elements
    number: int  # its place in the list
    states: dict[str, list[str]] = field(default_factory=dict)  # position -> states

    @property
    def path(self) -> str:
        return f"resolutions/{self.slug}.html"


def resolutions(entries: dict[str, Entry]) -> list[Resolution]:
    """Every resolution in the records, in date order, each with an address of its own."""
    kinds = {e.kind.name: e.kind for e in entries.values()}
    words = vocabulary(list(kinds.values()))
    found: list[Resolution] = []
    taken: set[str] = set()
    for entry in sorted(entries.values(), key=lambda e: (e.sort_date, e.id)):
        for product in words.products.get(entry.kind.name, []):
            if not product.container or product.type is None:
                continue
            holder = entry.kind.field(".".join(product.container))
            element_field = holder.items if holder is not None else None
            listed = entry.data.get(product.container[0]) if len(product.container) == 1 else None
            for number, element in enumerate(listed if isinstance(listed, list) else [], 1):
                if not isinstance(element, dict) or element.get(product.type) != RESOLUTION:
                    continue
                slug, title = _name(entry, element, number)
                while slug in taken:
                    slug += "-again"
                taken.add(slug)
                resolution = Resolution(slug, title, entry, element, element_field, number)
                for path, position in positions(entry.kind):
                    if path[: len(product.container)] != product.container:
                        continue
                    inner = path[len(product.container) :]
                    states = [s for _, s in values_at(element, inner) if isinstance(s, str)]
                    if states:
                        resolution.states.setdefault(position, []).extend(states)
                found.append(resolution)
    return found


def _name(entry: Entry, element: dict[str, Any], number: int) -> tuple[str, str]:
    symbol, draft, count = element.get("symbol"), element.get("draft_symbol"), element.get("number")
    match = re.match(r"S/RES/([0-9]+)", symbol) if isinstance(symbol, str) else None
    if match:
        return match.group(1), f"Resolution {symbol[6:]}"
    if isinstance(count, int) and not isinstance(count, bool):
        return str(count), f"Resolution {count}"
    if isinstance(draft, str) and re.fullmatch(r"[A-Za-z0-9/.()-]+", draft):
        return "draft-" + re.sub(r"[^A-Za-z0-9]+", "-", draft).strip("-"), f"Draft resolution {draft}"
    adopted = element.get("status") == "adopted"
    return f"{entry.id}-{number}", f"{'Resolution' if adopted else 'Draft resolution'} of {entry.date or entry.id}"


def resolution_page(resolution: Resolution, entries: dict[str, Entry], root: str = "../") -> dict[str, Any]:
    keys = resolution.item.keys if resolution.item is not None else {}
    return {
        "resolution": resolution,
        "fields": fields(keys, resolution.element, entries, root),
        "positions": [(POSITION_LABELS.get(p, p), s) for p, s in resolution.states.items()],
    }


@dataclass
class Member:
    code: str
    name: str
    years: list[Any] = field(default_factory=list)  # Position rows of dprk votes
    acts: list[dict[str, Any]] = field(default_factory=list)  # where it voted or signed

    @property
    def path(self) -> str:
        return f"members/{self.code}.html"


def members(entries: dict[str, Entry], found: list[Resolution]) -> list[Member]:
    """Every state listed as voting or signing, with its positions per year and where it took them."""
    kinds = list({e.kind.name: e.kind for e in entries.values()}.values())
    names = votes_module.state_names(kinds)
    ordered = sorted(entries.values(), key=lambda e: (e.sort_date, e.id))
    table: dict[str, Member] = {}
    for position in votes_module.votes(kinds, ((e.record, e.data) for e in ordered)):
        if _code(position.state):
            _member(table, position.state, names).years.append(position)
    by_element = {(id(r.element)): r for r in found}
    for entry in ordered:
        for path, position in positions(entry.kind):
            for pointer, state in values_at(entry.data, path):
                if not isinstance(state, str) or not _code(state):
                    continue
                element = (
                    entry.data.get(pointer[0])[pointer[1]] if len(pointer) > 2 and isinstance(pointer[1], int) else None
                )
                resolution = by_element.get(id(element)) if element is not None else None
                act = {"entry": entry, "position": POSITION_LABELS.get(position, position), "resolution": resolution}
                _member(table, state, names).acts.append(act)
    return [table[code] for code in sorted(table)]


def _code(state: str) -> bool:
    return bool(re.fullmatch(r"[A-Za-z0-9-]{1,20}", state))


def _member(table: dict[str, Member], state: str, names: dict[str, str]) -> Member:
    if state not in table:
        table[state] = Member(state, names.get(state, state))
    return table[state]


VOTE_LIMIT = votes_module.LIMIT
