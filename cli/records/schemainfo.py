"""Descriptions of kinds and fields, for `dprk schema` and for help text."""

from __future__ import annotations

from typing import Any

from dprk_records.records.kinds import Field, Kind
from dprk_records.records.repository import Repository


def allowed_values(item: Field) -> str:
    """A short description of the values a field takes."""
    target = item.items if item.type == "array" and item.items is not None else item
    if target.enum:
        if target.names:
            return f"{len(target.enum)} ISO 3166-1 alpha-3 codes (USA, GBR, KOR, PRK, ...): 'dprk schema --values {item.dotted}'"
        return ", ".join(map(str, target.enum))
    if target.references:
        return "id of a " + " or ".join(target.references)
    if "pattern" in target.schema and target.is_date:
        from dprk_records.records.dates import DATE_FORM

        return DATE_FORM
    if target.schema.get("x-form"):
        return target.schema["x-form"]
    bounds = []
    if "minimum" in target.schema:
        bounds.append(f">= {target.schema['minimum']}")
    if "maximum" in target.schema:
        bounds.append(f"<= {target.schema['maximum']}")
    return " ".join(bounds)


def type_name(item: Field) -> str:
    if item.type == "array" and item.items is not None:
        return f"list of {type_name(item.items)}"
    return item.type


def describe_kinds(repo: Repository) -> tuple[list[str], list[list[Any]]]:
    rows = []
    for kind in repo.schemas.kinds.values():
        count = sum(1 for _ in repo.records([kind]))
        rows.append([kind.name, f"records/{kind.folder}/", count, kind.description])
    return ["kind", "folder", "records", "description"], rows


def describe_fields(kind: Kind) -> tuple[list[str], list[list[Any]]]:
    rows = []
    for item in kind.root.walk():
        if not item.path or item.is_item:
            continue
        rows.append(
            [item.dotted, type_name(item), "yes" if item.required else "", allowed_values(item), item.description]
        )
    return ["field", "type", "required", "allowed values", "description"], rows


def values_field(repo: Repository, kind: Kind | None, name: str) -> Field:
    """The field whose allowed values `dprk schema --values NAME` lists: a (dotted) field
    of KIND, or of any kind, or the title of a set of values (`state`, `states`)."""
    from dprk_records.errors import UsageError
    from dprk_records.records.suggest import did_you_mean, nearest

    kinds = [kind] if kind is not None else list(repo.schemas.kinds.values())
    titles: dict[str, Field] = {}
    for each in kinds:
        found = each.field(name.strip())
        if found is not None and found.path and found.leaf.enum:
            return found
        for item in each.root.walk():
            title = item.leaf.schema.get("title")
            if item.path and item.leaf.enum and isinstance(title, str):
                titles.setdefault(title.casefold(), item)
                titles.setdefault(title.casefold() + "s", item)
    if name.strip().casefold() in titles:
        return titles[name.strip().casefold()]
    names = [item.dotted for each in kinds for item in each.root.walk() if item.path and item.leaf.enum]
    close = did_you_mean(nearest(name, names + list(titles)))
    which = f"a {kind.name}" if kind is not None else "any kind"
    raise UsageError(
        f"{{values}} {name!r}: no field of {which} with a list of allowed values by that name",
        hint=close or "fields with allowed values: " + ", ".join(dict.fromkeys(names)),
        params={"values": "field"},
    )


def describe_values(item: Field) -> tuple[list[str], list[list[Any]]]:
    """The allowed values of a field, with the name of each code where the schema keeps one."""
    leaf = item.leaf
    names = leaf.names or {}
    if names:
        return ["value", "name"], [[value, names.get(str(value), "")] for value in leaf.enum or []]
    return ["value"], [[value] for value in leaf.enum or []]
