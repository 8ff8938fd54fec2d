"""Editing a record in $EDITOR: a template of the kind's fields, and the loop that reopens
the file with its problems as comments until it holds a valid record or is given up.
The command line passes in the callback that runs the editor (`edit`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dprk_records.editing.options import ENUM_CHOICES_MAX, example_json, scalar_field, shape
from dprk_records.editing.record import can_make_id
from dprk_records.editing.saving import check
from dprk_records.editing.values import parse_document
from dprk_records.errors import DataError, YamlError, one_line
from dprk_records.records import yamlread
from dprk_records.records.kinds import HEADER_PREFIX, Field, Kind
from dprk_records.records.repository import Repository

ERROR_PREFIX = "# ! "


def template(kind: Kind, data: dict[str, Any]) -> str:
    """A record to edit: the canonical text of the fields given, and a commented line for each field not given."""
    from dprk_records.records import yamlwrite

    lines = [kind.header, f"# A {kind.name}. Fill in the fields, save and close. Empty the file to give up."]
    for name, item in kind.fields.items():
        if name in data:
            lines.append(yamlwrite.dumps({name: data[name]}, kind.root).rstrip("\n"))
            continue
        status = "required" if item.required and not (name == kind.id_field and can_make_id(kind)) else "optional"
        allowed = _allowed(item)
        note = item.description
        if name == kind.id_field and can_make_id(kind):
            note += " Leave it empty to make it from the date and the title."
        lines.append(f"# {name} ({status}{'; ' + allowed if allowed else ''}): {note}".rstrip())
        how = shape(item)
        if how == "objects":
            example = item.example or example_json(item.items)
            lines.append(f"#   e.g. - {example}" if example else "")
        if item.required:
            lines.append(f"{name}:")
    return "\n".join(line for line in lines if line != "") + "\n"


def _allowed(item: Field) -> str:
    element = scalar_field(item)
    many = item.type == "array"
    if element.enum and len(element.enum) <= ENUM_CHOICES_MAX:
        return ("each one of: " if many else "one of: ") + ", ".join(map(str, element.enum))
    if element.names:
        codes = "ISO 3166-1 alpha-3 codes" if many else "an ISO 3166-1 alpha-3 code"
        return f"{codes}, listed by 'dprk schema --values {item.dotted}'"
    if element.references:
        return ("ids of a " if many else "the id of a ") + " or ".join(element.references)
    if element.is_date:
        return "YYYY, YYYY-MM or YYYY-MM-DD"
    return ""


def strip_errors(text: str) -> str:
    return "".join(line for line in text.splitlines(keepends=True) if not line.startswith(ERROR_PREFIX))


def with_errors(text: str, messages: list[str]) -> str:
    """`text` with `messages` as comment lines after its first line (the schema header)."""
    text = strip_errors(text)
    heading = "Not saved yet; fix these and save again (empty the file to give up):"
    block = "".join(f"{ERROR_PREFIX}{one_line(m)}\n" for m in [heading, *messages])  # each a comment of one line
    first, _, rest = text.partition("\n")
    if first.startswith(HEADER_PREFIX):
        return f"{first}\n{block}{rest}"
    return block + text


def drop_empty(data: dict[str, Any]) -> dict[str, Any]:
    """Top-level keys left empty in an edited file (`date:`) count as not given."""
    return {k: v for k, v in data.items() if v is not None}


Edit = Callable[[str], "str | None"]


def edit_until_valid(
    repo: Repository,
    kind: Kind,
    text: str,
    edit: Edit,
    finish: Callable[[dict[str, Any]], dict[str, Any]],
    extra: Callable[[dict[str, Any]], list[str]] | None = None,
    record_id: str | None = None,
) -> dict[str, Any] | None:
    """Open `text` in the editor until it holds a valid record; None when the user gives up.

    Giving up: closing without saving, emptying the file, or saving it unchanged
    while it still has problems. `finish` completes the parsed data (the id, say);
    `extra` adds problems of its own (an id already taken, say). Problems are shown as
    comments at the top of the file, each naming its line and column in the file as
    the editor shows it.
    """
    shown = text
    while True:
        result = edit(shown)
        if result is None or not strip_errors(result).strip() or _only_comments(result):
            return None
        edited = strip_errors(result)
        rel = f"records/{kind.folder}/<edited>.yaml"
        found: list[tuple[tuple[int, int] | None, str]] = []
        data = None
        try:
            data = finish(drop_empty(parse_document(edited, rel)))
        except YamlError as exc:
            found.append(((exc.line, exc.column or 1) if exc.line else None, exc.message))
        except DataError as exc:
            found.append((None, str(exc)))
        if data is not None:
            _, problems = check(repo, kind, data, record_id=record_id)
            for problem in problems:
                where = yamlread.locate(edited, problem.pointer) if problem.pointer else None
                found.append((where, f"{problem.json_path}: {problem.message}" if problem.pointer else problem.message))
            found += [(None, message) for message in (extra(data) if extra else [])]
            if not found:
                return data
        if edited == strip_errors(shown):
            return None
        shown = with_errors(result, _placed(edited, found))


def _placed(edited: str, found: list[tuple[tuple[int, int] | None, str]]) -> list[str]:
    """Messages naming the line and column each problem has in the file with the
    message block in it (the block goes after the header line, or on top)."""
    block = 1 + len(found)
    header = edited.startswith(HEADER_PREFIX)
    out = []
    for where, message in found:
        if where is None:
            out.append(message)
            continue
        line, column = where
        if not header or line > 1:
            line += block
        out.append(f"line {line}, column {column}: {message}")
    return out


def _only_comments(text: str) -> bool:
    return all(not line.strip() or line.lstrip().startswith("#") for line in text.splitlines())
