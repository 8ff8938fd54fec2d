"""Adding and updating records: the logic behind `dprk add` and `dprk update`.

Everything here is driven by the kind's schema: which options exist, how a value
given on the command line becomes a field value, which required fields are still
missing, how each prompt answer is checked. Nothing here imports click; the command
modules pass in small callbacks (`ask`, `confirm`, `edit`) for the interactive parts.

Add and update read only the records they reference (looked up by file name), never
the whole repository, so their cost does not grow with the number of records.

Conventions from the data model (DESIGN.md, "Data conventions") that the code relies
on: a record's id lives in the `id` field and is its file name; an id is made from the
`date` field and a slug of the `title` field.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from cli.errors import DataError, UsageError, YamlError
from cli.kinds import HEADER_PREFIX, Field, Kind, values_at
from cli.repository import RecordFile, Repository, check_id_text

SLUG_MAX = 50  # characters of title slug kept in a made-up id
ENUM_CHOICES_MAX = 20  # larger enums (state codes) are checked, not listed, in help and prompts

ERROR_PREFIX = "# ! "


# --- command-line options, from the schema -------------------------------------------------


@dataclass
class OptionSpec:
    """One generated command-line option for a top-level field."""

    field: Field
    flags: list[str]  # e.g. ["--source", "--sources"]
    param: str  # the keyword the value arrives under
    multiple: bool
    choices: list[str] | None
    metavar: str
    help: str

    @property
    def name(self) -> str:
        return self.field.name


def option_flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def singular(name: str) -> str | None:
    """A singular form of a plural field name, for an option alias (`sources` -> `source`)."""
    if name.endswith("ies") and len(name) > 4:
        return name[:-3] + "y"
    if name.endswith(("ches", "shes", "sses", "xes")):
        return name[:-2]
    if name.endswith("s") and not name.endswith("ss") and len(name) > 2:
        return name[:-1]
    return None


def shape(item: Field) -> str:
    """How a field is given on the command line: scalar, list (of scalars), objects (list of objects) or object."""
    if item.type == "array":
        element = item.items
        if element is not None and (element.type == "object" or element.keys):
            return "objects"
        return "list"
    if item.type == "object" or item.keys:
        return "object"
    return "scalar"


def _scalar_of(item: Field) -> Field:
    return item.items if item.type == "array" and item.items is not None else item


def option_specs(kind: Kind, reserved: Iterable[str] = (), skip: Iterable[str] = ()) -> list[OptionSpec]:
    """One option per top-level field of `kind`, in schema order.

    `reserved` are flags the command already uses (a field whose flag would clash
    gets `--field-NAME` instead); `skip` are fields that get no option.
    """
    taken = set(reserved)
    skipped = set(skip)
    fields = kind.fields
    specs: list[OptionSpec] = []
    for name, item in fields.items():
        if name in skipped:
            continue
        how = shape(item)
        flag = option_flag(name)
        if flag in taken:
            flag = option_flag("field_" + name)
        flags = [flag]
        single = singular(name)
        if how in ("objects", "list") and single and single not in fields and option_flag(single) not in taken:
            alias = option_flag(single)
            flags = [alias, flag] if how == "objects" else [flag, alias]
        taken.update(flags)
        element = _scalar_of(item)
        choices = [str(v) for v in element.enum] if element.enum and len(element.enum) <= ENUM_CHOICES_MAX and how != "objects" else None
        specs.append(OptionSpec(item, flags, f"field__{len(specs)}", how in ("objects", "list"), choices, _metavar(item, how),
                                 option_help(item, how, made_id=name == kind.id_field and can_make_id(kind))))
    return specs


def _metavar(item: Field, how: str) -> str:
    if how in ("objects", "object"):
        return "JSON"
    element = _scalar_of(item)
    if element.names:
        return "CODE"
    if element.references:
        return "ID"
    if element.is_date:
        return "DATE"
    return {"integer": "INT", "number": "NUMBER", "boolean": "BOOL"}.get(element.type, "TEXT")


def option_help(item: Field, how: str, made_id: bool = False) -> str:
    parts = [item.description.rstrip(".") + "." if item.description else ""]
    element = _scalar_of(item)
    if element.names:
        parts.append("An ISO 3166-1 alpha-3 code (see 'dprk schema').")
    if element.references:
        parts.append("The id of a " + " or ".join(element.references) + ".")
    if how == "list":
        parts.append("Repeat the option for each value.")
    elif how == "objects":
        parts.append("One JSON object per option; repeat it for each.")
        example = item.example or _example(item.items)
        if example:
            parts.append(f"Example: '{example}'.")
    elif how == "object":
        example = _example(item)
        parts.append(f"A JSON object, e.g. '{example}'." if example else "A JSON object.")
    if made_id:
        parts.append("Default: the date and a slug of the title.")
    elif item.required:
        parts.append("Required.")
    return " ".join(p for p in parts if p)


def _example(item: Field | None) -> str | None:
    """A JSON example for an object field that has no x-example: its keys with placeholder values."""
    if item is None or not item.keys:
        return None
    sample: dict[str, Any] = {}
    for name, child in item.keys.items():
        if not child.required and len(sample) >= 2:
            continue
        element = _scalar_of(child)
        if element.enum:
            value: Any = element.enum[0]
        elif element.is_date:
            value = "2023-11-21"
        elif element.type in ("integer", "number"):
            value = 1
        elif element.type == "boolean":
            value = True
        else:
            value = "..."
        sample[name] = [value] if child.type == "array" else value
    return json.dumps(sample, ensure_ascii=False)


# --- values ------------------------------------------------------------------------


def parse_scalar(item: Field, text: str, where: str) -> Any:
    """A command-line or prompt text as the value the schema wants (int, float, bool or str)."""
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
        lowered = text.strip().lower()
        if lowered in ("true", "yes", "y", "1"):
            return True
        if lowered in ("false", "no", "n", "0"):
            return False
        raise UsageError(f"{where}: {text!r} is not true or false")
    if kind in ("object", "array"):
        return parse_json(text, where)
    if item.is_date:
        from cli.dates import date_span

        if date_span(text) is None:
            raise UsageError(f"{where}: {text!r} is not a date", hint="use YYYY, YYYY-MM or YYYY-MM-DD, on the calendar")
    return text


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
    from cli.yamlio import MAX_DEPTH

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
        raise UsageError(f"{where}: not valid JSON at column {exc.colno}: {exc.msg}", hint="quote the value, e.g. '{\"key\": \"value\"}'") from None


def option_value(spec: OptionSpec, raw: Any) -> Any:
    """The field value of one option as given (a string, or a tuple of strings when repeatable)."""
    item = spec.field
    flag = spec.flags[0]
    how = shape(item)
    if how == "scalar":
        return parse_scalar(item, raw, flag)
    if how == "object":
        value = parse_json(raw, flag)
        if not isinstance(value, dict):
            raise UsageError(f"{flag}: expected a JSON object {{...}}, got {type(value).__name__}")
        return value
    if how == "list":
        return [parse_scalar(item.items or item, text, flag) for text in raw]
    out: list[Any] = []
    for text in raw:
        value = parse_json(text, flag)
        elements = value if isinstance(value, list) else [value]
        for element in elements:
            if not isinstance(element, dict):
                raise UsageError(f"{flag}: expected a JSON object {{...}} per option, got {type(element).__name__}")
            out.append(element)
    return out


def values_from_options(specs: list[OptionSpec], params: dict[str, Any]) -> dict[str, Any]:
    """Field values for the options that were given (an option not given is left out)."""
    values: dict[str, Any] = {}
    for spec in specs:
        raw = params.get(spec.param)
        if raw is None or (spec.multiple and not raw):
            continue
        values[spec.name] = option_value(spec, raw)
        if spec.field.role == "id" and isinstance(values[spec.name], str):
            check_id_text(values[spec.name])  # `--id ../x` is a usage error before anything else
    return values


def ordered(kind: Kind, data: dict[str, Any]) -> dict[str, Any]:
    """`data` with top-level keys in schema order (unknown keys last, for validation to name)."""
    known = [k for k in kind.fields if k in data]
    return {k: data[k] for k in known + [k for k in data if k not in kind.fields]}


def field_name(kind: Kind, name: str) -> str:
    """A top-level field named as on the command line (`requested-by`, `--requested-by`) -> `requested_by`."""
    key = name.lstrip("-").replace("-", "_")
    if key in kind.fields:
        return key
    for spec in option_specs(kind):
        if "--" + name.lstrip("-") in spec.flags:
            return spec.name
    raise UsageError(f"{kind.name} has no field {name!r}", hint="fields are: " + ", ".join(kind.fields))


# --- ids ---------------------------------------------------------------------------


def slugify(text: str, limit: int = SLUG_MAX) -> str:
    """Lowercase ASCII words joined by hyphens, cut at a word boundary within `limit` characters."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    words = re.findall(r"[a-z0-9]+", plain)
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > limit:
            break
        slug = candidate
    if not slug and words:
        slug = words[0][:limit]
    return slug


