"""Checking records: strict YAML, the kind's schema, and checks across records.

Every finding is a Problem with the file, the line and column of the offending node,
its JSON path and a plain message. Checks (the `check` names in JSON output):

- yaml: the file is not strict YAML (syntax, duplicate keys, anchors, tags, encoding)
- file: the path is not a readable record file (wrong place, symlink out, directory)
- schema: the record breaks its kind's schema
- date: a full date that is not on the calendar (2023-02-30)
- match: a value that must name another field's value in the same record does not (an
  `according_to` actor that is not the actor of any observation)
- id: the `id` field differs from the file name
- kind: the file's `$schema` header names another kind than its folder
- header: a `yaml-language-server` header that is not the kind's own (`$schema` pointing
  anywhere else, or a second header further down)
- unique-id: the same id is used by records of two kinds
- reference: a referenced id does not exist, or is of the wrong kind
- unique-symbol: two records share a document symbol
"""

from __future__ import annotations

import difflib
import os
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from cli import yamlio
from cli.dates import calendar_problems
from cli.errors import UsageError, YamlError, one_line
from cli.kinds import Kind, declared_schema, values_at
from cli.repository import RecordFile, Repository, Stray, check_id_text



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
        where = one_line(self.path)
        if self.line is not None:
            where += f":{self.line}:{self.column or 1}"
        if self.pointer:
            return f"{where}: {one_line(self.json_path)}: {one_line(self.message)}"
        return f"{where}: {one_line(self.message)}"

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
    fast = kind.fast_check
    if fast is None or not fast(data):
        seen: set[str] = set()
        for error in kind.validator.iter_errors(data):
            for problem in schema_problems(kind, rel, error, text):
                if str(problem) not in seen:
                    seen.add(str(problem))
                    problems.append(problem)
    for pointer, message in calendar_problems(kind, data):
        problems.append(problem_at(rel, text, pointer, message, "date"))
    for pointer, message in match_problems(kind, data):
        problems.append(problem_at(rel, text, pointer, message, "match"))
    id_field = kind.id_field
    if expected_id is not None and isinstance(data.get(id_field), str) and data[id_field] != expected_id:
        problems.append(problem_at(rel, text, (id_field,), f"id {data[id_field]!r} differs from the file name {expected_id + '.yaml'!r}; rename the file or fix the id", "id"))
    if text is not None:
        problems.extend(header_problems(kind, rel, text))
    return problems


def match_problems(kind: Kind, data: dict[str, Any]) -> Iterator[tuple[tuple[Any, ...], str]]:
    """Values of `x-matches` fields that are not among the values of the field they name
    (an `according_to` actor that no observation has)."""
    for item in kind.match_fields:
        target = tuple(str(item.matches).split("."))
        allowed = [v for _, v in values_at(data, target) if isinstance(v, str)]
        for pointer, value in values_at(data, item.path):
            if isinstance(value, str) and value not in allowed:
                where = str(item.matches)
                choices = f"; the record's {where}: {', '.join(repr(a) for a in allowed)}" if allowed else f"; the record has no {where}"
                yield pointer, f"{value!r} is not one of the record's {where}{choices}"


_MODELINE = re.compile(r"^[ \t]*#[ \t]*yaml-language-server[ \t]*:.*$", re.M)


def header_problems(kind: Kind, rel: str, text: str) -> list[Problem]:
    """The `# yaml-language-server: $schema=...` header: at most one, on the first line, and
    naming this kind's schema by its relative path (editors fetch whatever it names)."""
    problems: list[Problem] = []
    if "yaml-language-server" not in text:
        return problems
    for match in _MODELINE.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        found = match.group(0).rstrip()
        if line == 1 and found == kind.header:
            continue
        declared = declared_schema(found) if line == 1 else None
        expected = f"../../schema/{declared}" if declared else None
        if declared is not None and declared != kind.file.name and expected and found.rstrip().endswith("$schema=" + expected):
            problems.append(Problem(rel, 1, 1, (), f"the header names schema {declared} but the file is in records/{kind.folder}/ ({kind.file.name}); move the file to the folder of its kind", "kind"))
            continue
        where = "the first line" if line == 1 else f"line {line}"
        problems.append(Problem(rel, line, 1, (), f"{where} is a yaml-language-server header other than {kind.header!r}; "
                                                  "a record names its own kind's schema, on its first line only (run 'dprk fmt')", "header"))
    return problems


