"""The Council's response to each event: the question the dataset exists for.

An event is a record of a kind the Council may answer: a kind whose schema says
`x-answered` (launches and nuclear tests). What a meeting, a product, an agreed or a
refused product is, the schema says too (dprk_records.selection.vocabulary). For each event,
derived from the links between records and nothing kept by hand:

- the meetings that took it up: held meetings that list it (`launches`,
  `nuclear_tests`) or whose outcomes respond to it; the first of them, and how many
  days after the event it was held;
- every response: meeting outcomes that respond to it (named in `responds_to`; a
  statement or press elements that name no event answer what their meeting took up,
  while a resolution that names none, a mandate renewal say, answers no event) and
  statements that respond to it, each with its type and status (adopted, issued,
  not-agreed, vetoed, ...);
- the first *agreed Council product* (a resolution, presidential statement, press
  statement or press elements, adopted or issued), and the days to it;
- its response class, the strongest of: an agreed product, a product not agreed (or
  vetoed), a meeting held, none; and the days to the first of that class.

This is the one definition of the metric: `dprk reactions`, the chart, the SQLite and
data-package `reactions` tables and the datasette query all read these rows.

Days count from the first day each date covers: a launch dated only `2023-12` counts
from 1 December. The summary (`--by year` or `month`) gives, per period, how many events
there were, how many the Council met on, how many got an agreed product and how many
met a Council product proposed and not agreed (or vetoed), with the share of each;
periods with no event are listed with zeros.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from dprk_records.errors import UsageError
from dprk_records.records.dates import date_span
from dprk_records.records.kinds import Kind
from dprk_records.selection.filters import Selection
from dprk_records.selection.stats import periods_between
from dprk_records.selection.vocabulary import Product, Vocabulary, vocabulary

# The response class of an event, the strongest first: what the chart colours and `response` names.
AGREED_PRODUCT, NOT_AGREED, MET_ON, NONE = "agreed-product", "product-not-agreed", "met-on", "none"
CLASSES = (AGREED_PRODUCT, NOT_AGREED, MET_ON, NONE)

COLUMNS = [
    "date",
    "kind",
    "id",
    "category",
    "name",
    "first_meeting",
    "days_to_meeting",
    "responses",
    "first_agreed_product",
    "days_to_product",
    "response",
    "days_to_response",
]
TABLE_COLUMNS = ["date", "id", "response", "days_to_response"]  # the terminal's default
SUMMARY_COLUMNS = [
    "period",
    "events",
    "met_on",
    "share_met_on",
    "agreed_product",
    "share_agreed_product",
    "product_not_agreed",
    "share_product_not_agreed",
]


@dataclass
class Response:
    date: str
    type: str
    status: str
    id: str  # the statement's id, or the meeting's for an outcome with no statement record
    council: bool
    agreed: bool = False  # a Council product, agreed (x-agreed)
    refused: bool = False  # a Council product, not agreed or vetoed (x-refused)

    def text(self) -> str:
        return f"{self.type} {self.status or 'status unknown'}: {self.id}"


@dataclass
class Reaction:
    record: Any
    data: dict[str, Any]
    meetings: list[tuple[str, str]] = field(default_factory=list)  # (first day, id) of held meetings
    responses: list[Response] = field(default_factory=list)

    @property
    def date(self) -> Any:
        return self.data.get(self.record.kind.date_field or "date")

    def ordered(self) -> list[Response]:
        return sorted(self.responses, key=lambda r: (_start(r.date), r.id))

    def first_meeting(self) -> tuple[str, str] | None:
        return min(self.meetings) if self.meetings else None

    def first_agreed(self) -> Response | None:
        return next((r for r in self.ordered() if r.agreed), None)

    def response(self) -> tuple[str, int | None]:
        """The event's response class and the days to it: an agreed product, else one not
        agreed, else a meeting held, else none."""
        ordered = self.ordered()
        agreed = next((r for r in ordered if r.agreed), None)
        if agreed is not None:
            return AGREED_PRODUCT, _days(self.date, agreed.date)
        refused = next((r for r in ordered if r.refused), None)
        if refused is not None:
            return NOT_AGREED, _days(self.date, refused.date)
        first = self.first_meeting()
        if first is not None:
            return MET_ON, _days(self.date, first[0])
        return NONE, None

    def row(self) -> list[Any]:
        first, product = self.first_meeting(), self.first_agreed()
        response, days = self.response()
        return [
            self.date,
            self.record.kind.name,
            self.record.id,
            self.data.get("category"),
            self.data.get("name"),
            first[1] if first else None,
            _days(self.date, first[0]) if first else None,
            [r.text() for r in self.ordered()] or None,
            product.id if product else None,
            _days(self.date, product.date) if product else None,
            response,
            days,
        ]


def event_kinds(repo: Any) -> list[Kind]:
    """The kinds Council products respond to: those whose schema says `x-answered`."""
    return vocabulary(repo.schemas.kinds).answered


def reactions(repo: Any, selection: Selection) -> list[Reaction]:
    """One Reaction per selected event, in date order."""
    events = {k.name for k in event_kinds(repo)}
    wrong = [k.name for k in selection.kinds if k.name not in events]
    if wrong:
        raise UsageError(
            f"reactions are for {', '.join(sorted(events)) or 'no kind'}, not {', '.join(wrong)}",
            hint="leave out KIND for all of them",
        )
    return reactions_of(repo, selection.records(repo), use_cache=selection.use_cache)


def reactions_of(repo: Any, events: Iterable[tuple[Any, dict[str, Any]]], *, use_cache: bool = True) -> list[Reaction]:
    """One Reaction per event given (records of answered kinds; others are passed over),
    from every record of the repository that responds to events."""
    words = vocabulary(repo.schemas.kinds)
    answered = {k.name for k in words.answered}
    chosen = {record.id: Reaction(record, data) for record, data in events if record.kind.name in answered}
    others = [repo.schemas.kinds[n] for n in words.responding]
    if chosen and others:
        for record, data in repo.iter_data(others, use_cache=use_cache):
            _responses(words, record.kind.name, data, chosen)
    return list(chosen.values())


def _responses(words: Vocabulary, kind: str, data: dict[str, Any], chosen: dict[str, Reaction]) -> None:
    taken = [i for name in words.took_up.get(kind, []) for i in _ids(data.get(name))]
    met = list(taken)  # a held meeting met on what it took up and on what its outcomes answer
    for product in words.products.get(kind, []):
        for element in [data] if not product.container else _elements(data, product.container):
            if product.container:
                met += _ids(element.get(product.answers))
            _product(product, data, element, taken if product.container else [], chosen)
    status_field, held_values = words.held.get(kind, (None, set()))
    if words.took_up.get(kind) and (status_field is None or data.get(status_field) in held_values):
        for event in dict.fromkeys(met):
            if event in chosen:
                chosen[event].meetings.append((_start(data.get("date")), data["id"]))


def _product(
    product: Product, record: dict[str, Any], element: dict[str, Any], taken: list[str], chosen: dict[str, Reaction]
) -> None:
    if product.record and element.get(product.record):
        return  # the product's own record speaks for it
    type_ = element.get(product.type) if product.type else None
    if type_ in product.values("x-no-product", "type"):
        return
    named = _ids(element.get(product.answers))
    implicit = taken if type_ not in product.values("x-answers-named-only", "type") else []
    status = element.get(product.status) if product.status else None
    council = type_ in product.values("x-council-product", "type")
    for event in dict.fromkeys(named or implicit):
        if event in chosen:
            chosen[event].responses.append(
                Response(
                    record.get("date", ""),
                    type_ or "",
                    status or "",
                    record["id"],
                    council,
                    council and status in product.values("x-agreed", "status"),
                    council and status in product.values("x-refused", "status"),
                )
            )


def _ids(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _elements(data: dict[str, Any], path: tuple[str, ...]) -> list[dict[str, Any]]:
    node: Any = data
    for part in path:
        node = node.get(part) if isinstance(node, dict) else None
    return [e for e in node if isinstance(e, dict)] if isinstance(node, list) else []


def rows(found: Iterable[Reaction]) -> Iterator[list[Any]]:
    for reaction in found:
        yield reaction.row()


def summary(found: list[Reaction], by: str) -> list[list[Any]]:
    """Per year or month: events, met on, with an agreed product, with a product not agreed."""
    if by not in ("year", "month"):
        raise UsageError("{by} " + repr(by) + ": choose year or month", params=("by",))
    table: dict[str, list[int]] = {}
    for reaction in found:
        start = _start(reaction.date)
        if not start:
            continue
        counts = table.setdefault(start[:4] if by == "year" else start[:7], [0, 0, 0, 0])
        counts[0] += 1
        counts[1] += bool(reaction.meetings)
        counts[2] += any(r.agreed for r in reaction.responses)
        counts[3] += any(r.refused for r in reaction.responses)
    out = []
    for period in periods_between(sorted(table), by):
        events, met, agreed, refused = table.get(period, [0, 0, 0, 0])
        out.append(
            [period, events, met, _share(met, events), agreed, _share(agreed, events), refused, _share(refused, events)]
        )
    return out


def class_counts(found: list[Reaction], by: str = "year") -> list[tuple[str, dict[str, int]]]:
    """Per period (every one from the first to the last), how many events fall in each
    response class (CLASSES): the shares the chart's strip draws."""
    table: dict[str, dict[str, int]] = {}
    for reaction in found:
        start = _start(reaction.date)
        if start:
            counts = table.setdefault(start[:4] if by == "year" else start[:7], dict.fromkeys(CLASSES, 0))
            counts[reaction.response()[0]] += 1
    return [(period, table.get(period, dict.fromkeys(CLASSES, 0))) for period in periods_between(sorted(table), by)]


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 2) if whole else None


def _start(date: Any) -> str:
    span = date_span(date)
    return span[0] if span else ""


def _days(event_date: Any, later: str) -> int | None:
    a, b = _start(event_date), _start(later)
    if not a or not b:
        return None
    return (dt.date.fromisoformat(b) - dt.date.fromisoformat(a)).days
