"""`dprk stats [KIND]...`: counts per kind per year or month, with a bar chart."""

from __future__ import annotations

import click

from dprk_records.commands import _complete
from dprk_records.commands._options import output_options, repo_option


@click.command("stats")
@click.argument("kinds", nargs=-1, metavar="[KIND]...", shell_complete=_complete.kinds)
@click.option(
    "--by", type=click.Choice(["year", "month"]), default="year", show_default=True, help="Count per year or per month."
)
@click.option("--since", metavar="DATE", help="Only records whose date span ends on or after DATE.")
@click.option("--until", metavar="DATE", help="Only records whose date span starts on or before the end of DATE.")
@click.option(
    "--where",
    multiple=True,
    metavar="'FIELD OP VALUE'",
    shell_complete=_complete.where,
    help="Only records matching, as in 'dprk query'.",
)
@click.option("--search", metavar="TEXT", help="Only records whose text anywhere contains TEXT (any case).")
@click.option("--no-chart", is_flag=True, help="Print the table only.")
@click.option(
    "--no-cache", is_flag=True, help="Parse every record afresh, neither reading nor writing the parse cache."
)
@repo_option
@output_options("rows")
def command(
    repo, kinds, by: str, since, until, where, search, no_chart: bool, no_cache: bool, fmt: str, style: str
) -> None:
    """Count records per kind per year (or --by month), as a table and a bar chart.

    In month mode a record dated only by year counts under YYYY-??. Where launches or
    nuclear tests are counted and the repository states how complete each year's launches
    are (docs/coverage.md), a note on stderr points to it.
    """
    import sys

    from dprk_records.output.registry import writer
    from dprk_records.selection import coverage
    from dprk_records.selection.filters import build_selection
    from dprk_records.selection.reactions import event_kinds
    from dprk_records.selection.stats import count

    selection = build_selection(
        repo, kinds, since=since, until=until, where=where, search=search, use_cache=not no_cache
    )
    header, rows = count(repo, selection, by)
    writer(fmt, "rows", style=style, escape=False).write_counts(sys.stdout, header, rows, chart=not no_chart)
    note = coverage.note(repo.root)
    if note and {k.name for k in selection.kinds} & {k.name for k in event_kinds(repo)}:
        click.echo(f"dprk: {note}", err=True)
