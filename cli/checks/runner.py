"""Running each file's own checks over many files: from the parse cache where a verdict is
fresh, else in this process or, for many files, in several forked ones.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from dprk_records.checks import shares
from dprk_records.checks.problems import Problem
from dprk_records.checks.record import check_record_text
from dprk_records.errors import YamlError
from dprk_records.records import yamlread
from dprk_records.records.cache import Entry, ParseCache
from dprk_records.records.kinds import Kind
from dprk_records.records.repository import RecordFile, Repository
from dprk_records.records.values import values_at

PARALLEL_MIN = 1500  # files to check before a second process pays for itself


class Ref(NamedTuple):
    """A reference from a record to another record's id."""

    pointer: tuple[Any, ...]
    value: str
    field: str  # the referring field's dotted path


class Symbol(NamedTuple):
    """A document symbol a record gives (a field marked unique across records)."""

    pointer: tuple[Any, ...]
    value: str


class Twin(NamedTuple):
    """What two records that are one share (see content_key)."""

    key: str  # a hash of the record apart from its id
    date: str | None  # its date, when it has one as text


class Verdict(NamedTuple):
    """One file's own checks: what is wrong with it, and what the checks across records
    need from it. Small and picklable (a worker process sends it back); cached as JSON
    (see encode)."""

    problems: list[Problem]
    refs: list[Ref]
    symbols: list[Symbol]
    twin: Twin | None  # None when the file does not parse


class FileResult(NamedTuple):
    """What one record file contributes to a validation run: the file and its verdict's parts.
    (A NamedTuple: one is made per record, and a dataclass costs several times more to make.)"""

    record: RecordFile
    problems: list[Problem]
    refs: list[Ref]
    symbols: list[Symbol]
    twin: Twin | None = None

    @classmethod
    def of(cls, record: RecordFile, verdict: Verdict) -> FileResult:
        return cls(record, verdict.problems, verdict.refs, verdict.symbols, verdict.twin)


def content_key(kind: Kind, data: dict[str, Any]) -> Twin:
    """What two records that are one share: a hash of the record apart from its id (a
    value equal to its own id, a reference to itself, counts as the same), and its date
    (text that any file spelling the record holds, for `git grep`).

    The hash is of `[kind, rest]` as compact JSON with sorted keys, where `rest` is the
    record without its id field and with each string value equal to the id written as
    `{"self": true}`. That text is made from the JSON of the record as it is, with each
    such value put in afterwards (see _self_values): the same text as walking the record
    to replace them first, at a fraction of the cost."""
    import hashlib
    from json.encoder import encode_basestring  # a string as json.dumps(..., ensure_ascii=False) writes it

    id_field = kind.id_field
    own = data.get(id_field)
    rest = {k: v for k, v in data.items() if k != id_field}
    encoder = _key_encoder()
    if isinstance(own, str) and own[:1] in _STRUCTURAL:
        body = encoder.encode(_plain(rest, own))
    else:
        body = encoder.encode(rest)
        if isinstance(own, str):
            body = _self_values(body, encode_basestring(own))
    text = f"[{encode_basestring(kind.name)},{body}]"
    date = data.get("date")
    return Twin(
        hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest(), date if isinstance(date, str) else None
    )


_ENCODER: list[Any] = []


def _key_encoder() -> Any:
    """json.dumps(..., sort_keys=True, ensure_ascii=False, separators=(",", ":")), made once."""
    if not _ENCODER:
        import json

        _ENCODER.append(json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":")))
    return _ENCODER[0]


_STRUCTURAL = tuple(",:]}")  # an id starting with one of these is replaced by walking the record (see _self_values)
_SELF = '{"self":true}'