def make_id(kind: Kind, data: dict[str, Any]) -> str | None:
    """The id made from the record's date and a slug of its title, or None when they are missing."""
    date, title = data.get(kind.role_field("date")), data.get(kind.role_field("title"))
    if not isinstance(date, str) or not isinstance(title, str):
        return None
    slug = slugify(title)
    if not slug:
        return None
    return f"{date}-{slug}"


def can_make_id(kind: Kind) -> bool:
    return kind.role_field("date") is not None and kind.role_field("title") is not None


def with_id(kind: Kind, data: dict[str, Any], strict: bool = False) -> dict[str, Any]:
    """`data` with its id filled in from date and title when it has none.

    With `strict`, a title that gives no slug (no letters or digits) is a usage error.
    """
    if data.get(kind.id_field) in (None, "") and can_make_id(kind):
        made = make_id(kind, data)
        title = data.get(kind.role_field("title") or "")
        if made is None and strict and isinstance(title, str) and isinstance(data.get(kind.role_field("date") or ""), str):
            raise UsageError(f"the title {title!r} has no letters or digits to make an id from", hint="give --id")
        if made is not None:
            data = dict(data)
            data[kind.id_field] = made
    return ordered(kind, data)


def fields_to_ask(kind: Kind, data: dict[str, Any], specs: list[OptionSpec], *, may_prompt: bool,
                  from_file: str | None = None) -> list[Field]:
    """Required fields still missing, to be asked for, when asking is allowed.

    Otherwise an error naming them: invalid data (DataError, exit 1) when the record came
    from a file (`from_file`, its name), a usage error (exit 2) when options are missing.
    """
    needed = missing(kind, data)
    if needed and not may_prompt:
        if from_file is not None:
            names = ", ".join(item.name for item in needed)
            raise DataError(f"{from_file}: the {kind.name} lacks required fields: {names}",
                            hint="add them to the file, or give them as options")
        raise UsageError(f"a {kind.name} needs {describe_missing(needed, specs)}",
                         hint="give them as options, or use --from-file or --edit, or run in a terminal to be asked")
    return needed


