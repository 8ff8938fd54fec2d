"""`dprk log ID`: the history of one record."""

from __future__ import annotations

import click

from dprk_records.commands import _complete
from dprk_records.commands._options import output_options, repo_option


@click.command("log")
@click.argument("record_id", metavar="ID", shell_complete=_complete.record_ids())
@output_options("log")
@repo_option
def command(repo, record_id: str, fmt: str) -> None:
    """List the commits that touched record ID, newest first, with the fields each changed.

    Renames are followed, and a removed record is found by its id in history.
    """
    import sys

    from dprk_records.history.revisions import record_log
    from dprk_records.output.registry import writer

    path, entries = record_log(repo, record_id)
    writer(fmt, "log").write_log(sys.stdout, entries)
