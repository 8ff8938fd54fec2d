"""Checking and saving: a new or changed record is checked as `dprk validate` checks it
(looking up only the ids it refers to), written atomically under the repository's write
lock so that no other command's change is lost, and committed with git when asked.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from dprk_records.editing.inputs import Input, identical, in_input
from dprk_records.errors import DataError, DprkError, UsageError
from dprk_records.records.kinds import Kind, values_at
from dprk_records.records.repository import RecordFile, Repository


def record_rel(repo: Repository, kind: Kind, record_id: Any) -> str:
    if isinstance(record_id, str) and record_id:
        try:
            return repo.record_file(kind, _safe_id(record_id)).rel
        except UsageError:
            pass
    return f"records/{kind.folder}/<id>.yaml"


def _safe_id(record_id: str) -> str:
    from dprk_records.records.repository import check_id_text

    check_id_text(record_id)
    return record_id


def check(repo: Repository, kind: Kind, data: dict[str, Any], record_id: str | None = None) -> tuple[str, list[Any]]:
    """The canonical text of `data` and every problem with it: schema, dates, id, references.

    References are checked by looking up only the ids referenced, by file name.
    Problems carry the file path (of `record_id`, else of the record's own id) and
    positions in the canonical text.
    """
    from dprk_records.checks.crossrecord import reference_problem
    from dprk_records.checks.problems import Problem, problem_at
    from dprk_records.checks.record import check_data

    if record_id is None:
        record_id = data.get(kind.id_field)
    rel = record_rel(repo, kind, record_id)
    try:
        text = repo.render(kind, data)
    except (ValueError, TypeError) as exc:
        raise DataError(f"{rel}: {exc}") from None
    read_back(text, data, rel)
    expected = record_id if isinstance(record_id, str) and "<id>" not in rel else None
    problems: list[Problem] = check_data(kind, rel, data, text, expected)
    for ref_field in kind.reference_fields:
        wanted = ref_field.references or []
        for pointer, value in values_at(data, ref_field.path):
            if not isinstance(value, str):
                continue
            found = repo.find_record(value, strict=False)  # not an id at all: the schema check has said so
            message = reference_problem(value, wanted, [found.kind] if found is not None else None, lambda: ())
            if message:
                problems.append(problem_at(rel, text, pointer, message, "reference"))
    problems.sort(key=lambda p: (p.line or 0, p.column or 0))
    return text, problems


def read_back(text: str, data: dict[str, Any], rel: str) -> None:
    """Refuse (DataError) a canonical text that does not read back as exactly `data`,
    types included (`1` is not `1.0` nor `true`), so that no record is ever written that
    reads as something else, or not at all, whatever the emitter gets wrong."""
    from dprk_records.errors import YamlError
    from dprk_records.records import yamlread

    try:
        same = identical(yamlread.loads(text, rel), data)
    except YamlError:
        same = False
    if not same:
        raise DataError(
            f"{rel}: its canonical form would not read back as the same data; nothing written (please report this)"
        )


def refuse_existing(repo: Repository, record_id: Any) -> None:
    found = repo.find_record(record_id, strict=False)
    if found is not None:
        raise DataError(
            f"{found.rel} already exists; records are never overwritten",
            hint=f"choose another {{id}}, or change it with 'dprk update {record_id}'",
            params=("id",),
        )


def id_taken(repo: Repository, kind: Kind, data: dict[str, Any]) -> list[str]:
    """A message when the record's id is already used by a record of any kind."""
    found = repo.find_record(data.get(kind.id_field), strict=False)
    if found is None:
        return []
    return [f"{found.rel}: id {data.get(kind.id_field)!r} is already taken; choose another id"]


def check_new(repo: Repository, kind: Kind, data: dict[str, Any]) -> tuple[str, list[Any]]:
    """Refuse an id already taken, then check the new record (see `check`)."""
    refuse_existing(repo, data.get(kind.id_field))
    return check(repo, kind, data)


def write_new(repo: Repository, kind: Kind, data: dict[str, Any], text: str) -> RecordFile:
    """Write a new record; fails (DataError) if its file appeared meanwhile, and never replaces one."""
    from dprk_records.records.writing import atomic_write

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

    def __init__(self, record: RecordFile, message: str | None = None):
        super().__init__(
            message or f"{record.rel} changed after it was read (another command wrote it); nothing written",
            hint="run the command again",
        )
        self.record = record


class Gone(Changed):
    """The record file is no longer there (renamed or deleted since the command read it); nothing was written."""

    def __init__(self, record: RecordFile):
        super().__init__(record, f"{record.rel} was renamed or deleted after it was read; nothing written")
        self.hint = "if it was renamed, give its new id"


class NotCommitted(DataError):
    """The record is written, but git did not commit it; the message says what is left."""


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


def save_new(
    repo: Repository,
    kind: Kind,
    data: dict[str, Any],
    *,
    dry_run: bool = False,
    commit: bool = False,
    given: Input | None = None,
) -> Saved:
    """Check a new record and write it, then commit it if asked.

    Under the repository's write lock, the id is checked free in every kind folder and
    the file is created (never replacing one) in one step, so two adds of one id, even
    of different kinds, never both succeed. Problems in values that `given` (the record
    as text, from --from-file) gave name it, at its own lines.
    """
    commit = commit and not dry_run
    if commit:
        from dprk_records.history.commit import check_can_commit

        check_can_commit(repo.root, repo.records_dir)
    with _locked(repo, dry_run):
        text, problems = check_new(repo, kind, data)
        if problems:
            raise Invalid(in_input(problems, data, given, whole=True))
        if dry_run:
            return Saved(text)
        record = write_new(repo, kind, data, text)
    return _commit(repo, Saved(text, record), commit, "Add")


def save_update(
    repo: Repository,
    record: RecordFile,
    apply: Callable[[dict[str, Any]], dict[str, Any]],
    *,
    base: bytes | None = None,
    dry_run: bool = False,
    commit: bool = False,
    given: Input | None = None,
) -> Saved:
    """Apply a change to the record as it is on disk now, check it, and replace the file.

    `apply` makes the new data from the current data. Reading, applying, checking and
    writing happen under the repository's write lock, so a change made meanwhile by
    another command is never lost: this one is applied on top of it. With `base` (the
    bytes the caller read before a long pause, such as an editor session), the file is
    replaced only if it still holds exactly those bytes; otherwise Changed (Gone, when
    the file is no longer there) is raised and nothing is written. Problems in values
    that `given` (fields as text, from --from-file) gave name it, at its own lines.
    """
    from dprk_records.history.recorddiff import compare
    from dprk_records.records import yamlread

    commit = commit and not dry_run
    if commit:
        from dprk_records.history.commit import check_can_commit

        check_can_commit(repo.root, record.path)
    with _locked(repo, dry_run):
        if not os.path.lexists(record.path):
            raise Gone(record)
        raw = repo.read_bytes(record)
        if base is not None and raw != base:
            raise Changed(record)
        old = yamlread.loads(yamlread.decode(raw, record.rel), record.rel)
        new = apply(old)
        changes = compare(record.kind, old, new)
        if not changes:
            return Saved(None, changes=[])
        text, problems = check_update(repo, record, new)
        if problems:
            raise Invalid(in_input(problems, new, given, whole=False))
        if dry_run:
            return Saved(text, changes=changes)
        from dprk_records.records.writing import atomic_write

        atomic_write(record.path, text, exclusive=False)
    return _commit(repo, Saved(text, record, changes=changes), commit, "Update")


def _commit(repo: Repository, saved: Saved, commit: bool, verb: str) -> Saved:
    if commit and saved.record is not None:
        from dprk_records.history.commit import commit_file

        saved.message = f"{verb} {saved.record.kind.name} {saved.record.id}"
        try:
            saved.commit = commit_file(repo.root, saved.record.path, saved.message)
        except DataError as exc:
            raise NotCommitted(exc.message, hint=exc.hint, params=exc.param_words) from None
    return saved


def keep_unsaved(repo: Repository, name: str, text: str) -> str:
    """Keep text that could not be saved (the record changed, was renamed or deleted, or
    its id was taken while the editor was open) in the repository's own folder, as
    `.dprk-cache/unsaved/NAME-TIME.yaml`, a new file (never written through a link, never
    over another); returns its path relative to the root."""
    import time

    from dprk_records.records.writing import PRIVATE, create_file

    folder = repo.private_folder("unsaved")
    if folder is None:
        raise DataError(
            f"the edited text could not be kept: {repo.rel(repo.root / PRIVATE)} is not a folder of this repository"
        )
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
    for n in range(1000):
        path = folder / f"{name}-{stamp}{'-' + str(n) if n else ''}.yaml"
        try:
            create_file(path, text.encode("utf-8"), 0o666)
            return repo.rel(path)
        except FileExistsError:
            continue
        except OSError as exc:
            raise DataError(f"the edited text could not be kept in {repo.rel(folder)}: {exc.strerror or exc}") from None
    raise DataError(f"the edited text could not be kept in {repo.rel(folder)}")


def unsaved_error(repo: Repository, name: str, text: str, exc: DprkError) -> DprkError:
    """The error to give when text edited in the editor could not be saved (`exc` says
    why): one line, with the exit status of `exc`, saying where the text is now kept."""
    from dprk_records.errors import YamlError

    why, hint = (str(exc) if isinstance(exc, YamlError) else exc.message), exc.hint
    if isinstance(exc, Gone):
        why = f"{exc.record.rel} was renamed or deleted while you were editing it; nothing written"
        hint = "if it was renamed, copy your changes into the record under its new id"
    elif isinstance(exc, Changed):
        why = f"{exc.record.rel} changed while you were editing it (another command wrote it); nothing written"
        hint = f"run 'dprk update {exc.record.id} --edit' again and copy your changes from there"
    elif "nothing written" not in why:
        why += "; nothing written"
    try:
        kept = f"Your edited text is kept in {keep_unsaved(repo, name, text)}"
    except DataError as failed:
        kept = failed.message[:1].upper() + failed.message[1:]
    return (UsageError if exc.exit_code == 2 else DataError)(f"{why}. {kept}", hint=hint, params=exc.param_words)
