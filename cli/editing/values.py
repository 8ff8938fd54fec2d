"""Values as the user types them (an option, a prompt answer, a file given with
--from-file) turned into what the schema wants: numbers, booleans, dates, JSON objects,
whole records in YAML or JSON.
"""

from __future__ import annotations

import json
import re
from typing import Any

from dprk_records.errors import DataError, UsageError
from dprk_records.records.kinds import Field


def parse_scalar(item: Field, text: str, where: str) -> Any:
    """A command-line or prompt text as the value the schema wants (int, float, bool or str).

    An allowed value matches in any case and comes back as the schema spells it; a text
    that is none of them is a usage error saying which was meant (dprk_records.records.allowed).
    """
    if item.enum:
        from dprk_records.records.allowed import listing, not_allowed, spelled

        found = spelled(item, text)
        if found is None:
            raise UsageError(f"{where}: {not_allowed(item, text, listing(item.path))}")
        return found
    kind = item.type
    if kind == "integer":
        try:
            return int(text.strip())
        except ValueError:
            raise UsageError(f"{where}: {text!r} is not a whole number") from None
    if kind == "number":
        if re.fullmatch(r"\s*[-+]?[0-9]+\s*", text):
            return int(text.strip())  # exact, whatever its size
        try:
            number = float(text.strip())
        except ValueError:
            raise UsageError(f"{where}: {text!r} is not a number") from None
        if number != number or number in (float("inf"), float("-inf")):
            raise UsageError(f"{where}: {text!r} is not a finite number")
        return number
    if kind == "boolean":
        from dprk_records.records.allowed import boolean

        value = boolean(text)
        if value is None:
            raise UsageError(f"{where}: {text!r} is not true or false")
        return value
    if kind in ("object", "array"):
        return parse_json(text, where)
    if item.is_date:
        from dprk_records.records.dates import date_problem

        problem = date_problem(text)
        if problem:
            raise UsageError(f"{where}: {problem}")
    return text


def parse_value(item: Field, text: str, where: str) -> Any:
    """The value typed for a field at any depth (`--set`, `--append`): JSON for an object;
    for a list, JSON (`["JPN", "KOR"]`) or, for a list of codes, ids or tags, the values
    separated by commas (`JPN,KOR`); else one value as parse_scalar reads it. Allowed
    values match in any case, in JSON too."""
    from dprk_records.records.allowed import normalise

    if item.type == "object" or item.keys:
        return normalise(item, parse_json(text, where))
    if item.type == "array" and item.items is not None:
        element = item.items
        if text.lstrip().startswith("["):
            try:
                return normalise(item, parse_json(text, where))
            except UsageError:
                raise UsageError(f"{where}: {text!r} is not a JSON list", hint=list_hint(item)) from None
        if element.type == "object" or element.keys:
            return [normalise(element, parse_json(text, where))]
        if splits(element):
            return [parse_scalar(element, part.strip(), where) for part in text.split(",") if part.strip()]
        return [parse_scalar(element, text, where)]
    return parse_scalar(item, text, where)


def splits(element: Field) -> bool:
    """Whether a list's elements are words that never hold a comma (codes, ids, tags,
    numbers), so that `A,B` can name two of them."""
    return bool(
        element.enum
        or element.references
        or element.schema.get("pattern")
        or element.type in ("integer", "number", "boolean")
    )


def list_hint(item: Field) -> str:
    """What to type for a whole list, in words and by example."""
    element = item.items if item.items is not None else item
    if element.type == "object" or element.keys:
        return 'give a JSON list of objects, [{"key": "value"}, ...]'
    sample = [str(v) for v in (element.enum or [])[:2]] or ["a", "b"]
    if splits(element):
        return f"give the values separated by commas, {','.join(sample)}, or a JSON list, {json.dumps(sample)}"
    return f"give a JSON list, {json.dumps(sample)}"


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number a record can hold")


def _finite(text: str) -> float:
    number = float(text)
    if number in (float("inf"), float("-inf")):
        _no_constant(text)
    return number


def load_json(text: str) -> Any:
    """JSON as a record may hold it: no NaN or Infinity, finite numbers, at most 64 levels deep.

    Raises ValueError (json.JSONDecodeError for syntax) on anything else.
    """
    from dprk_records.records.yamlread import MAX_DEPTH

    try:
        value = json.loads(text, parse_constant=_no_constant, parse_float=_finite, object_pairs_hook=_unique_keys)
    except RecursionError:
        raise ValueError(f"nesting is deeper than {MAX_DEPTH} levels") from None
    if _depth(value) > MAX_DEPTH:
        raise ValueError(f"nesting is deeper than {MAX_DEPTH} levels")
    return value


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object, refusing a key given twice (as strict YAML does)."""
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key {key!r}; give each key once")
        result[key] = value
    return result


def _depth(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    return 0


def parse_json(text: str, where: str) -> Any:
    try:
        return load_json(text)
    except ValueError as exc:
        if not isinstance(exc, json.JSONDecodeError):
            raise UsageError(f"{where}: {exc}") from None
        raise UsageError(
            f"{where}: not valid JSON at column {exc.colno}: {exc.msg}",
            hint='quote the value, e.g. \'{"key": "value"}\'',
        ) from None


def parse_document(text: str, where: str) -> dict[str, Any]:
    """A record (or a set of fields) given as YAML or JSON text."""
    from dprk_records.records import yamlread

    stripped = text.lstrip()
    if stripped.startswith(("{", "[")) or where.endswith(".json"):
        try:
            value = load_json(text)
        except json.JSONDecodeError as exc:
            raise DataError(f"{where}:{exc.lineno}:{exc.colno}: not valid JSON: {exc.msg}") from None
        except ValueError as exc:
            raise DataError(f"{where}: {exc}") from None
        if not isinstance(value, dict):
            raise DataError(f"{where}: the top level must be a JSON object of fields")
        return value
    return yamlread.loads(text, where)


def read_document_text(name: str) -> str:
    """The text of a file given with --from-file."""
    from pathlib import Path

    from dprk_records.records import yamlread

    path = Path(name)
    if path.is_dir():
        raise UsageError(f"{name}: is a folder, not a file", hint="give a YAML or JSON file, or '-' for stdin")
    if not path.is_file():
        raise UsageError(
            f"{name}: no such file" if not path.exists() else f"{name}: not a regular file",
            hint="give a YAML or JSON file, or '-' for stdin",
        )
    return yamlread.decode(yamlread.read_bytes(path, name), name)
