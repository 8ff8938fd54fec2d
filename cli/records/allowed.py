"""Allowed values: the one place where what someone typed is matched against a field's
allowed values (the schema's `enum`), and where a value that is not allowed is explained.

The rule, the same for every way in (options, prompts, `--set`, `--append`, `--where`,
`--from-file`): an allowed value matches in any case (`usa` is `USA`, `icbm` is `ICBM`)
and is kept as the schema spells it. A record file must spell it exactly; `dprk
validate` says which value was meant. The names shown beside codes (`JPN (Japan)`) are
the field's `x-names`, kept once in schema/definitions.schema.json.
"""

from __future__ import annotations

from typing import Any

from dprk_records.records.kinds import Field
from dprk_records.records.suggest import did_you_mean, nearest

SHOW_ALL_UP_TO = 12  # a field with at most this many allowed values lists them in messages


def element(item: Field) -> Field:
    """The field whose values are checked: a list's element (innermost), else the field."""
    return item.leaf


def spelled(item: Field, text: str) -> Any:
    """The allowed value of `item` that `text` names, in any case, or None."""
    allowed = element(item).enum
    if not allowed:
        return None
    folded = text.strip().casefold()
    for value in allowed:
        if str(value).casefold() == folded:
            return value
    return None


def normalise(item: Field, value: Any) -> Any:
    """`value` with every text that names an allowed value in another case spelled as the
    schema spells it, at any depth (a list of codes, an object's fields). Anything else
    is left as it is, for the schema check to judge."""
    if isinstance(value, list):
        inner = item.items if item.items is not None else item
        return [normalise(inner, v) for v in value]
    if isinstance(value, dict):
        return {k: normalise(item.keys[k], v) if k in item.keys else v for k, v in value.items()}
    if isinstance(value, str) and item.enum:
        found = spelled(item, value)
        return value if found is None else found
    return value


def suggestion(item: Field, text: Any) -> list[str]:
    """The allowed values `text` most likely meant: a code by its name (`japan`, `Jap`),
    else by a typo (`JAP` -> `JPN`); none when nothing is near."""
    target = element(item)
    if not target.enum or not isinstance(text, str):
        return []
    folded = text.strip().casefold()
    names = target.names or {}
    if names and len(folded) >= 3:
        named = [code for code, name in names.items() if name.casefold() == folded]
        named = named or [code for code, name in names.items() if name.casefold().startswith(folded)]
        if 0 < len(named) <= 3:
            return named
    return nearest(text.strip(), [str(v) for v in target.enum])


def not_allowed(item: Field, value: Any, listing: str | None = None) -> str:
    """What is wrong with a value that is not one of the field's allowed values, and what
    to type instead. `listing` is the command that lists them all (for long lists)."""
    target = element(item)
    values = [str(v) for v in target.enum or []]
    close = did_you_mean(suggestion(item, value), target.names)
    if len(values) <= SHOW_ALL_UP_TO:
        message = f"{value!r} is not one of: {', '.join(values)}"
        return f"{message}; {close}" if close else message
    message = f"{value!r} is not an allowed value"
    if close:
        message += f"; {close}"
    if listing:
        what = "codes and their names" if target.names else "allowed values"
        message += f" (the {what}: '{listing}')"
    return message


def wrong_form(schema: dict[str, Any], value: Any) -> str:
    """What is wrong with a text that does not have the form a field's `pattern` asks for,
    in the field's own words: its `x-form` (`a web address (http:// or https://, no
    spaces)`), or for a date the words every date check uses."""
    if schema.get("x-role") == "date":
        from dprk_records.records.dates import date_problem

        return date_problem(value) or f"{value!r} is not a date"
    form = schema.get("x-form")
    if isinstance(form, str) and form:
        return f"{value!r} is not {form}"
    return f"{value!r} is not of the expected form (pattern {schema.get('pattern')})"


def listing(path: tuple[Any, ...]) -> str:
    """The command that lists the allowed values of the field at `path` (a pointer into a
    record: list indexes are left out), with the names of codes."""
    dotted = ".".join(str(part) for part in path if not isinstance(part, int))
    return f"dprk schema --values {dotted}"


# A boolean field's two values, as records hold them (strict YAML reads no other: no yes/no,
# no 1/0) and as every output writes them; typed text (options, prompts, --set, --where)
# may give them in any case, as it may an allowed value.
BOOLEANS = {"true": True, "false": False}


def boolean(text: str) -> bool | None:
    """Typed text as a boolean field's value: true or false, in any case; None when it is neither."""
    return BOOLEANS.get(text.strip().casefold())
