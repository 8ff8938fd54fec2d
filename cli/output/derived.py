"""Derived tables in the SQLite export and the data package: `reactions` and `votes`.

Their rows are the rows `dprk reactions` and `dprk votes` print, computed once by
dprk_records.selection.reactions and dprk_records.selection.votes; nothing is recomputed in SQL, so the
database, the package, the command line and the chart agree by construction.

- `reactions`: one row per launch or nuclear test in the export (the columns of
  `dprk reactions`, the date's span beside the date), and `reactions_responses`: one row
  per response, in the order `responses` lists them, with its record, type, status and
  whether it is a Council product, agreed or refused.
- `votes`: one row per state and year with a recorded position (`dprk votes`), and
  `votes_vetoed`: the records (meetings) where each veto fell.

References are foreign keys where the table they point into is in the export.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from dprk_records.output.tables import POSITION, RECORDS_TABLE, STATES_TABLE, Layout, Table, TableColumn
from dprk_records.records.dates import date_span

REACTIONS, RESPONSES, VOTES, VETOED = "reactions", "reactions_responses", "votes", "votes_vetoed"


@dataclass
class Derived:
    """Tables known before the records are read, and their rows, made after."""

    tables: list[Table] = field(default_factory=list)
    fill: Callable[[], Iterable[tuple[Table, list[Any]]]] = lambda: ()


def _ref(layout: Layout, kinds: list[str]) -> tuple[str, str] | None:
    """A foreign key to the records of `kinds`: their table, or `records` for several;
    none unless every one of them is in the export."""
    if not kinds or not set(kinds) <= set(layout.by_kind):
        return None
    return (layout.by_kind[kinds[0]].name, "id") if len(kinds) == 1 else (RECORDS_TABLE, "id")


def reaction_tables(
    layout: Layout, responding: list[str], meeting_kinds: list[str], classes: tuple[str, ...]
) -> tuple[Table, Table]:
    main = Table(
        REACTIONS,
        "The Council's response to each launch and nuclear test: the rows of `dprk reactions`.",
        [
            TableColumn("id", "string", "The event's id.", references=(RECORDS_TABLE, "id")),
            TableColumn("date", "string", "The event's date, as precise as its sources."),
            TableColumn("date_start", "date", "The first day the date covers."),
            TableColumn("date_end", "date", "The last day the date covers."),
            TableColumn("kind", "string", "The event's kind."),
            TableColumn("category", "string", "The launch category."),
            TableColumn("name", "string", "The missile or rocket name."),
            TableColumn(
                "first_meeting",
                "string",
                "The first Council meeting held that took it up.",
                references=_ref(layout, meeting_kinds),
            ),
            TableColumn("days_to_meeting", "integer", "Days from the event to that meeting."),
            TableColumn(
                "first_agreed_product",
                "string",
                "The first agreed Council product that answers it.",
                references=_ref(layout, responding),
            ),
            TableColumn("days_to_product", "integer", "Days from the event to that product."),
            TableColumn(
                "response",
                "string",
                "The strongest response: agreed-product, product-not-agreed, met-on or none.",
                enum=list(classes),
            ),
            TableColumn("days_to_response", "integer", "Days from the event to the first response of that class."),
        ],
        ["id"],
    )
    responses = Table(
        RESPONSES,
        "Every statement and meeting outcome that responds to an event, in date order.",
        [
            TableColumn("reactions_id", "string", "The event (a row of reactions)."),
            TableColumn(POSITION, "integer", "The response's place in the event's list, from 0."),
            TableColumn("date", "string", "The response's date."),
            TableColumn("type", "string", "The product's type."),
            TableColumn("status", "string", "What became of it."),
            TableColumn(
                "record_id",
                "string",
                "The statement, or the meeting whose outcome it is.",
                references=_ref(layout, responding),
            ),
            TableColumn("council", "boolean", "A Council product."),
            TableColumn("agreed", "boolean", "A Council product, agreed."),
            TableColumn("refused", "boolean", "A Council product, not agreed or vetoed."),
            TableColumn("text", "string", "As `dprk reactions` lists it."),
        ],
        ["reactions_id", POSITION],
        parent=main,
    )
    main.children.append(responses)
    return main, responses


def reaction_rows(main: Table, responses: Table, found: list[Any]) -> Iterator[tuple[Table, list[Any]]]:
    for reaction in found:
        row = reaction.row()  # COLUMNS of dprk_records.selection.reactions
        span = date_span(row[0])
        yield (
            main,
            [
                row[2],
                row[0],
                span[0] if span else None,
                span[1] if span else None,
                row[1],
                row[3],
                row[4],
                row[5],
                row[6],
                row[8],
                row[9],
                row[10],
                row[11],
            ],
        )
        for position, response in enumerate(reaction.ordered()):
            yield (
                responses,
                [
                    reaction.record.id,
                    position,
                    response.date,
                    response.type,
                    response.status or None,
                    response.id,
                    response.council,
                    response.agreed,
                    response.refused,
                    response.text(),
                ],
            )


def vote_tables(layout: Layout, vetoing: list[str]) -> tuple[Table, Table]:
    main = Table(
        VOTES,
        "Per year and Council member, the positions recorded: the rows of `dprk votes` "
        "(a state counts only where a source lists how it voted).",
        [
            TableColumn("year", "string", "The year."),
            TableColumn("state", "string", "The state, an ISO 3166-1 alpha-3 code.", references=(STATES_TABLE, "code")),
            TableColumn("name", "string", "The state's name."),
            TableColumn("in_favour", "integer", "Votes in favour."),
            TableColumn("against", "integer", "Votes against."),
            TableColumn("abstaining", "integer", "Abstentions."),
            TableColumn("vetoes", "integer", "Votes against, by a permanent member, on a draft that was vetoed."),
            TableColumn("joint_statements", "integer", "Joint statements signed."),
        ],
        ["year", "state"],
    )
    vetoed = Table(
        VETOED,
        "The meetings where each veto fell.",
        [
            TableColumn("votes_year", "string", "The year (a row of votes)."),
            TableColumn("votes_state", "string", "The state (a row of votes)."),
            TableColumn(POSITION, "integer", "The place in the list, from 0."),
            TableColumn(
                "record_id", "string", "The record (a meeting) of the vetoed draft.", references=_ref(layout, vetoing)
            ),
        ],
        ["votes_year", "votes_state", POSITION],
        parent=main,
    )
    main.children.append(vetoed)
    return main, vetoed


def vote_rows(main: Table, vetoed: Table, rows: list[list[Any]]) -> Iterator[tuple[Table, list[Any]]]:
    for row in rows:  # COLUMNS of dprk_records.selection.votes
        yield main, row[:8]
        for position, meeting in enumerate(row[8] or []):
            yield vetoed, [row[0], row[1], position, meeting]


def derived(
    repo: Any, layout: Layout, use_cache: bool = True
) -> tuple[Derived, Callable[[Iterable[Any]], Iterator[Any]]]:
    """The derived tables for an export of `layout`'s kinds, and a pass-through for the
    exported records that keeps what the tables are made from."""
    from dprk_records.selection import reactions, votes
    from dprk_records.selection.vocabulary import vocabulary

    words = vocabulary(repo.schemas.kinds)
    answered = {k.name for k in words.answered}
    tables: list[Table] = []
    events: list[tuple[Any, dict[str, Any]]] = []
    kept: list[tuple[Any, dict[str, Any]]] = []
    parts: list[Callable[[], Iterable[tuple[Table, list[Any]]]]] = []
    if answered & set(layout.by_kind):
        main, responses = reaction_tables(layout, words.responding, list(words.took_up), reactions.CLASSES)
        tables += [main, responses]
        parts.append(lambda: reaction_rows(main, responses, reactions.reactions_of(repo, events, use_cache=use_cache)))
    voting = [k for k in layout.kinds if votes.positions(k)]
    if voting:
        vetoing = [
            k.name for k in voting if any(p.values("x-vetoed", "status") for p in words.products.get(k.name, []))
        ]
        vmain, vvetoed = vote_tables(layout, vetoing)
        tables += [vmain, vvetoed]
        parts.append(
            lambda: vote_rows(
                vmain, vvetoed, votes.rows(votes.votes(layout.kinds, kept), votes.state_names(layout.kinds))
            )
        )

    def watch(records: Iterable[Any]) -> Iterator[Any]:
        voting_names = {k.name for k in voting}
        for record, data in records:
            if record.kind.name in answered:
                events.append((record, data))
            if record.kind.name in voting_names:
                kept.append((record, data))
            yield record, data

    return Derived(tables, lambda: (row for part in parts for row in part())), watch
