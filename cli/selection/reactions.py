"""The Council's response to each event: the question the dataset exists for.

An event is a record of a kind that Council products respond to: the kinds named by
the `x-references` of meeting outcomes' `responds_to` (launches and nuclear tests).
For each event, derived from the links between records and nothing kept by hand:

- the meetings that took it up: held meetings that list it (`launches`,
  `nuclear_tests`) or whose outcomes respond to it; the first of them, and how many
  days after the event it was held;
- every response: meeting outcomes that respond to it (named in `responds_to`; a
  statement or press elements that name no event answer what their meeting took up,
  while a resolution that names none, a mandate renewal say, answers no event) and
  statements that respond to it, each with its type and status (adopted, issued,
  not-agreed, vetoed, ...);
- the first *agreed Council product* (a resolution, presidential statement, press
  statement or press elements, adopted or issued), and the days to it.

Days count from the first day each date covers: a launch dated only `2023-12` counts
from 1 December. The summary (`--by year` or `month`) gives, per period, how many events
there were, how many the Council met on, how many got an agreed product and how many
met a Council product proposed and not agreed (or vetoed), with the share of each;
periods with no event are listed with zeros.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator

from cli.errors import UsageError
from cli.records.dates import date_span
from cli.records.kinds import Kind
from cli.selection.filters import Selection
from cli.selection.stats import periods_between

MEETING, STATEMENT = "meeting", "statement"
HELD = "held"
COUNCIL_OUTCOMES = {"resolution", "presidential-statement", "press-statement", "press-elements"}
COUNCIL_STATEMENTS = {"presidential-statement", "council-press-statement", "press-elements"}
AGREED = {"adopted", "issued"}
EXPLICIT_ONLY = {"resolution", "procedural-vote"}  # these answer only the events they name
REFUSED = {"not-agreed", "vetoed", "failed"}

COLUMNS = ["date", "kind", "id", "category", "name", "first_meeting", "days_to_meeting", "responses",
           "first_agreed_product", "days_to_product"]
SUMMARY_COLUMNS = ["period", "events", "met_on", "share_met_on", "agreed_product", "share_agreed_product",
                   "product_not_agreed", "share_product_not_agreed"]


@dataclass
class Response:
    date: str
    type: str
    status: str
    id: str  # the statement's id, or the meeting's for an outcome with no statement record
    council: bool

    @property
    def agreed(self) -> bool:
        return self.council and self.status in AGREED

    def text(self) -> str:
        return f"{self.type} {self.status or 'status unknown'}: {self.id}"


@dataclass
class Reaction:
    record: Any
    data: dict[str, Any]
    meetings: list[tuple[str, str]] = field(default_factory=list)  # (date, id) of held meetings
    responses: list[Response] = field(default_factory=list)

    def row(self) -> list[Any]:
        first = min(self.meetings) if self.meetings else None
        agreed = sorted((r for r in self.responses if r.agreed), key=lambda r: (_start(r.date), r.id))
        product = agreed[0] if agreed else None
        return [
            self.data.get(self.record.kind.date_field or "date"), self.record.kind.name, self.record.id,
            self.data.get("category"), self.data.get("name"),
            first[1] if first else None, _days(self.data.get(self.record.kind.date_field or "date"), first[0]) if first else None,
            [r.text() for r in sorted(self.responses, key=lambda r: (_start(r.date), r.id))] or None,
            product.id if product else None,
            _days(self.data.get(self.record.kind.date_field or "date"), product.date) if product else None,
        ]


def event_kinds(repo: Any) -> list[Kind]:
    """The kinds Council products respond to, as the meeting schema names them."""
    meeting = repo.schemas.kinds.get(MEETING)
    field_ = meeting.field("outcomes.responds_to") if meeting is not None else None
    names = (field_.references if field_ is not None else None) or []
    return [repo.schemas.kinds[n] for n in names if n in repo.schemas.kinds]


def reactions(repo: Any, selection: Selection) -> list[Reaction]:
    """One Reaction per selected event, in date order."""
    events = {k.name for k in event_kinds(repo)}
    wrong = [k.name for k in selection.kinds if k.name not in events]
    if wrong:
        raise UsageError(f"reactions are for {', '.join(sorted(events)) or 'no kind'}, not {', '.join(wrong)}",
                         hint="leave out KIND for all of them")
    chosen = {record.id: Reaction(record, data) for record, data in selection.records(repo)}
    others = [repo.schemas.kinds[n] for n in (MEETING, STATEMENT) if n in repo.schemas.kinds]
    for record, data in repo.iter_data(others, use_cache=selection.use_cache):
        if record.kind.name == MEETING:
            _meeting(data, chosen)
        else:
            _statement(data, chosen)
    return list(chosen.values())


def _meeting(data: dict[str, Any], chosen: dict[str, Reaction]) -> None:
    taken = [i for name in ("launches", "nuclear_tests") for i in data.get(name) or []]
    outcomes = data.get("outcomes") or []
    answered = [i for o in outcomes for i in o.get("responds_to") or []]
    if data.get("status") == HELD:
        for event in dict.fromkeys(taken + answered):
            if event in chosen:
                chosen[event].meetings.append((_start(data.get("date")), data["id"]))
    for outcome in outcomes:
        if outcome.get("statement"):
            continue  # the statement record speaks for it
        implicit = taken if outcome.get("type") not in EXPLICIT_ONLY else []
        for event in outcome.get("responds_to") or implicit:
            if event in chosen and outcome.get("type") != "none":
                chosen[event].responses.append(Response(data.get("date", ""), outcome.get("type", ""), outcome.get("status", ""),
                                                        data["id"], outcome.get("type") in COUNCIL_OUTCOMES))


def _statement(data: dict[str, Any], chosen: dict[str, Reaction]) -> None:
    for event in data.get("responds_to") or []:
        if event in chosen:
            chosen[event].responses.append(Response(data.get("date", ""), data.get("type", ""), data.get("status", ""),
                                                    data["id"], data.get("type") in COUNCIL_STATEMENTS))


def rows(found: Iterable[Reaction]) -> Iterator[list[Any]]:
    for reaction in found:
        yield reaction.row()


def summary(found: list[Reaction], by: str) -> list[list[Any]]:
    """Per year or month: events, met on, with an agreed product, with a product not agreed."""
    if by not in ("year", "month"):
        raise UsageError(f"--by {by!r}: choose year or month")
    table: dict[str, list[int]] = {}
    for reaction in found:
        start = _start(reaction.data.get(reaction.record.kind.date_field or "date"))
        if not start:
            continue
        counts = table.setdefault(start[:4] if by == "year" else start[:7], [0, 0, 0, 0])
        counts[0] += 1
        counts[1] += bool(reaction.meetings)
        counts[2] += any(r.agreed for r in reaction.responses)
        counts[3] += any(r.council and r.status in REFUSED for r in reaction.responses)
    out = []
    for period in periods_between(sorted(table), by):
        events, met, agreed, refused = table.get(period, [0, 0, 0, 0])
        out.append([period, events, met, _share(met, events), agreed, _share(agreed, events), refused, _share(refused, events)])
    return out


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
