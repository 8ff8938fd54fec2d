"""Descriptions of kinds and fields, for `dprk schema` and for help text."""

from __future__ import annotations

from typing import Any

from cli.records.kinds import Field, Kind
from cli.records.repository import Repository


def allowed_values(item: Field) -> str:
    """A short description of the values a field takes."""
    target = item.items if item.type == "array" and item.items is not None else item
    if target.enum:
        if target.names:
            return f"{len(target.enum)} ISO 3166-1 alpha-3 codes (USA, GBR, KOR, PRK, ...)"
        return ", ".join(map(str, target.enum))
    if target.references:
        return "id of a " + " or ".join(target.references)
    if "pattern" in target.schema and target.is_date:
        return "YYYY, YYYY-MM or YYYY-MM-DD"
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
        rows.append([item.dotted, type_name(item), "yes" if item.required else "", allowed_values(item), item.description])
    return ["field", "type", "required", "allowed values", "description"], rows
