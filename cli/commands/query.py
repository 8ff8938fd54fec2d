"""`dprk query [KIND]...`: selected records on the terminal, as a table or CSV, JSON, ..."""

from __future__ import annotations

import click

from dprk_records.commands._options import output_options, repo_option, selection_options


@click.command("query")
@repo_option
@selection_options
@output_options("rows")
def command(repo, selection, fields, explode, fmt: str, style: str) -> None:
    """Print records as a table (or --format csv, tsv, json, jsonl, markdown; --csv ... for short).

    KIND is one or more kinds (launch or launches, meeting, ...); with none, every
    kind is shown as one timeline with the columns they share. The table shows a
    kind's default columns, chosen for an 80-column terminal (its schema's
    x-table-columns), wrapping long text to fit; the other formats hold every field.
    --fields names the columns (dotted: observations.actor). --json and --jsonl give
    the records as stored, unless --fields or --explode ask for rows.

    Dates are spans: a record dated 2023-11 covers the whole month, so it matches
    --since 2023-11-15 and --until 2023-11-01.

    \b
    Examples:
      dprk query launches --since 2023 --where category=ICBM
      dprk query meetings --where requested_by=USA --fields date,id,format,requested_by
      dprk query --search satellite --sort -date --limit 5
    """
    import sys

    from dprk_records.output.export import write_selection

    if write_selection(repo, selection, sys.stdout, fmt, fields=fields, explode=explode, style=style) == 0:
        click.echo(f"dprk: {selection.nothing_found()}", err=True)