def missing(kind: Kind, data: dict[str, Any]) -> list[Field]:
    """Required top-level fields not yet given (the id only when it cannot be made)."""
    out = []
    for name in kind.required:
        if name in data and data[name] not in (None, "", [], {}):
            continue
        if name == kind.id_field and can_make_id(kind):
            continue
        item = kind.fields.get(name)
        if item is not None:
            out.append(item)
    return out


def describe_missing(fields: list[Field], specs: list[OptionSpec]) -> str:
    flags = {spec.name: spec.flags[0] for spec in specs}
    return ", ".join(flags.get(item.name, item.name) for item in fields)


# --- reading a whole record from a file ----------------------------------------------


def parse_document(text: str, where: str) -> dict[str, Any]:
    """A record (or a set of fields) given as YAML or JSON text."""
    from cli import yamlio

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
    return yamlio.loads(text, where)


def read_document_text(name: str) -> str:
    """The text of a file given with --from-file."""
    from pathlib import Path

    from cli import yamlio

    path = Path(name)
    if path.is_dir():
        raise UsageError(f"{name}: is a folder, not a file", hint="give a YAML or JSON file, or '-' for stdin")
    if not path.is_file():
        raise UsageError(f"{name}: no such file" if not path.exists() else f"{name}: not a regular file",
                         hint="give a YAML or JSON file, or '-' for stdin")
    return yamlio.decode(yamlio.read_bytes(path, name), name)


# --- checking ------------------------------------------------------------------------