def problem_at(rel: str, text: str | None, pointer: tuple[Any, ...], message: str, check: str, key: str | None = None) -> Problem:
    """A problem at `pointer`; with `key`, positioned at that key of the mapping at `pointer`."""
    position = yamlio.locate(text, pointer, key) if text is not None else None
    if key is not None:
        pointer = pointer + (key,)
    line, column = position if position else (None, None)
    return Problem(rel, line, column, pointer, message, check)


def schema_problems(kind: Kind, rel: str, error: Any, text: str | None) -> list[Problem]:
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
            out.append(problem_at(rel, text, pointer, f"unknown field {extra!r}{hint}", "schema", key=extra))
        return out
    if validator == "required" and isinstance(error.instance, dict):
        # one problem per missing field, whatever jsonschema's own grouping (the caller drops repeats)
        missing = [name for name in error.validator_value if name not in error.instance]
        return [problem_at(rel, text, pointer, f"{name!r} is required but missing", "schema") for name in missing]
    if validator == "enum":
        values = error.validator_value
        if len(values) <= 12:
            message = f"{error.instance!r} is not one of: {', '.join(map(str, values))}"
        else:
            message = f"{error.instance!r} is not an allowed value (see 'dprk schema {kind.name}')"
        return [problem_at(rel, text, pointer, message, "schema")]
    if validator == "minItems":
        count = error.validator_value
        return [problem_at(rel, text, pointer, f"needs at least {count} {'entry' if count == 1 else 'entries'}", "schema")]
    if validator == "pattern":
        description = error.schema.get("description")
        message = f"{error.instance!r} is not of the expected form"
        message += f": {description}" if description else f" (pattern {error.validator_value})"
        return [problem_at(rel, text, pointer, message, "schema")]
    return [problem_at(rel, text, pointer, schema_message(validator, error.validator_value, error.instance, error.message), "schema")]


_TYPE_WORDS = {"string": "text", "integer": "a whole number", "number": "a number", "boolean": "true or false",
               "array": "a list", "object": "a mapping of fields (key: value)", "null": "empty"}


def schema_message(keyword: str, expected: Any, instance: Any, fallback: str) -> str:
    """Our own words for a schema keyword that failed, so that messages do not change
    with the jsonschema release installed. `fallback` (jsonschema's) is used only for
    keywords our schemas do not use."""
    if keyword == "type":
        names = expected if isinstance(expected, list) else [expected]
        wanted = " or ".join(_TYPE_WORDS.get(str(n), str(n)) for n in names)
        return f"must be {wanted}, not {instance!r}"
    bounds = {"minimum": "at least", "maximum": "at most", "exclusiveMinimum": "more than", "exclusiveMaximum": "less than"}
    if keyword in bounds:
        return f"must be {bounds[keyword]} {expected}, not {instance!r}"
    if keyword == "minLength":
        return "must not be empty" if expected == 1 else f"must be at least {expected} characters long"
    if keyword == "maxLength" and isinstance(instance, str):
        return f"must be at most {expected} characters long (it has {len(instance)})"
    if keyword == "maxItems":
        return f"must have at most {expected} {'entry' if expected == 1 else 'entries'}"
    if keyword == "uniqueItems":
        return "lists the same entry more than once"
    if keyword == "const":
        return f"must be {expected!r}"
    return fallback


# --- the repository -------------------------------------------------------------------

PARALLEL_MIN = 1500  # files to check before a second process pays for itself


@dataclass
class FileResult:
    """What one record file contributes to a validation run: small, picklable, cacheable."""

    record: RecordFile
    problems: list[Problem]
    refs: list[tuple[tuple[Any, ...], str, str]]  # (pointer, value, dotted field path)
    symbols: list[tuple[tuple[Any, ...], str]]


