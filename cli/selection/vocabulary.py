"""What the schema says a response is: the keywords `reactions` and `votes` read.

Nothing about the Council's responses is written in the code; the schema files state it
(dprk_records.records.kinds lists the keywords):

- `x-answered: true` on a kind: its records are events the Council may answer
  (launches, nuclear tests);
- `x-response` on a field: `took-up` (a meeting's list of the events it took up),
  `answers` (the events a product answers: the record itself is the product when the
  field is at the top, else the element of the list that holds it, a meeting outcome),
  `type` and `status` (the product's, or the meeting's status), and `record` (a
  product's own record, which then speaks for it);
- on a `type` field, `x-council-product` (the types that are the Council's own
  products), `x-answers-named-only` (types that answer only the events they name: a
  resolution that names none, a mandate renewal, answers none), `x-no-product` (no
  product at all) and `x-joint` (a joint statement of several states);
- on a `status` field, `x-held` (a meeting that took place), `x-agreed`, `x-refused`
  and `x-vetoed`;
- `x-position` on a list of states: `in_favour`, `against`, `abstaining` (a vote) or
  `signed` (a statement's signatories); `x-permanent-members` on the state codes.

Every value named must be one of the field's allowed values (a typo is a schema error).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dprk_records.errors import DataError
from dprk_records.records.kinds import Field, Kind

VALUE_KEYWORDS = (
    "x-council-product",
    "x-answers-named-only",
    "x-no-product",
    "x-joint",
    "x-held",
    "x-agreed",
    "x-refused",
    "x-vetoed",
)
POSITIONS = ("in_favour", "against", "abstaining", "signed")


@dataclass
class Product:
    """Where a kind holds products that answer events: the record itself, or a list's elements."""

    container: tuple[str, ...]  # () for the record itself; else the list holding the products (outcomes)
    answers: str  # the field naming the events answered, in the product
    type: str | None = None
    status: str | None = None
    record: str | None = None  # a field naming the product's own record
    type_field: Field | None = None
    status_field: Field | None = None

    def values(self, keyword: str, of: str) -> set[Any]:
        item = self.type_field if of == "type" else self.status_field
        return set(item.schema.get(keyword) or []) if item is not None else set()


@dataclass
class Vocabulary:
    answered: list[Kind] = field(default_factory=list)
    took_up: dict[str, list[str]] = field(default_factory=dict)  # kind -> top-level fields of events taken up
    held: dict[str, tuple[str, set[Any]]] = field(
        default_factory=dict
    )  # kind -> (status field, the values that mean held)
    products: dict[str, list[Product]] = field(default_factory=dict)  # kind -> where its products are

    @property
    def responding(self) -> list[str]:
        """The kinds whose records respond to events (meetings, statements)."""
        return list(dict.fromkeys(list(self.took_up) + list(self.products)))


def _checked(kind: Kind, item: Field) -> None:
    allowed = item.leaf.enum
    for keyword in VALUE_KEYWORDS:
        named = item.schema.get(keyword)
        if named is None:
            continue
        if not isinstance(named, list) or (allowed is not None and any(v not in allowed for v in named)):
            raise DataError(
                f"{kind.file}: {item.dotted}: {keyword} must list allowed values of the field, not {named!r}",
                hint="fix the schema file",
            )


def vocabulary(kinds: dict[str, Kind] | list[Kind]) -> Vocabulary:
    """The response vocabulary of these kinds, read from their schemas."""
    chosen = list(kinds.values()) if isinstance(kinds, dict) else list(kinds)
    found = Vocabulary(answered=[k for k in chosen if k.schema.get("x-answered") is True])
    for kind in chosen:
        roles: dict[tuple[str, ...], dict[str, Field]] = {}
        for item in kind.root.walk():
            if item.is_item or not item.path:
                continue
            _checked(kind, item)
            role = item.schema.get("x-response")
            if role is None:
                continue
            if role not in ("took-up", "answers", "type", "status", "record"):
                raise DataError(
                    f"{kind.file}: {item.dotted}: x-response {role!r} is not one of took-up, answers, type, status, record",
                    hint="fix the schema file",
                )
            roles.setdefault(item.path[:-1], {})[role] = item
        top = roles.get((), {})
        took = [item.name for item in (kind.fields.values()) if item.schema.get("x-response") == "took-up"]
        if took:
            found.took_up[kind.name] = took
            status = top.get("status")
            if status is not None:
                found.held[kind.name] = (status.name, set(status.schema.get("x-held") or []))
        for container, named in roles.items():
            if "answers" not in named:
                continue
            type_, status, record = named.get("type"), named.get("status"), named.get("record")
            found.products.setdefault(kind.name, []).append(
                Product(
                    container,
                    named["answers"].name,
                    type_.name if type_ else None,
                    status.name if status else None,
                    record.name if record else None,
                    type_,
                    status,
                )
            )
    return found


def positions(kind: Kind) -> list[tuple[tuple[str, ...], str]]:
    """(path, position) of every list of states with an `x-position`, in schema order."""
    out = []
    for item in kind.root.walk():
        position = item.schema.get("x-position") if not item.is_item else None
        if position is None:
            continue
        if position not in POSITIONS:
            raise DataError(
                f"{kind.file}: {item.dotted}: x-position {position!r} is not one of {', '.join(POSITIONS)}",
                hint="fix the schema file",
            )
        out.append((item.path, position))
    return out


def permanent_members(kinds: list[Kind]) -> set[str]:
    for kind in kinds:
        for item in kind.root.walk():
            listed = item.schema.get("x-permanent-members")
            if listed:
                return set(listed)
    return set()
