"""`dprk chart -o FILE.svg|FILE.png [KIND]...`: a timeline picture of events and the Council's response."""

from __future__ import annotations

import click

from dprk_records.commands._options import AnyCase, OutputFile, repo_option, selection_options


def _events(repo):
    from dprk_records.selection.reactions import event_kinds

    return event_kinds(repo)


@click.command("chart")
@repo_option
@selection_options(default_kinds=_events)
@click.option(
    "-o",
    "--output",
    metavar="FILE",
    required=True,
    type=OutputFile(),
    help="The picture to write: FILE.svg or FILE.png (atomically).",
)
@click.option(
    "--format", "fmt", type=AnyCase(["svg", "png"]), default=None, help="svg or png. Default: from the file name."
)
@click.option("--title", metavar="TEXT", help="A title of your own.")
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
def command(repo, selection, fields, explode, output: str, fmt: str | None, title: str | None, force: bool) -> None:
    """Draw launches and nuclear tests by date, marked by category, with the Council's
    meetings on them, its agreed products and those not agreed or vetoed on the same axis.

    KIND, --since, --until, --where and --search choose the events, as in 'dprk reactions';
    every year from the first to the last is on the axis, years with nothing included
    (past 63 years, every 2nd, 5th, 10th... year: the picture's size is bounded).
    Needs matplotlib: pip install 'dprk-records[chart]'.

    \b
    Examples:
      dprk chart -o timeline.svg
      dprk chart -o icbms.png --where category=ICBM --since 2017
    """
    from pathlib import Path

    from dprk_records.output.chart import chart_format, draw, load_matplotlib
    from dprk_records.output.export import refuse_repository_files
    from dprk_records.output.formats import atomic_output
    from dprk_records.selection.reactions import reactions

    if fields or explode:
        raise click.UsageError("--fields and --explode do not apply to chart")
    chosen = chart_format(output, fmt)
    load_matplotlib()  # before any work: one line if it is missing
    refuse_repository_files(repo, Path(output))
    found = reactions(repo, selection)
    with atomic_output(Path(output), force=force, binary=True) as temp:
        count = draw(found, temp, chosen, title)
    click.echo(f"wrote {output}: {count} marks, {len(found)} events", err=True)
