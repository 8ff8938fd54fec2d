"""`dprk fmt [PATH ...]`: rewrite records into canonical form, or check that they are."""

from __future__ import annotations

import click

from dprk_records.commands._options import repo_option


@click.command("fmt")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option(
    "--check",
    is_flag=True,
    help="Write nothing; list the files not in canonical form with a short diff, and exit 1 if any.",
)
@repo_option
@click.pass_context
def command(ctx: click.Context, repo, paths: tuple[str, ...], check: bool) -> None:
    """Rewrite record files into canonical form: keys in schema order, block style, the schema header.

    With no PATH, every record is formatted; a PATH may be a record file or a kind
    folder. Only files that change are written (atomically) and named. Files that do
    not parse are reported and left untouched. Exit status: 0 when all is canonical
    (or was made so), 1 when --check found files to rewrite or a file does not parse.
    """
    from dprk_records.checks.canonical import format_records
    from dprk_records.errors import one_line

    report = format_records(repo, paths, write=not check)
    for rewrite in report.rewrites:
        if check:
            click.echo(f"{one_line(rewrite.rel)}: not in canonical form")
            click.echo(rewrite.diff, nl=False)
        else:
            click.echo(f"formatted {one_line(rewrite.rel)}")
    for problem in report.problems:
        click.echo(f"{problem} (not formatted)", err=True)
    verb = "would be rewritten" if check else "rewritten"
    click.echo(
        f"{report.checked} record{'s' if report.checked != 1 else ''} checked, {len(report.rewrites)} {verb}"
        + (f", {len(report.problems)} not readable" if report.problems else "")
    )
    failed = bool(report.problems) or (check and bool(report.rewrites))
    ctx.exit(1 if failed else 0)