def record_rel(repo: Repository, kind: Kind, record_id: Any) -> str:
    if isinstance(record_id, str) and record_id:
        try:
            return repo.record_file(kind, _safe_id(record_id)).rel
        except UsageError:
            pass
    return f"records/{kind.folder}/<id>.yaml"


def _safe_id(record_id: str) -> str:
    from cli.repository import check_id_text

    check_id_text(record_id)
    return record_id


def check(repo: Repository, kind: Kind, data: dict[str, Any], record_id: str | None = None) -> tuple[str, list[Any]]:
    """The canonical text of `data` and every problem with it: schema, dates, id, references.

    References are checked by looking up only the ids referenced, by file name.
    Problems carry the file path (of `record_id`, else of the record's own id) and
    positions in the canonical text.
    """
    from cli.validation import Problem, check_data, problem_at, reference_problem

    if record_id is None:
        record_id = data.get(kind.id_field)
    rel = record_rel(repo, kind, record_id)
    try:
        text = repo.render(kind, data)
    except (ValueError, TypeError) as exc:
        raise DataError(f"{rel}: {exc}") from None
    expected = record_id if isinstance(record_id, str) and "<id>" not in rel else None
    problems: list[Problem] = check_data(kind, rel, data, text, expected)
    for ref_field in kind.reference_fields:
        wanted = ref_field.references or []
        for pointer, value in values_at(data, ref_field.path):
            if not isinstance(value, str):
                continue
            try:
                found = repo.find_record(value)
            except UsageError:
                continue  # not an id at all: the schema check has said so
            message = reference_problem(value, wanted, [found.kind] if found is not None else None, lambda: ())
            if message:
                problems.append(problem_at(rel, text, pointer, message, "reference"))
    problems.sort(key=lambda p: (p.line or 0, p.column or 0))
    return text, problems


def existing(repo: Repository, record_id: Any) -> RecordFile | None:
    """The record already holding this id, in any kind (looked up by file name)."""
    if not isinstance(record_id, str) or not record_id:
        return None
    try:
        return repo.find_record(record_id)
    except UsageError:
        return None


def refuse_existing(repo: Repository, record_id: Any) -> None:
    found = existing(repo, record_id)
    if found is not None:
        raise DataError(f"{found.rel} already exists; records are never overwritten", hint=f"choose another --id, or change it with 'dprk update {record_id}'")


# --- prompting -----------------------------------------------------------------------


@dataclass
class Question:
    """One prompt: a field (or a key of a list element) to ask for, and how to check the answer."""

    kind: Kind
    field: Field
    label: str  # e.g. "category", "sources[1].publisher"
    pointer: tuple[Any, ...]  # where the answer goes in the record
    required: bool
    context: dict[str, Any] = field(default_factory=dict)  # the record so far, for checking

    @property
    def help(self) -> str:
        return self.field.description

    @property
    def choices(self) -> list[str] | None:
        element = _scalar_of(self.field)
        if element.enum and len(element.enum) <= ENUM_CHOICES_MAX:
            return [str(v) for v in element.enum]
        return None

    @property
    def is_list(self) -> bool:
        return self.field.type == "array"

    def parse(self, text: str) -> Any:
        """The answer as a field value, checked against the schema; UsageError says what is wrong."""
        text = text.strip()
        if not text:
            if self.required:
                raise UsageError("a value is required")
            return None
        choices = self.choices
        if self.is_list and shape(self.field) == "list":
            parts = [p.strip() for p in re.split(r"[,\s]+" if _scalar_of(self.field).enum else r",", text) if p.strip()]
            value: Any = [self._one(p, choices) for p in parts]
        elif shape(self.field) in ("object", "objects"):
            value = parse_json(text, self.label)
        else:
            value = self._one(text, choices)
        problems = answer_problems(self.kind, self.context, self.pointer, value)
        if problems:
            raise UsageError("; ".join(problems))
        return value

    def _one(self, text: str, choices: list[str] | None) -> Any:
        element = _scalar_of(self.field)
        if choices and text.isdigit() and 1 <= int(text) <= len(choices):
            text = choices[int(text) - 1]
        if element.enum and text not in [str(v) for v in element.enum]:
            upper = text.upper()
            if upper in [str(v) for v in element.enum]:
                text = upper
        return parse_scalar(element, text, self.label)


