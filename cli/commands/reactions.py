"""`dprk reactions [KIND]...`: the Council's response to each launch and nuclear test."""

from __future__ import annotations

import click

from dprk_records.commands._options import AnyCase, output_options, repo_option, selection_options


def _events(repo):
    from dprk_records.selection.reactions import event_kinds

    return event_kinds(repo)


@click.command("reactions")
@repo_option
@selection_options(default_kinds=lambda repo: _events(repo))
@click.option(
    "--by",
    type=AnyCase(["year", "month"]),
    default=None,
    help="A summary per year or month instead of one row per event.",
)
@output_options("rows")
def command(repo, selection, fields, explode, by: str | None, fmt: str, style: str) -> None:
    """For each launch and nuclear test: the first Council meeting on it and how many days
    later, every statement and resolution that responds to it (with its status), and the
    days to the first agreed Council product.

    KIND is launch or nuclear-test (default: both); --since, --until, --where and --search
    choose the events, as in 'dprk query'. With --by year (or month): per period, the
    events, how many the Council met on, how many got an agreed product and how many met
    a product proposed and not agreed, with the share of each. The table shows date, id,
    response and days to it; --fields names other columns (every format takes it). Everything is derived from
    the links between records. Where the repository states how complete each year's
    launches are (docs/coverage.md), a note on stderr points to it.

    \b
    Examples:
      dprk reactions --since 2022 --where category=ICBM
      dprk reactions --by year
      dprk reactions --by year --csv > reactions-by-year.csv
    """
    import sys

    from dprk_records.output.formats import chosen_columns, chosen_rows
    from dprk_records.output.registry import writer
    from dprk_records.selection import coverage, reactions

    if explode:
        raise click.UsageError("--explode does not apply to reactions")
    columns = reactions.SUMMARY_COLUMNS if by else reactions.COLUMNS
    out = writer(fmt, "rows", style=style)
    chosen = chosen_columns(columns, fields, reactions.TABLE_COLUMNS if out.terminal and not by else None)
    found = reactions.reactions(repo, selection)
    if not found:
        click.echo(f"dprk: {selection.nothing_found()}", err=True)
    body = reactions.summary(found, by.lower()) if by else reactions.rows(found)
    out.write_rows(sys.stdout, chosen, chosen_rows(columns, body, chosen))
    note = coverage.note(repo.root)
    if note:
        click.echo(f"dprk: {note}", err=True)
