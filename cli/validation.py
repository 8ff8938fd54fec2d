"""Checking records: strict YAML, the kind's schema, and checks across records.

Every finding is a Problem with the file, the line and column of the offending node,
its JSON path and a plain message. Checks (the `check` names in JSON output):

- yaml: the file is not strict YAML (syntax, duplicate keys, anchors, tags, encoding)
- file: the path is not a readable record file (wrong place, symlink out, directory)
- schema: the record breaks its kind's schema
- date: a full date that is not on the calendar (2023-02-30)
- id: the `id` field differs from the file name
- kind: the file's `$schema` header names another kind than its folder
- unique-id: the same id is used by records of two kinds
- reference: a referenced id does not exist, or is of the wrong kind
- unique-symbol: two records share a document symbol
"""

from __future__ import annotations

import datetime
import difflib
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator

from cli import yamlio
from cli.errors import UsageError, YamlError
from cli.kinds import Kind, values_at
from cli.repository import RecordFile, Repository, Stray, check_id_text

_HEADER = re.compile(r"^#\s*yaml-language-server:\s*\$schema=(\S+)")


@dataclass
class Problem:
    path: str
    line: int | None
    column: int | None
    pointer: tuple[Any, ...]
    message: str
    check: str

    @property
    def json_path(self) -> str:
        return json_path(self.pointer)

    def __str__(self) -> str:
        where = self.path
        if self.line is not None:
            where += f":{self.line}:{self.column or 1}"
        if self.pointer:
            return f"{where}: {self.json_path}: {self.message}"
        return f"{where}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["pointer"] = json_pointer(self.pointer)
        data["json_path"] = self.json_path
        return data


@dataclass
class Report:
    problems: list[Problem] = field(default_factory=list)
    checked: int = 0

    @property
    def files_with_problems(self) -> int:
        return len({p.path for p in self.problems})

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        records = "record" if self.checked == 1 else "records"
        problems = "problem" if len(self.problems) == 1 else "problems"
        files = "file" if self.files_with_problems == 1 else "files"
        return f"{self.checked} {records} checked, {len(self.problems)} {problems} in {self.files_with_problems} {files}"


def json_path(pointer: Iterable[Any]) -> str:
    out = "$"
    for part in pointer:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", str(part)) else f"[{str(part)!r}]")
    return out


def json_pointer(pointer: Iterable[Any]) -> str:
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in pointer)


# --- one record ---------------------------------------------------------------------


@dataclass
class Checked:
    """One record file after its own checks: its data (None if unreadable) and problems."""

    record: RecordFile
    data: dict[str, Any] | None
    problems: list[Problem]
    text: str | None = None


def check_record_text(kind: Kind, rel: str, text: str, expected_id: str | None = None) -> tuple[dict[str, Any] | None, list[Problem]]:
    """Parse and check one record's text on its own (no cross-record checks)."""
    try:
        data = yamlio.loads(text, rel)
    except YamlError as exc:
        return None, [Problem(rel, exc.line, exc.column, (), exc.message, "yaml")]
    return data, check_data(kind, rel, data, text, expected_id)


def check_data(kind: Kind, rel: str, data: dict[str, Any], text: str | None = None, expected_id: str | None = None) -> list[Problem]:
    """Schema, date, id and header checks of one parsed record."""
    problems: list[Problem] = []
    for error in kind.validator.iter_errors(data):
        problems.extend(_schema_problems(kind, rel, error, text))
    for date_field in kind.date_fields:
        for pointer, value in values_at(data, date_field.path):
            if isinstance(value, str) and len(value) == 10 and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
                try:
                    datetime.date.fromisoformat(value)
                except ValueError:
                    problems.append(_problem(rel, text, pointer, f"{value!r} is not a day on the calendar", "date"))
    if expected_id is not None and isinstance(data.get("id"), str) and data["id"] != expected_id:
        problems.append(_problem(rel, text, ("id",), f"id {data['id']!r} differs from the file name {expected_id + '.yaml'!r}; rename the file or fix the id", "id"))
    if text is not None:
        match = _HEADER.match(text)
        if match:
            declared = Path(match.group(1)).name
            if declared != kind.file.name:
                problems.append(Problem(rel, 1, 1, (), f"the header names schema {declared} but the file is in records/{kind.folder}/ ({kind.file.name}); move the file to the folder of its kind", "kind"))
    return problems