def _verdict(problems: list[Problem], data: dict[str, Any] | None, kind: Kind) -> dict[str, Any]:
    refs: list[list[Any]] = []
    symbols: list[list[Any]] = []
    if data is not None:
        for ref_field in kind.reference_fields:
            for pointer, value in values_at(data, ref_field.path):
                if isinstance(value, str):
                    refs.append([list(pointer), value, ref_field.dotted])
        for unique_field in kind.unique_fields:
            for pointer, value in values_at(data, unique_field.path):
                if isinstance(value, str):
                    symbols.append([list(pointer), value])
    return {
        "problems": [[p.line, p.column, list(p.pointer), p.message, p.check] for p in problems],
        "refs": refs,
        "symbols": symbols,
    }


def _result(record: RecordFile, verdict: dict[str, Any]) -> FileResult:
    return FileResult(
        record,
        [Problem(record.rel, line, column, tuple(pointer), message, check) for line, column, pointer, message, check in verdict["problems"]],
        [(tuple(pointer), value, dotted) for pointer, value, dotted in verdict["refs"]],
        [(tuple(pointer), value) for pointer, value in verdict["symbols"]],
    )


def _check_one(record: RecordFile, cache: Any) -> tuple[dict[str, Any], tuple[Any, ...] | None]:
    """Check one file on its own; return its verdict and the cache row to store (if any)."""
    import json
    import os

    try:
        stat = os.stat(record.file)
        raw = yamlio.read_bytes(record.file, record.rel)
        text = yamlio.decode(raw, record.rel)
    except YamlError as exc:
        return _verdict([Problem(record.rel, exc.line, exc.column, (), exc.message, "yaml")], None, record.kind), None
    except OSError as exc:
        return _verdict([Problem(record.rel, None, None, (), f"cannot read file: {exc.strerror or exc}", "file")], None, record.kind), None
    data, problems = check_record_text(record.kind, record.rel, text, record.id)
    verdict = _verdict(problems, data, record.kind)
    row = None
    if cache is not None:
        data_json = json.dumps(data, separators=(",", ":"), ensure_ascii=False) if data is not None else None
        row = cache.row(record.rel, stat, raw, data_json, verdict, record.kind.sort_date(data) if data is not None else None)
    return verdict, row


_WORKER: dict[str, Any] = {}


def _work(span: tuple[int, int]) -> list[tuple[dict[str, Any], tuple[Any, ...] | None]]:
    """Check a span of the records list that the parent set up before forking."""
    records = _WORKER["records"]
    return [_check_one(records[i], _WORKER.get("cache")) for i in range(*span)]


