"""Query and export: selected records out in one format, to a stream or a file.

JSON and JSON Lines give the records exactly as stored (full fidelity) unless
--fields or --explode ask for rows, in which case each row is an object with the
chosen columns. Every other format gives rows (see dprk_records.selection.rows).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import IO, Any

from dprk_records.errors import UsageError
from dprk_records.output.formats import atomic_output, check_output, write_json, write_jsonl, write_rows
from dprk_records.selection.filters import Selection
from dprk_records.selection.rows import available_columns, choose_columns, explode_field, selected_rows


def write_selection(
    repo: Any,
    selection: Selection,
    out: IO[str],
    fmt: str,
    *,
    fields: tuple[str, ...] = (),
    explode: str | None = None,
    style: str = "simple",
    escape: bool = True,
) -> int:
    """Write the selected records to `out`; returns the number of rows (or records) written."""
    exploded = explode_field(selection, explode) if explode is not None else None
    if fmt in ("json", "jsonl") and not fields and not exploded:
        records = (data for _, data in selection.records(repo))
        return write_json(out, records) if fmt == "json" else write_jsonl(out, records)
    columns = choose_columns(selection, fields, compact=fmt == "table")
    if exploded and not fields:
        # the exploded field's own columns belong in the rows, even on the compact terminal table
        names = {c.name for c in columns}
        columns += [c for c in available_columns(selection.kinds) if c.path[:1] == exploded and c.name not in names]
    if fmt in ("csv", "tsv"):  # from the lines the parse cache keeps, where it can
        from dprk_records.output.rendered import write_rendered

        count = write_rendered(
            repo, selection, out, columns, exploded, delimiter="," if fmt == "csv" else "\t", escape=escape
        )
        if count is not None:
            return count
    body = selected_rows(repo, selection, columns, exploded)
    return write_rows(out, fmt, [c.name for c in columns], body, style=style, escape=escape, drop_empty=not fields)


def export(
    repo: Any,
    selection: Selection,
    fmt: str,
    output: str | None,
    *,
    fields: tuple[str, ...] = (),
    explode: str | None = None,
    force: bool = False,
    bom: bool = False,
    escape: bool = True,
    stdout: IO[str] | None = None,
) -> int:
    """Export to a file (atomically) or to stdout; sqlite needs a file."""
    if output is not None and not output.strip():
        raise UsageError("-o was given an empty file name", hint="name the file to write, or '-' for stdout")
    if output is not None and output != "-":
        refuse_repository_files(repo, Path(output), folder=fmt == "datapackage")
    if bom and fmt not in ("csv", "tsv"):
        raise UsageError(f"--bom is for csv and tsv, not {fmt}", hint="leave out --bom")
    if fmt == "datapackage":
        if output is None or output == "-":
            raise UsageError(
                "--format datapackage needs -o FOLDER",
                hint="for example: dprk export --format datapackage -o dprk-package",
            )
        if fields or explode:
            raise UsageError(
                "--fields and --explode do not apply to --format datapackage", hint="the package holds every field"
            )
        from dprk_records.output.datapackage import write_datapackage

        extra, watch = derived_tables(repo, selection)
        return write_datapackage(
            Path(output), selection.kinds, watch(selection.records(repo)), force=force, derived=extra
        )
    if fmt == "sqlite":
        if output is None or output == "-":
            raise UsageError(
                "--format sqlite needs -o FILE", hint="for example: dprk export --format sqlite -o dprk.sqlite"
            )
        if fields or explode:
            raise UsageError(
                "--fields and --explode do not apply to --format sqlite",
                hint="the database holds every field; select columns in SQL",
            )
        check_output(Path(output), force)
        companions = sqlite_companions(Path(output), force)
        with atomic_output(Path(output), force=force, binary=True) as temp:
            count = write_database(repo, selection, temp, output)
            for companion in companions:  # before the new file takes the name: SQLite would read them into it
                companion.unlink(missing_ok=True)
            return count
    if output is None or output == "-":
        out = stdout or sys.stdout
        if bom:
            out.write("\ufeff")
        return write_selection(repo, selection, out, fmt, fields=fields, explode=explode, escape=escape)
    with atomic_output(Path(output), force=force) as handle:
        if bom:
            handle.write("\ufeff")
        return write_selection(repo, selection, handle, fmt, fields=fields, explode=explode, escape=escape)


def sqlite_companions(path: Path, force: bool) -> list[Path]:
    """The files SQLite keeps beside a database (`NAME-wal`, `NAME-shm`, `NAME-journal`)
    left by an earlier database of that name. SQLite would read them into a new file of
    that name (a stale write-ahead log replaces its pages), so with `force` they go with
    the file they belong to; without it, or when one is not a regular file, it is a usage
    error and nothing is written."""
    found = []
    for suffix in ("-wal", "-shm", "-journal"):
        companion = path.with_name(path.name + suffix)
        if not os.path.lexists(companion):
            continue
        if companion.is_symlink() or not companion.is_file():
            raise UsageError(
                f"{str(companion)!r} is not a regular file; export will not replace {str(path)!r} beside it",
                hint="choose another -o",
            )
        if not force:
            raise UsageError(
                f"{str(companion)!r} is left from an earlier SQLite database named {str(path)!r}, and SQLite "
                "would read it into the new one",
                hint="add --force to replace both, or remove it",
            )
        found.append(companion)
    return found


def refuse_repository_files(
    repo: Any, output: Path, *, folder: bool = False, what: str = "a data package", example: str = "dprk-package"
) -> None:
    """An export never writes over the records or the schemas, nor (a data package or the
    site, which are a `folder`: `what`, with an `example` name) into the repository's own top folder."""
    target = (Path.cwd() / output).resolve() if not output.is_absolute() else output.resolve()
    for own in (repo.records_dir.resolve(), repo.schema_dir.resolve()):
        if (folder and target == own) or own in target.parents:
            raise UsageError(
                f"{output}: {'is' if target == own else 'inside'} {own.name}/, which holds the repository's own files",
                hint="write the export elsewhere",
            )
    if folder and target == Path(repo.real_root):
        raise UsageError(
            f"{output}: is the repository's own folder; {what} needs a folder of its own",
            hint=f"for example: -o {example}",
        )


def derived_tables(repo: Any, selection: Selection) -> Any:
    """The `reactions` and `votes` tables of an export of `selection` (dprk_records.output.derived)."""
    from dprk_records.output.derived import derived
    from dprk_records.output.tables import Layout

    return derived(repo, Layout(selection.kinds), use_cache=selection.use_cache)


def write_database(repo: Any, selection: Selection, path: Path, display: str) -> int:
    """The SQLite export of `selection` at `path` (a temporary file), derived tables included."""
    from dprk_records.output.sqlitedb import write_sqlite

    extra, watch = derived_tables(repo, selection)
    return write_sqlite(path, selection.kinds, watch(selection.records(repo)), display=display, derived=extra)
