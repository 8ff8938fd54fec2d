"""`dprk show ID`: one record, and the records that link to it."""

from __future__ import annotations

import click

from dprk_records.commands import _complete
from dprk_records.commands._options import output_options, repo_option


@click.command("show")
@click.argument("record_id", metavar="ID", shell_complete=_complete.record_ids())
@output_options("record")
@click.option("--no-links", is_flag=True, help="Leave out the records that link here (faster: no scan).")
@click.option(
    "--paths",
    is_flag=True,
    help="Print each value with its path, the one 'dprk diff' prints and 'update --set' "
    "and '--remove' take (tags[=russia], observations[actor=KCNA].apogee_km).",
)
@repo_option
def command(repo, record_id: str, fmt: str, no_links: bool, paths: bool) -> None:
    """Print the record with id ID in canonical YAML, then the records that link to it.

    Links are the reference fields of other records: the meetings that took up a
    launch, the statements that respond to it, the report presented at a meeting.

    \b
    Examples:
      dprk show 2023-11-21-malligyong-1-satellite
      dprk show 2023-11-21-malligyong-1-satellite --paths
    """
    import sys

    from dprk_records.errors import one_line
    from dprk_records.output.registry import writer
    from dprk_records.output.writers import Shown
    from dprk_records.selection.links import backlinks

    out = writer(fmt, "record")
    record = repo.get_record(record_id)
    data = repo.load(record)
    shown = Shown(record.kind.name, record.id, data)
    if paths:
        from dprk_records.history.recorddiff import record_paths

        shown.paths = record_paths(record.kind, data)
        out.write_record(sys.stdout, shown)
        return

    def skipped(error: Exception) -> None:
        click.echo(one_line(f"dprk show: warning: {error}; links from that file are not shown"), err=True)

    shown.links = None if no_links else list(backlinks(repo, record.id, on_error=skipped))
    shown.text = repo.render(record.kind, data)
    out.write_record(sys.stdout, shown)