def _self_values(body: str, token: str) -> str:
    """Compact JSON `body` with each string value that is `token` (a JSON string) written as
    {"self":true}. A JSON string value begins with a quote right after `[`, `,` or `:` and
    is followed by `,`, `]` or `}` (a key is followed by `:`). Inside a string a quote is
    always escaped, so such a match can only be a whole string token, unless the token's
    text starts with `,`, `:`, `]` or `}` (a match could then begin at a closing quote):
    content_key walks the record for those ids instead."""
    if token not in body:
        return body
    import re

    return re.sub(r"(?<=[\[,:])" + re.escape(token) + r"(?=[,\]}])", _SELF, body)


def _plain(value: Any, own: str) -> Any:
    """`value` with each string equal to `own` replaced by {"self": True}, nested values included."""
    if isinstance(value, dict):
        return {k: _plain(v, own) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v, own) for v in value]
    return {"self": True} if value == own else value


def _verdict(problems: list[Problem], data: dict[str, Any] | None, kind: Kind) -> Verdict:
    refs: list[Ref] = []
    symbols: list[Symbol] = []
    if data is not None:
        for ref_field in kind.reference_fields:
            for pointer, value in values_at(data, ref_field.path):
                if isinstance(value, str):
                    refs.append(Ref(pointer, value, ref_field.dotted))
        for unique_field in kind.unique_fields:
            for pointer, value in values_at(data, unique_field.path):
                if isinstance(value, str):
                    symbols.append(Symbol(pointer, value))
    return Verdict(problems, refs, symbols, content_key(kind, data) if data is not None else None)


def encode(verdict: Verdict) -> list[Any]:
    """A verdict as the cache stores it: JSON lists, each in the order of its NamedTuple's
    fields (Verdict, Problem without its path, Ref, Symbol, Twin), read back by decode."""
    return [
        [[p.line, p.column, list(p.pointer), p.message, p.check] for p in verdict.problems],
        [[list(r.pointer), r.value, r.field] for r in verdict.refs],
        [[list(s.pointer), s.value] for s in verdict.symbols],
        list(verdict.twin) if verdict.twin is not None else None,
    ]


def decode(rel: str, stored: Any) -> Verdict | None:
    """A verdict from the cache's JSON (None when it is not one)."""
    try:
        problems, refs, symbols, twin = stored
        return Verdict(
            [
                Problem(rel, line, column, tuple(pointer), message, check)
                for line, column, pointer, message, check in problems
            ],
            [Ref(tuple(pointer), value, dotted) for pointer, value, dotted in refs],
            [Symbol(tuple(pointer), value) for pointer, value in symbols],
            Twin(*twin) if twin is not None else None,
        )
    except (TypeError, ValueError):
        return None


def _unreadable(record: RecordFile, exc: OSError) -> Verdict:
    return _verdict(
        [Problem(record.rel, None, None, (), f"cannot read file: {exc.strerror or exc}", "file")], None, record.kind
    )


def _check_one(record: RecordFile, cache: ParseCache | None) -> tuple[Verdict, Entry | None]:
    """Check one file on its own; return its verdict and the cache entry to store (if any)."""
    import json
    import os

    stat = None
    try:
        if cache is not None:  # the stat the entry is stored with, taken before the bytes are read
            stat = os.stat(record.file)
        raw = yamlread.read_bytes(record.file, record.rel)
        text = yamlread.decode(raw, record.rel)
    except YamlError as exc:
        if stat is None:  # a file that cannot be stat'ed is a `file` problem, with the cache or without
            try:
                os.stat(record.file)
            except OSError as error:
                return _unreadable(record, error), None
        return _verdict([Problem(record.rel, exc.line, exc.column, (), exc.message, "yaml")], None, record.kind), None
    except OSError as exc:
        return _unreadable(record, exc), None
    data, problems = check_record_text(record.kind, record.rel, text, record.id)
    verdict = _verdict(problems, data, record.kind)
    entry = None
    if cache is not None:
        data_json = json.dumps(data, separators=(",", ":"), ensure_ascii=False) if data is not None else None
        entry = cache.row(
            record.rel,
            stat,
            raw,
            data_json=data_json,
            verdict=encode(verdict),
            sort_key=record.kind.sort_date(data) if data is not None else None,
        )
    return verdict, entry