def _problem(rel: str, text: str | None, pointer: tuple[Any, ...], message: str, check: str, key: str | None = None) -> Problem:
    """A problem at `pointer`; with `key`, positioned at that key of the mapping at `pointer`."""
    position = yamlio.locate(text, pointer, key) if text is not None else None
    if key is not None:
        pointer = pointer + (key,)
    line, column = position if position else (None, None)
    return Problem(rel, line, column, pointer, message, check)


def _schema_problems(kind: Kind, rel: str, error: Any, text: str | None) -> list[Problem]:
    pointer = tuple(error.absolute_path)
    validator = error.validator
    if validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = list((error.schema.get("properties") or {}).keys())
        out = []
        for extra in error.instance:
            if extra in allowed:
                continue
            close = difflib.get_close_matches(str(extra), allowed, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f"; allowed here: {', '.join(allowed)}"
            out.append(_problem(rel, text, pointer, f"unknown field {extra!r}{hint}", "schema", key=extra))
        return out
    if validator == "required":
        return [_problem(rel, text, pointer, error.message.replace("is a required property", "is required but missing"), "schema")]
    if validator == "enum":
        values = error.validator_value
        if len(values) <= 12:
            message = f"{error.instance!r} is not one of: {', '.join(map(str, values))}"
        else:
            message = f"{error.instance!r} is not an allowed value (see 'dprk schema {kind.name}')"
        return [_problem(rel, text, pointer, message, "schema")]
    if validator == "pattern":
        description = error.schema.get("description")
        message = f"{error.instance!r} is not of the expected form"
        message += f": {description}" if description else f" (pattern {error.validator_value})"
        return [_problem(rel, text, pointer, message, "schema")]
    return [_problem(rel, text, pointer, error.message, "schema")]


# --- the repository -------------------------------------------------------------------


def check_file(repo: Repository, record: RecordFile) -> Checked:
    try:
        text = repo.read_text(record)
    except YamlError as exc:
        return Checked(record, None, [Problem(record.rel, exc.line, exc.column, (), exc.message, "yaml")])
    data, problems = check_record_text(record.kind, record.rel, text, record.id)
    return Checked(record, data, problems, text)


def resolve_paths(repo: Repository, paths: Iterable[str]) -> list[RecordFile | Stray]:
    """Record files named on the command line (files or folders), relative to the cwd."""
    chosen: list[RecordFile | Stray] = []
    root = repo.root.resolve()
    for raw in paths:
        path = Path(raw)
        absolute = Path.cwd() / path if not path.is_absolute() else path
        if not absolute.exists() and not absolute.is_symlink():
            raise UsageError(f"{raw}: no such file or folder")
        normal = Path(*_normalise(absolute.parts))
        try:
            normal.relative_to(root)
        except ValueError:
            raise UsageError(f"{raw}: outside the repository at {root}", hint="name files under records/") from None
        if normal.is_dir() and not normal.is_symlink():
            rel = repo.rel(normal)
            if rel in (".", ""):
                chosen.extend(repo.scan())
            elif rel == "records":
                chosen.extend(repo.scan())
            else:
                kind = repo.schemas.by_folder.get(Path(rel).name) if Path(rel).parent.as_posix() == "records" else None
                if kind is None:
                    raise UsageError(f"{raw}: not a kind folder under records/", hint="name record files or records/<kind folder>")
                chosen.extend(repo.scan([kind]))
        else:
            chosen.append(repo.classify(normal))
    return chosen


def _normalise(parts: tuple[str, ...]) -> list[str]:
    out: list[str] = []
    for part in parts:
        if part == "..":
            if len(out) > 1:
                out.pop()
        elif part != ".":
            out.append(part)
    return out


def validate(repo: Repository, paths: Iterable[str] = ()) -> Report:
    """Check the records named by `paths` (all records when empty) and every cross-record rule."""
    paths = list(paths)
    items = resolve_paths(repo, paths) if paths else list(repo.scan())
    report = Report()
    chosen: list[RecordFile] = []
    for item in items:
        if isinstance(item, Stray):
            report.problems.append(Problem(item.rel, None, None, (), item.message, "file"))
        else:
            chosen.append(item)
    checked = [check_file(repo, record) for record in chosen]
    report.checked = len(checked)
    for result in checked:
        report.problems.extend(result.problems)
    report.problems.extend(cross_check(repo, checked, whole=not paths))
    report.problems.sort(key=lambda p: (p.path, p.line or 0, p.column or 0))
    return report


def cross_check(repo: Repository, checked: list[Checked], whole: bool) -> list[Problem]:
    """Checks across records: unique ids, references, unique document symbols.

    `checked` are the records being reported on. The id index comes from file names
    alone. When only some records are checked (`whole` false), symbols are compared
    against all other records too, which are read for that.
    """
    problems: list[Problem] = []
    index = repo.id_index()
    for result in checked:
        problems.extend(_unique_id_problems(index, result))
        problems.extend(_reference_problems(index, result))
    problems.extend(_unique_symbols(repo, checked, whole))
    return problems


def _unique_id_problems(index: "dict[str, list[Kind]] | IdLookup", result: Checked) -> list[Problem]:
    """An id used by records of more than one kind."""
    record = result.record
    kinds = index.get(record.id, [])
    if len(kinds) > 1:
        others = ", ".join(f"records/{k.folder}/" for k in kinds if k is not record.kind)
        return [Problem(record.rel, None, None, (), f"id {record.id!r} is also used in {others}; ids are unique across kinds", "unique-id")]
    return []


def _reference_problems(index: "dict[str, list[Kind]] | IdLookup", result: Checked, only: set[str] | None = None) -> list[Problem]:
    """References of one record to ids that do not exist or are of the wrong kind.

    With `only`, just the references to those ids.
    """
    problems: list[Problem] = []
    record = result.record
    if result.data is None:
        return problems
    for ref_field in record.kind.reference_fields:
        expected = ref_field.references or []
        for pointer, value in values_at(result.data, ref_field.path):
            if not isinstance(value, str) or (only is not None and value not in only):
                continue
            found = index.get(value)
            if not found:
                message = f"refers to {value!r}, which is not a record"
                close = difflib.get_close_matches(value, list(index), n=1)
                if close:
                    message += f"; did you mean {close[0]!r}?"
                problems.append(_problem(record.rel, result.text, pointer, message, "reference"))
            elif not any(k.name in expected for k in found):
                problems.append(_problem(record.rel, result.text, pointer, f"refers to {value!r}, a {found[0].name}; expected a {' or '.join(expected)}", "reference"))
    return problems


def _unique_symbols(repo: Repository, checked: list[Checked], whole: bool, candidates: Iterable[RecordFile] | None = None) -> list[Problem]:
    """Document symbols given by two records. With `candidates`, only those records are
    read to compare against (instead of every other record)."""
    if not any(result.record.kind.unique_fields for result in checked):
        return []
    owners: dict[str, list[tuple[Checked, tuple[Any, ...]]]] = {}
    pool = list(checked)
    if not whole:
        seen = {result.record.path for result in checked}
        for record in (repo.records() if candidates is None else candidates):
            if record.path not in seen and record.kind.unique_fields:
                try:
                    pool.append(Checked(record, repo.load(record), []))
                except YamlError:
                    continue
    for result in pool:
        if result.data is None:
            continue
        for unique_field in result.record.kind.unique_fields:
            for pointer, value in values_at(result.data, unique_field.path):
                if isinstance(value, str):
                    owners.setdefault(value, []).append((result, pointer))
    reported = {result.record.path for result in checked}
    problems = []
    for symbol, places in owners.items():
        if len({place[0].record.path for place in places}) < 2:
            continue
        for result, pointer in places:
            if result.record.path not in reported:
                continue
            others = sorted({other.record.id for other, _ in places if other.record.path != result.record.path})
            problems.append(_problem(result.record.rel, result.text, pointer, f"document symbol {symbol!r} is also given by {', '.join(others)}", "unique-symbol"))
    return problems


# --- what a change can break (dprk validate --changed-since) --------------------------------


class IdLookup:
    """The id index (id -> kinds holding a file of that name), one id at a time.

    `get` costs one stat per kind folder, so checking the references of a few changed
    records does not list every record. Iterating (for "did you mean" suggestions,
    only when a reference is broken) lists them all once.
    """

    def __init__(self, repo: Repository):
        self.repo = repo
        self._known: dict[str, list[Kind]] = {}
        self._all: dict[str, list[Kind]] | None = None

    def get(self, record_id: str, default: Any = None) -> Any:
        if self._all is not None:
            return self._all.get(record_id, default)
        if record_id not in self._known:
            try:
                check_id_text(record_id)
            except UsageError:  # not an id at all, so no file has that name
                self._known[record_id] = []
            else:
                kinds = self.repo.schemas.kinds.values()
                self._known[record_id] = [k for k in kinds if self.repo.path_for(k, record_id).is_file()]
        return self._known[record_id] or default

    def __iter__(self) -> Iterator[str]:
        if self._all is None:
            self._all = self.repo.id_index()
        return iter(self._all)


def validate_changed(repo: Repository, since: str) -> Report:
    """Check the records changed since revision `since`, and what those changes can break.

    Git names the changed paths. Changed records get every check of their own, and
    each id they use or refer to is looked up by file name (a stat per kind folder;
    nothing is listed or parsed).
    Records that an unchanged record may refer to are those removed, renamed or moved to
    another kind folder: `git grep` finds the files that mention such an id, and only
    those are parsed, for their references to it. Document symbols of changed records
    are compared with the records that `git grep` finds holding the same symbol. When a
    schema file changed, every record is checked, as by plain `validate`.
    """
    from cli import history

    changed = history.changed_since(repo, since)
    if changed.schema_changed:
        return validate(repo)
    report = Report()
    chosen: list[RecordFile] = []
    for item in changed.present:
        if isinstance(item, Stray):
            report.problems.append(Problem(item.rel, None, None, (), item.message, "file"))
        else:
            chosen.append(item)
    checked = [check_file(repo, record) for record in chosen]
    report.checked = len(checked)
    index = IdLookup(repo)
    for result in checked:
        report.problems.extend(result.problems)
        report.problems.extend(_unique_id_problems(index, result))
        report.problems.extend(_reference_problems(index, result))
    lost = sorted({gone.id for gone in changed.gone if gone.kind not in index.get(gone.id, [])})
    seen = {result.record.rel for result in checked}
    referrers = [rel for rel in history.grep_records(repo, lost) if rel not in seen] if lost else []
    for rel in referrers:
        found = repo.classify(repo.root / rel)
        if isinstance(found, RecordFile):
            referrer = check_file(repo, found)
            report.problems.extend(_reference_problems(index, Checked(found, referrer.data, [], referrer.text), set(lost)))
    symbols = sorted({value for result in checked if result.data is not None
                      for unique_field in result.record.kind.unique_fields
                      for _, value in values_at(result.data, unique_field.path) if isinstance(value, str)})
    holders = [repo.classify(repo.root / rel) for rel in history.grep_records(repo, symbols)] if symbols else []
    report.problems.extend(_unique_symbols(repo, checked, False, [h for h in holders if isinstance(h, RecordFile)]))
    report.problems.sort(key=lambda p: (p.path, p.line or 0, p.column or 0))
    return report