def _set(data: Any, pointer: tuple[Any, ...], value: Any) -> None:
    node = data
    for part in pointer[:-1]:
        node = node[part]
    node[pointer[-1]] = value


def answer_problems(kind: Kind, context: dict[str, Any], pointer: tuple[Any, ...], value: Any) -> list[str]:
    """What the schema (and the calendar) says against `value` at `pointer`, ignoring the rest of the record."""
    import copy

    from cli.validation import schema_problems

    probe = copy.deepcopy(context)
    _set(probe, pointer, value)
    messages = []
    for error in kind.validator.iter_errors(probe):
        path = tuple(error.absolute_path)
        if path[: len(pointer)] == pointer:
            messages.extend(problem.message for problem in schema_problems(kind, "", error, None)
                            if problem.message not in messages)
    if messages:
        return messages
    from cli.dates import calendar_problems

    messages.extend(message for where, message in calendar_problems(kind, probe) if where[: len(pointer)] == pointer)
    return messages


Ask = Callable[[Question], Any]
Confirm = Callable[[str], bool]


def prompt_missing(kind: Kind, data: dict[str, Any], ask: Ask, confirm: Confirm) -> dict[str, Any]:
    """Ask for every missing required field, in schema order, and return the completed data.

    A list of objects (sources, say) is asked element by element, key by key: the
    element's required keys must be answered, the others may be left empty.
    """
    data = dict(data)
    for item in missing(kind, data):
        how = shape(item)
        if how in ("objects", "object"):
            element_field = item.items if how == "objects" and item.items is not None else item
            elements: list[dict[str, Any]] = []
            while True:
                pointer: tuple[Any, ...] = (item.name, len(elements)) if how == "objects" else (item.name,)
                element: dict[str, Any] = {}
                context = dict(data)
                context[item.name] = elements + [element] if how == "objects" else element
                for key, child in element_field.keys.items():
                    label = f"{item.name}[{len(elements) + 1}].{key}" if how == "objects" else f"{item.name}.{key}"
                    answer = ask(Question(kind, child, label, pointer + (key,), child.required, context))
                    if answer is not None:
                        element[key] = answer
                if how == "object":
                    data[item.name] = element
                    break
                elements.append(element)
                if not confirm(f"Add another {singular(item.name) or item.name}?"):
                    break
            if how == "objects":
                data[item.name] = elements
        else:
            answer = ask(Question(kind, item, item.name, (item.name,), True, dict(data)))
            if answer is not None:
                data[item.name] = answer
    return with_id(kind, data)


# --- editing in $EDITOR ------------------------------------------------------------------


def template(kind: Kind, data: dict[str, Any]) -> str:
    """A record to edit: the canonical text of the fields given, and a commented line for each field not given."""
    from cli import yamlio

    lines = [kind.header, f"# A {kind.name}. Fill in the fields, save and close. Empty the file to give up."]
    for name, item in kind.fields.items():
        if name in data:
            lines.append(yamlio.dumps({name: data[name]}, kind.root).rstrip("\n"))
            continue
        status = "required" if item.required and not (name == kind.id_field and can_make_id(kind)) else "optional"
        allowed = _allowed(item)
        note = item.description
        if name == kind.id_field and can_make_id(kind):
            note += " Leave it empty to make it from the date and the title."
        lines.append(f"# {name} ({status}{'; ' + allowed if allowed else ''}): {note}".rstrip())
        how = shape(item)
        if how == "objects":
            example = item.example or _example(item.items)
            lines.append(f"#   e.g. - {example}" if example else "")
        if item.required:
            lines.append(f"{name}:")
    return "\n".join(line for line in lines if line != "") + "\n"


def _allowed(item: Field) -> str:
    element = _scalar_of(item)
    many = item.type == "array"
    if element.enum and len(element.enum) <= ENUM_CHOICES_MAX:
        return ("each one of: " if many else "one of: ") + ", ".join(map(str, element.enum))
    if element.names:
        return "ISO 3166-1 alpha-3 codes" if many else "an ISO 3166-1 alpha-3 code"
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
    block = "".join(f"{ERROR_PREFIX}{m}\n" for m in ["Not saved yet; fix these and save again (empty the file to give up):", *messages])
    first, _, rest = text.partition("\n")
    if first.startswith(HEADER_PREFIX):
        return f"{first}\n{block}{rest}"
    return block + text