def check_bytes(record: RecordFile, raw: bytes) -> tuple[FileResult, str | None]:
    """One record's own checks on bytes that are not (or not yet) its file: a blob of the
    git index, say. Returns the result and the text (None when it is not UTF-8)."""

    try:
        text = yamlread.decode(raw, record.rel)
    except YamlError as exc:
        problem = Problem(record.rel, exc.line, exc.column, (), exc.message, "yaml")
        return FileResult.of(record, _verdict([problem], None, record.kind)), None
    data, problems = check_record_text(record.kind, record.rel, text, record.id)
    return FileResult.of(record, _verdict(problems, data, record.kind)), text


def check_files(
    repo: Repository,
    records: list[RecordFile],
    *,
    cache: ParseCache | None = None,
    jobs: int | None = None,
    progress: Callable[..., None] | None = None,
    stats: dict[str, Any] | None = None,
    first: Callable[[], None] | None = None,
) -> list[FileResult]:
    """Each file's own checks, from the cache where it is fresh, else in one or more processes
    (this one and forked workers, see dprk_records.checks.shares). `stats`: a stat already
    taken of some files (by rel), used instead of another. `first`: run before any file is
    checked, or, with workers, while they work (an error from it stops them)."""
    import os

    results: dict[str, FileResult] = {}
    todo: list[RecordFile] = []
    if progress:
        progress(0, total=len(records))
    stored: dict[str, Entry] = {}
    for index, record in enumerate(records):
        if cache is not None and index % 1000 == 0:  # ask the cache a batch at a time: bounded memory
            stored = cache.lookup([r.rel for r in records[index : index + 1000]], with_data=False)
        entry = stored.get(record.rel)
        verdict = None
        stat = stats.get(record.rel) if stats else None
        if (
            cache is not None
            and entry is not None
            and (
                cache.valid(entry, record.file, stat)
                if stat is not None
                else cache.fresh(entry, record.file) is not None
            )
        ):
            found = cache.verdict_of(entry)
            verdict = decode(record.rel, found) if found is not None else None
        if verdict is not None:
            results[record.rel] = FileResult.of(record, verdict)
            if progress:
                progress(1)
        else:
            todo.append(record)

    def take(record: RecordFile, verdict: Verdict, entry: Entry | None, tick: bool = True) -> None:
        results[record.rel] = FileResult.of(record, verdict)
        if cache is not None and entry is not None:
            cache.add(entry)
        if progress and tick:
            progress(1)

    jobs = jobs if jobs is not None else (os.cpu_count() or 1)
    if jobs > 1 and len(todo) >= PARALLEL_MIN and shares.can_fork():
        try:
            for kind in {r.kind for r in todo}:
                kind.fast_check  # noqa: B018 compile once, before the workers are forked
        except Exception:
            if first is not None:
                first()  # a schema that is not one: said in words
            raise
        yamlread.load_yaml()  # PyYAML imported once, before the fork, not in every worker
        answered: dict[int, tuple[int, list[tuple[Verdict, Entry | None]]]] = {}

        def work(start: int, stop: int) -> list[tuple[Verdict, Entry | None]]:
            return [_check_one(todo[i], cache) for i in range(start, stop)]

        def arrived(start: int, stop: int, answers: list[tuple[Verdict, Entry | None]]) -> None:
            answered[start] = stop, answers
            if progress:
                progress(stop - start)

        shares.run(len(todo), work, arrived, processes=jobs, first=first)
        first = None
        for start in sorted(answered):  # in the order of the list, as one process would
            stop, answers = answered.pop(start)
            for record, (verdict, entry) in zip(todo[start:stop], answers):
                take(record, verdict, entry, tick=False)
    else:
        if first is not None:
            first()
            first = None
        for record in todo:
            verdict, entry = _check_one(record, cache)
            take(record, verdict, entry)
    if cache is not None:
        cache.flush()
    return [results[r.rel] for r in records]
