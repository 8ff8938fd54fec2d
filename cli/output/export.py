"""Query and export: selected records out in one format, to a stream or a file.

JSON and JSON Lines give the records exactly as stored (full fidelity) unless
`fields` or `explode` ask for rows, in which case each row is an object with the
chosen columns. Every other format gives rows (see dprk_records.selection.rows).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import IO, Any

from dprk_records.errors import UsageError
from dprk_records.output.formats import atomic_output
from dprk_records.output.registry import Writer, writer
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
    """Write the selected records to `out` in format `fmt` (dprk_records.output.registry);
    returns the number of rows (or records) written."""
    return _write(repo, selection, out, writer(fmt, "rows", style=style, escape=escape), fields, explode)


def _write(
    repo: Any, selection: Selection, out: IO[str], chosen: Writer, fields: tuple[str, ...], explode: str | None
) -> int:
    exploded = explode_field(selection, explode) if explode is not None else None
    if chosen.defines("write_records") and not fields and not exploded:
        return chosen.write_records(out, (data for _, data in selection.records(repo)))
    columns = choose_columns(selection, fields, compact=chosen.terminal)
    if exploded and not fields:
        # the exploded field's own columns belong in the rows, even on the compact terminal table
        names = {c.name for c in columns}
        columns += [c for c in available_columns(selection.kinds) if c.path[:1] == exploded and c.name not in names]
    if chosen.delimiter is not None:  # from the lines the parse cache keeps, where it can
        from dprk_records.output.rendered import write_rendered

        count = write_rendered(
            repo, selection, out, columns, exploded, delimiter=chosen.delimiter, escape=chosen.escape
        )
        if count is not None:
            return count
    body = selected_rows(repo, selection, columns, exploded)
    return chosen.write_rows(out, [c.name for c in columns], body, drop_empty=not fields)


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
    """Export in format `fmt` to the file `output` (atomically) or to stdout (None or '-');
    the formats that write a file of their own (sqlite, a data package) need `output`."""
    chosen = writer(fmt, "export", escape=escape)
    to_stdout = output is None or output == "-"
    if output is not None and not output.strip():
        raise UsageError(
            "{output} was given an empty file name",
            hint="name the file to write, or '-' for stdout",
            params=("output",),
        )
    if not to_stdout:
        refuse_repository_files(repo, Path(output), folder=chosen.target == "folder")
    if bom and chosen.delimiter is None:
        raise UsageError("{bom} is for csv and tsv, not " + fmt, hint="leave out {bom}", params=("bom",))
    if chosen.defines("write_file"):
        if to_stdout:
            where = chosen.target.upper()
            raise UsageError(
                "{fmt=" + fmt + "} needs {output=" + where + "}",
                hint="for example: {fmt=" + fmt + "} {output=" + chosen.example + "}",
                params=("output", "fmt"),
            )
        if fields or explode:
            raise UsageError(
                "{fields} and {explode} do not apply to {fmt=" + fmt + "}",
                hint="the package holds every field"
                if chosen.target == "folder"
                else "the database holds every field; select columns in SQL",
                params=("fields" if fields else "explode", "explode" if fields else "fields", "fmt"),
            )
        return chosen.write_file(repo, selection, output, force=force)
    if to_stdout:
        out = stdout or sys.stdout
        if bom:
            out.write("\ufeff")
        return _write(repo, selection, out, chosen, fields, explode)
    with atomic_output(Path(output), force=force) as handle:
        if bom:
            handle.write("\ufeff")
        return _write(repo, selection, handle, chosen, fields, explode)


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
                hint="choose another {output}",
                params=("output",),
            )
        if not force:
            raise UsageError(
                f"{str(companion)!r} is left from an earlier SQLite database named {str(path)!r}, and SQLite "
                "would read it into the new one",
                hint="add {force} to replace both, or remove it",
                params=("output", "force"),
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
            hint=f"for example: {{output={example}}}",
            params=("output",),
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
