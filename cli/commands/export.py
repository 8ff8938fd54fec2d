"""`dprk export [KIND]...`: selected records to a file for analysts."""

from __future__ import annotations

import click

from dprk_records.commands._options import OutputFile, output_options, repo_option, selection_options


@click.command("export")
@repo_option
@selection_options
@output_options("export")
@click.option(
    "-o",
    "--output",
    metavar="FILE",
    type=OutputFile(),
    help="Write to FILE (atomically) instead of stdout. Needed for sqlite.",
)
@click.option(
    "--force",
    is_flag=True,
    help="Replace FILE if it exists (a regular file only). For a data package: replace the "
    "package dprk wrote in the folder, its datapackage.json and the files it lists, and leave every other file alone.",
)
@click.option(
    "--bom", is_flag=True, help="Begin with a UTF-8 byte-order mark (for spreadsheets that need one to read UTF-8)."
)
@click.option(
    "--escape-formulas/--no-escape-formulas",
    default=True,
    show_default=True,
    help="In CSV and TSV, put a ' before a text cell that begins with = + - @ tab or CR, so spreadsheets do not run it.",
)
def command(
    repo, selection, fields, explode, fmt: str, output: str | None, force: bool, bom: bool, escape_formulas: bool
) -> None:
    """Write records as CSV, TSV, JSON, JSON Lines, Markdown, SQLite or a data package.

    CSV and TSV have a header and one row per record (or per list element with
    --explode), columns in schema order: a list as a JSON array, nested fields as
    dotted columns, numbers as numbers. Without a KIND, every kind goes in one table
    with the columns all kinds share; name a kind for all its columns. JSON and JSON
    Lines hold the records exactly as stored. SQLite holds one table per kind, one
    child table per list field and a view 'timeline'; a data package (-o FOLDER)
    the same tables as CSV files, described by datapackage.json. The file is written
    atomically: a failed export leaves no partial file, and an existing file is kept
    unless --force.

    \b
    Examples:
      dprk export launches -o launches.csv
      dprk export --format sqlite -o dprk.sqlite
      dprk export meetings --explode requested_by --fields id,date,requested_by
    """
    import dataclasses

    from dprk_records.commands._options import progress_bar
    from dprk_records.output.export import export

    with progress_bar("Exporting", enabled=bool(output and output != "-")) as progress:
        selection = dataclasses.replace(selection, progress=progress)
        count = export(
            repo, selection, fmt, output, fields=fields, explode=explode, force=force, bom=bom, escape=escape_formulas
        )
    if count == 0:
        click.echo(f"dprk: {selection.nothing_found()}", err=True)
    shared = ""
    if count and selection.timeline and not fields and not explode and _writes_rows(fmt):
        from dprk_records.selection.rows import timeline_columns

        names = [column.name for column in timeline_columns(selection.kinds)]
        folder = selection.kinds[0].folder
        shared = (
            f"only the {len(names)} columns every kind shares ({', '.join(names)}); for all of a kind's "
            f"columns, name the kind: 'dprk export {folder}{' -o ' + folder + '.' + fmt if output else ''}'"
        )
    if output and output != "-":
        noun = ("row" if explode else "record") + ("" if count == 1 else "s")
        click.echo(f"wrote {count} {noun} to {output}" + (f", with {shared}" if shared else ""), err=True)
    elif shared:
        click.echo(f"dprk: several kinds in one table, with {shared}", err=True)


def _writes_rows(fmt: str) -> bool:
    """Whether format `fmt` writes every kind as rows of one table (not the records as
    stored, and not a file of its own with a table per kind)."""
    from dprk_records.output.registry import writer

    chosen = writer(fmt, "export")
    return not chosen.defines("write_records") and not chosen.defines("write_file")