def drop_empty(data: dict[str, Any]) -> dict[str, Any]:
    """Top-level keys left empty in an edited file (`date:`) count as not given."""
    return {k: v for k, v in data.items() if v is not None}


Edit = Callable[[str], "str | None"]


def edit_until_valid(repo: Repository, kind: Kind, text: str, edit: Edit, finish: Callable[[dict[str, Any]], dict[str, Any]],
                     extra: Callable[[dict[str, Any]], list[str]] | None = None, record_id: str | None = None) -> dict[str, Any] | None:
    """Open `text` in the editor until it holds a valid record; None when the user gives up.

    Giving up: closing without saving, emptying the file, or saving it unchanged
    while it still has problems. `finish` completes the parsed data (the id, say);
    `extra` adds problems of its own (an id already taken, say).
    """
    shown = text
    while True:
        result = edit(shown)
        if result is None or not strip_errors(result).strip() or _only_comments(result):
            return None
        rel = f"records/{kind.folder}/<edited>.yaml"
        try:
            data = finish(drop_empty(parse_document(strip_errors(result), rel)))
        except YamlError as exc:
            messages = [str(exc)]
            data = None
        except DataError as exc:
            messages = [str(exc)]
            data = None
        if data is not None:
            _, problems = check(repo, kind, data, record_id=record_id)
            messages = [str(p) for p in problems] + (extra(data) if extra else [])
            if not messages:
                return data
        if strip_errors(result) == strip_errors(shown):
            return None
        shown = with_errors(result, messages)


def _only_comments(text: str) -> bool:
    return all(not line.strip() or line.lstrip().startswith("#") for line in text.splitlines())


# --- updating --------------------------------------------------------------------------


def merge(kind: Kind, old: dict[str, Any], changes: dict[str, Any], unset: Iterable[str] = ()) -> dict[str, Any]:
    """`old` with `changes` applied field by field (a value of None removes the field), then `unset` removed."""
    new = dict(old)
    for name, value in changes.items():
        if value is None:
            new.pop(name, None)
        else:
            new[name] = value
    for name in unset:
        new.pop(field_name(kind, name), None)
    return ordered(kind, new)


def check_unset(kind: Kind, changes: dict[str, Any], unset: Iterable[str]) -> None:
    """A field may be set or unset in one command, not both."""
    for name in unset:
        key = field_name(kind, name)
        if changes.get(key) is not None:
            raise UsageError(f"--unset {name} and a new value for {key} were both given", hint="give one or the other")


# --- the add and update flows, minus the interactive parts -------------------------------


def given(kind: Kind, specs: list[OptionSpec], params: dict[str, Any], document: dict[str, Any] | None) -> dict[str, Any]:
    """The fields given: a document from --from-file, overridden by options."""
    data = dict(document or {})
    data.update(values_from_options(specs, params))
    return data


def id_taken(repo: Repository, kind: Kind, data: dict[str, Any]) -> list[str]:
    """A message when the record's id is already used by a record of any kind."""
    found = existing(repo, data.get(kind.id_field))
    if found is None:
        return []
    return [f"{found.rel}: id {data.get(kind.id_field)!r} is already taken; choose another id"]


def check_new(repo: Repository, kind: Kind, data: dict[str, Any]) -> tuple[str, list[Any]]:
    """Refuse an id already taken, then check the new record (see `check`)."""
    refuse_existing(repo, data.get(kind.id_field))
    return check(repo, kind, data)


def write_new(repo: Repository, kind: Kind, data: dict[str, Any], text: str) -> RecordFile:
    """Write a new record; fails (DataError) if its file appeared meanwhile, and never replaces one."""
    from cli.repository import atomic_write

    record = repo.record_file(kind, _safe_id(data[kind.id_field]))
    atomic_write(record.path, text, exclusive=True)
    return record


def check_update(repo: Repository, record: RecordFile, data: dict[str, Any]) -> tuple[str, list[Any]]:
    return check(repo, record.kind, data, record_id=record.id)


class Invalid(DataError):
    """The record has problems; nothing was written. `problems` are as `dprk validate` prints them."""

    def __init__(self, problems: list[Any]):
        count = len(problems)
        super().__init__(f"{count} problem{'s' if count != 1 else ''}; nothing written")
        self.problems = problems