def check_files(repo: Repository, records: list[RecordFile], *, cache: Any = None, jobs: int | None = None,
                progress: Callable[..., None] | None = None) -> list[FileResult]:
    """Each file's own checks, from the cache where it is fresh, else in one or more processes."""
    import os

    results: dict[str, FileResult] = {}
    todo: list[RecordFile] = []
    if progress:
        progress(0, total=len(records))
    stored: dict[str, Any] = {}
    for index, record in enumerate(records):
        if cache is not None and index % 1000 == 0:  # ask the cache a batch at a time: bounded memory
            stored = cache.lookup([r.rel for r in records[index:index + 1000]], with_data=False)
        row = stored.get(record.rel)
        verdict = None
        if row is not None:
            try:
                stat = os.stat(record.file)
            except OSError:
                stat = None
            if stat is not None and cache.valid(row, record.rel, record.file, stat):
                verdict = cache.verdict_of(row)
        if verdict is not None:
            results[record.rel] = _result(record, verdict)
            if progress:
                progress(1)
        else:
            todo.append(record)

    def take(record: RecordFile, verdict: dict[str, Any], row: tuple[Any, ...] | None) -> None:
        results[record.rel] = _result(record, verdict)
        if cache is not None and row is not None:
            cache.add(row)
        if progress:
            progress(1)

    jobs = jobs if jobs is not None else (os.cpu_count() or 1)
    pool_context = _fork_context()
    if jobs > 1 and len(todo) >= PARALLEL_MIN and pool_context is not None:
        for kind in {r.kind for r in todo}:
            kind.fast_check  # compile once, before the workers are forked
        size = max(50, min(500, len(todo) // (jobs * 4) or 1))
        spans = [(i, min(i + size, len(todo))) for i in range(0, len(todo), size)]
        _WORKER["cache"] = cache
        _WORKER["records"] = todo
        try:
            with pool_context.Pool(min(jobs, len(spans))) as pool:
                for span, answers in zip(spans, pool.imap(_work, spans)):
                    for record, (verdict, row) in zip(todo[span[0]:span[1]], answers):
                        take(record, verdict, row)
        finally:
            _WORKER.clear()
    else:
        for record in todo:
            verdict, row = _check_one(record, cache)
            take(record, verdict, row)
    if cache is not None:
        cache.flush()
    return [results[r.rel] for r in records]


def _fork_context() -> Any:
    import multiprocessing

    try:
        return multiprocessing.get_context("fork")
    except ValueError:
        return None


def split_strays(items: Iterable[RecordFile | Stray]) -> tuple[list[RecordFile], list[Problem]]:
    """Record files, and a `file` problem for each stray (something that is not one)."""
    records: list[RecordFile] = []
    problems: list[Problem] = []
    for item in items:
        if isinstance(item, Stray):
            problems.append(Problem(item.rel, None, None, (), item.message, "file"))
        else:
            records.append(item)
    return records, problems


def resolve_paths(repo: Repository, paths: Iterable[str]) -> list[RecordFile | Stray]:
    """Record files named on the command line (files or folders), relative to the cwd."""
    chosen: list[RecordFile | Stray] = []
    root = Path(repo.real_root)
    for raw in paths:
        if not raw.strip():
            raise UsageError("an empty path was given", hint="name record files or kind folders, or none for all records")
        path = Path(raw)
        absolute = Path.cwd() / path if not path.is_absolute() else path
        if not absolute.exists() and not absolute.is_symlink():
            raise UsageError(f"{raw}: no such file or folder")
        # Links on the way to the repository are followed (on macOS /tmp is one); the last
        # part is kept as it is, so that a record that is itself a link is judged as one.
        normal = Path(*_normalise(absolute.parts))
        normal = Path(os.path.realpath(normal.parent)) / normal.name if normal.name else Path(os.path.realpath(normal))
        try:
            normal.relative_to(root)
        except ValueError:
            raise UsageError(f"{raw}: outside the repository at {root}", hint="name files under records/") from None
        if normal.is_dir() and not normal.is_symlink():
            rel = repo.rel(normal)
            if rel in (".", "", "records"):
                chosen.extend(repo.scan())
            else:
                kind = repo.schemas.by_folder.get(Path(rel).name) if Path(rel).parent.as_posix() == "records" else None
                if kind is None:
                    raise UsageError(f"{raw}: not a kind folder under records/", hint="name record files or records/<kind folder>")
                chosen.extend(repo.scan([kind]))
        else:
            chosen.append(repo.classify(normal))
    unique: dict[str, RecordFile | Stray] = {}
    for item in chosen:  # a file named twice (or inside a folder also named) is checked once
        unique.setdefault(item.rel, item)
    return list(unique.values())


def _normalise(parts: tuple[str, ...]) -> list[str]:
    out: list[str] = []
    for part in parts:
        if part == "..":
            if len(out) > 1:
                out.pop()
        elif part != ".":
            out.append(part)
    return out


def validate(repo: Repository, paths: Iterable[str] = (), *, since: str | None = None, use_cache: bool = True,
             jobs: int | None = None, progress: Callable[..., None] | None = None) -> Report:
    """Check the records named by `paths` (all records when empty) and every cross-record rule.

    With `since` (a git revision), only what changed since then and what that can
    break (see validate_changed).
    """
    paths = list(paths)
    if since is not None:
        if paths:
            raise UsageError("give either PATH arguments or --changed-since, not both")
        return validate_changed(repo, since, use_cache=use_cache, jobs=jobs)
    items = resolve_paths(repo, paths) if paths else list(repo.scan())
    report = Report()
    chosen, report.problems = split_strays(items)
    from cli.cache import open_cache

    cache = open_cache(repo.root, repo.schema_dir, use_cache)
    try:
        if cache is None or not cache.schemas_checked():
            repo.schemas.check_all()  # the meta-schema check, once per version of the schema files
            if cache is not None:
                cache.mark_schemas_checked()
        results = check_files(repo, chosen, cache=cache, jobs=jobs, progress=progress)
        report.checked = len(results)
        for result in results:
            report.problems.extend(result.problems)
        report.problems.extend(cross_check(repo, results, whole=not paths, cache=cache, jobs=jobs))
        if cache is not None and not paths:
            cache.forget_missing({r.rel for r in chosen})
    finally:
        if cache is not None:
            cache.close()
    report.problems.sort(key=lambda p: (p.path, p.line or 0, p.column or 0))
    return report


def cross_check(repo: Repository, results: list[FileResult], whole: bool, cache: Any = None, jobs: int | None = None) -> list[Problem]:
    """Checks across records: unique ids, references, unique document symbols.

    `results` are the records being reported on. The id index comes from file names
    alone. When only some records are checked (`whole` false), symbols are compared
    against all other records too, whose own checks come from the cache or are run.
    """
    problems: list[Problem] = []
    if whole:  # every record is in `results`: no need to list the folders again
        index: dict[str, list[Kind]] = {}
        for result in results:
            index.setdefault(result.record.id, []).append(result.record.kind)
    else:
        index = repo.id_index()
    at = _Locator(repo)
    for result in results:
        problems.extend(_unique_id_problems(index, result))
        problems.extend(_reference_problems(index, result, at))
    pool = list(results)
    if not whole and any(r.symbols for r in results):
        seen = {r.record.rel for r in results}
        others = [r for r in repo.records() if r.rel not in seen and r.kind.unique_fields]
        pool.extend(check_files(repo, others, cache=cache, jobs=jobs))
    problems.extend(_unique_symbol_problems(results, pool, at))
    return problems


class _Locator:
    """Positions for cross-record problems: a record's text is read only when it has one."""

    def __init__(self, repo: Repository):
        self.repo = repo
        self.texts: dict[str, str | None] = {}

    def __call__(self, record: RecordFile, pointer: tuple[Any, ...], message: str, check: str) -> Problem:
        if record.rel not in self.texts:
            try:
                self.texts[record.rel] = self.repo.read_text(record)
            except YamlError:
                self.texts[record.rel] = None
        return problem_at(record.rel, self.texts[record.rel], pointer, message, check)


def _unique_id_problems(index: "dict[str, list[Kind]] | IdLookup", result: FileResult) -> list[Problem]:
    """An id used by records of more than one kind."""
    record = result.record
    kinds = index.get(record.id, [])
    if len(kinds) > 1:
        others = ", ".join(f"records/{k.folder}/" for k in kinds if k is not record.kind)
        return [Problem(record.rel, None, None, (), f"id {record.id!r} is also used in {others}; ids are unique across kinds", "unique-id")]
    return []


def reference_problem(value: str, expected: list[str], found: list[Kind] | None, known: Callable[[], Iterable[str]]) -> str | None:
    """What is wrong with one reference to `value`, or None. `found`: the kinds holding that id."""
    if not found:
        message = f"refers to {value!r}, which is not a record"
        close = difflib.get_close_matches(value, list(known()), n=1)
        if close:
            message += f"; did you mean {close[0]!r}?"
        return message
    if not any(k.name in expected for k in found):
        return f"refers to {value!r}, a {found[0].name}; expected a {' or '.join(expected)}"
    return None


def _reference_problems(index: "dict[str, list[Kind]] | IdLookup", result: FileResult, at: _Locator,
                        only: set[str] | None = None) -> list[Problem]:
    """References of one record to ids that do not exist or are of the wrong kind.

    With `only`, just the references to those ids.
    """
    problems: list[Problem] = []
    record = result.record
    for pointer, value, dotted in result.refs:
        if only is not None and value not in only:
            continue
        ref_field = record.kind.field(dotted)
        expected = (ref_field.references if ref_field is not None else None) or []
        message = reference_problem(value, expected, index.get(value), lambda: index)
        if message:
            problems.append(at(record, pointer, message, "reference"))
    return problems


def _unique_symbol_problems(results: list[FileResult], pool: list[FileResult], at: _Locator) -> list[Problem]:
    """Document symbols of `results` that another record in `pool` gives too."""
    owners: dict[str, list[tuple[FileResult, tuple[Any, ...]]]] = {}
    for result in pool:
        for pointer, value in result.symbols:
            owners.setdefault(value, []).append((result, pointer))
    reported = {r.record.rel for r in results}
    problems: list[Problem] = []
    for symbol, places in owners.items():
        if len({place[0].record.rel for place in places}) < 2:
            continue
        for result, pointer in places:
            if result.record.rel not in reported:
                continue
            others_ids = sorted({other.record.id for other, _ in places if other.record.rel != result.record.rel})
            problems.append(at(result.record, pointer, f"document symbol {symbol!r} is also given by {', '.join(others_ids)}", "unique-symbol"))
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


ESCAPE = "\\"  # a file holding a backslash may spell an id or symbol with YAML escapes


def validate_changed(repo: Repository, since: str, *, use_cache: bool = True, jobs: int | None = None) -> Report:
    """Check the records changed since revision `since`, and what those changes can break.

    Git names the changed paths. Changed records get every check of their own, and
    each id they use or refer to is looked up by file name (a stat per kind folder;
    nothing is listed or parsed).
    Records that an unchanged record may refer to are those removed, renamed or moved to
    another kind folder: `git grep` finds the files that mention such an id, or that hold
    a backslash (a YAML escape can spell an id without its literal text), and only those
    are parsed, for their references to it. Document symbols of changed records
    are compared with the records that `git grep` finds holding the same symbol. When a
    schema file changed, every record is checked, as by plain `validate`.
    """
    from cli import history
    from cli.cache import open_cache

    changed = history.changed_since(repo, since)
    if changed.schema_changed:
        return validate(repo, use_cache=use_cache, jobs=jobs)
    report = Report()
    chosen, report.problems = split_strays(changed.present)
    cache = open_cache(repo.root, repo.schema_dir, use_cache)
    try:
        results = check_files(repo, chosen, cache=cache, jobs=jobs)
        report.checked = len(results)
        index = IdLookup(repo)
        at = _Locator(repo)
        for result in results:
            report.problems.extend(result.problems)
            report.problems.extend(_unique_id_problems(index, result))
            report.problems.extend(_reference_problems(index, result, at))
        lost = sorted({gone.id for gone in changed.gone if gone.kind not in index.get(gone.id, [])})
        seen = {result.record.rel for result in results}
        if lost:
            # a value written with YAML escapes ("...\u002d...") holds a backslash: such files are read too
            referrers = [repo.classify(repo.root / rel) for rel in history.grep_records(repo, lost + [ESCAPE]) if rel not in seen]
            for referrer in check_files(repo, [r for r in referrers if isinstance(r, RecordFile)], cache=cache, jobs=1):
                report.problems.extend(_reference_problems(index, referrer, at, set(lost)))
        symbols = sorted({value for result in results for _, value in result.symbols})
        if symbols:
            holders = [repo.classify(repo.root / rel) for rel in history.grep_records(repo, symbols + [ESCAPE])]
            others = [h for h in holders if isinstance(h, RecordFile) and h.rel not in seen]
            pool = results + check_files(repo, others, cache=cache, jobs=1)
            report.problems.extend(_unique_symbol_problems(results, pool, at))
    finally:
        if cache is not None:
            cache.close()
    report.problems.sort(key=lambda p: (p.path, p.line or 0, p.column or 0))
    return report
