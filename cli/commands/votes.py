"""`dprk votes`: positions of Council members per year, from outcomes and statements."""

from __future__ import annotations

import click

from dprk_records.commands._options import OutputFile, output_options, repo_option, selection_options

FLAGS = {"output": "--chart"}  # the file the library writes is the chart's (see dprk_records.main.FLAGS)


def _voting(repo):
    from dprk_records.selection.vocabulary import positions

    return [k for k in repo.schemas.kinds.values() if positions(k)]


@click.command("votes")
@repo_option
@selection_options(default_kinds=_voting)
@output_options("rows")
@click.option(
    "--chart",
    "chart",
    metavar="FILE",
    type=OutputFile(),
    default=None,
    help="Also draw the positions to FILE.svg or FILE.png (atomically).",
)
@click.option("--force", is_flag=True, help="Replace the --chart FILE if it exists.")
def command(repo, selection, fields, explode, fmt: str, style: str, chart: str | None, force: bool) -> None:
    """For each Council member and year: votes in favour, against and abstaining, vetoes,
    and the joint statements it signed, derived from meeting outcomes and statements.

    A state counts only where a source lists how it voted: a vote given as counts alone
    (13-2-0, or 15-0-0 for "unanimously") names no state and adds nothing, so the figures
    are a floor. A veto is a permanent member's vote against a draft that was vetoed.
    --since, --until, --where and --search choose the meetings and statements, as in
    'dprk query'. The table shows year, state and the counts; --fields names others
    (name, vetoed: the meetings where the veto fell).

    \b
    Examples:
      dprk votes
      dprk votes --since 2022 --where outcomes.vote.against_states=RUS
      dprk votes --csv > votes.csv
      dprk votes --chart votes.svg
    """
    import sys
    from pathlib import Path

    from dprk_records.output.formats import atomic_output, chosen_columns, chosen_rows
    from dprk_records.output.registry import writer
    from dprk_records.selection import votes

    if explode:
        raise click.UsageError("--explode does not apply to votes")
    voting = _voting(repo)
    wrong = [k.name for k in selection.kinds if k not in voting]
    if wrong:
        raise click.UsageError(f"votes come from {', '.join(k.name for k in voting)}, not {', '.join(wrong)}")
    out = writer(fmt, "rows", style=style)
    chosen_fields = chosen_columns(votes.COLUMNS, fields, votes.TABLE_COLUMNS if out.terminal else None)
    if chart is not None:
        from dprk_records.output.chart import chart_format, load_matplotlib
        from dprk_records.output.export import refuse_repository_files

        chosen = chart_format(chart, None, choosable=False)
        load_matplotlib()
        refuse_repository_files(repo, Path(chart))
    found = votes.votes(selection.kinds, selection.records(repo))
    if not found:
        click.echo("dprk: no recorded position matches", err=True)
    body = votes.rows(found, votes.state_names(selection.kinds))
    out.write_rows(sys.stdout, chosen_fields, chosen_rows(votes.COLUMNS, body, chosen_fields))
    if chart is not None:
        from dprk_records.output.votechart import draw

        with atomic_output(Path(chart), force=force, binary=True) as temp:
            count = draw(found, temp, chosen)
        click.echo(f"wrote {chart}: {count} marks", err=True)
    click.echo(f"dprk: {votes.LIMIT}", err=True)