class Changed(DataError):
    """The record file changed after the command read it (another writer); nothing was written."""

    def __init__(self, record: RecordFile):
        super().__init__(f"{record.rel} changed after it was read (another command wrote it); nothing written",
                         hint="run the command again")
        self.record = record


@dataclass
class Saved:
    """What `save_new` or `save_update` did: the canonical text, the field changes (for an
    update), and unless a dry run, the record file written and the commit made (with its
    message). `text` is None when an update changed nothing."""

    text: str | None
    record: RecordFile | None = None
    commit: str | None = None
    message: str | None = None
    changes: list[Any] = field(default_factory=list)


def _locked(repo: Repository, dry_run: bool) -> Any:
    import contextlib

    return contextlib.nullcontext() if dry_run else repo.write_lock()


def save_new(repo: Repository, kind: Kind, data: dict[str, Any], *, dry_run: bool = False, commit: bool = False) -> Saved:
    """Check a new record and write it, then commit it if asked.

    Under the repository's write lock, the id is checked free in every kind folder and
    the file is created (never replacing one) in one step, so two adds of one id, even
    of different kinds, never both succeed.
    """
    commit = commit and not dry_run
    if commit:
        from cli.history import check_can_commit

        check_can_commit(repo.root, repo.records_dir)
    with _locked(repo, dry_run):
        text, problems = check_new(repo, kind, data)
        if problems:
            raise Invalid(problems)
        if dry_run:
            return Saved(text)
        record = write_new(repo, kind, data, text)
    return _commit(repo, Saved(text, record), commit, "Add")


def save_update(repo: Repository, record: RecordFile, apply: Callable[[dict[str, Any]], dict[str, Any]], *,
                base: bytes | None = None, dry_run: bool = False, commit: bool = False) -> Saved:
    """Apply a change to the record as it is on disk now, check it, and replace the file.

    `apply` makes the new data from the current data. Reading, applying, checking and
    writing happen under the repository's write lock, so a change made meanwhile by
    another command is never lost: this one is applied on top of it. With `base` (the
    bytes the caller read before a long pause, such as an editor session), the file is
    replaced only if it still holds exactly those bytes; otherwise Changed is raised and
    nothing is written.
    """
    from cli import yamlio
    from cli.recorddiff import compare

    commit = commit and not dry_run
    if commit:
        from cli.history import check_can_commit

        check_can_commit(repo.root, record.path)
    with _locked(repo, dry_run):
        raw = repo.read_bytes(record)
        if base is not None and raw != base:
            raise Changed(record)
        old = yamlio.loads(yamlio.decode(raw, record.rel), record.rel)
        new = apply(old)
        changes = compare(record.kind, old, new)
        if not changes:
            return Saved(None, changes=[])
        text, problems = check_update(repo, record, new)
        if problems:
            raise Invalid(problems)
        if dry_run:
            return Saved(text, changes=changes)
        from cli.repository import atomic_write

        atomic_write(record.path, text, exclusive=False)
    return _commit(repo, Saved(text, record, changes=changes), commit, "Update")


def _commit(repo: Repository, saved: Saved, commit: bool, verb: str) -> Saved:
    if commit and saved.record is not None:
        from cli.history import commit_file

        saved.message = f"{verb} {saved.record.kind.name} {saved.record.id}"
        saved.commit = commit_file(repo.root, saved.record.path, saved.message)
    return saved


def keep_unsaved(repo: Repository, record: RecordFile, text: str) -> str:
    """Keep text that could not be saved (the record changed under the editor) in the
    repository's own folder, .dprk-cache/unsaved/; returns its path relative to the root."""
    import time

    folder = repo.private_folder("unsaved")
    if folder is None:
        raise DataError(f"{record.rel} changed while it was being edited; nothing written, and the edited text could not be kept "
                        f"({repo.rel(repo.root / '.dprk-cache')} is not a folder of this repository)")
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
    for n in range(1000):
        path = folder / f"{record.id}-{stamp}{'-' + str(n) if n else ''}.yaml"
        try:
            with open(path, "x", encoding="utf-8", newline="\n") as handle:
                handle.write(text)
            return repo.rel(path)
        except FileExistsError:
            continue
    raise DataError(f"cannot keep the edited text of {record.rel} in {repo.rel(folder)}")
