"""`dprk log ID`: the history of one record."""

from __future__ import annotations

import json

import click

from dprk_records.commands import _complete
from dprk_records.commands._options import output_options, repo_option


@click.command("log")
@click.argument("record_id", metavar="ID", shell_complete=_complete.record_ids())
@output_options("text", "json", "jsonl")
@repo_option
def command(repo, record_id: str, fmt: str) -> None:
    """List the commits that touched record ID, newest first, with the fields each changed.

    Renames are followed, and a removed record is found by its id in history.
    """
    from dprk_records.errors import one_line
    from dprk_records.history.render import render_change_block
    from dprk_records.history.revisions import record_log

    path, entries = record_log(repo, record_id)
    if fmt == "json":
        click.echo(json.dumps([entry.to_dict() for entry in entries], indent=2, ensure_ascii=False))
        return
    if fmt == "jsonl":
        for entry in entries:
            click.echo(json.dumps(entry.to_dict(), ensure_ascii=False))
        return
    for entry in entries:
        commit = entry.commit
        click.echo(one_line(f"{commit.short} {commit.date} {commit.author}: {commit.subject}"))
        if entry.change is not None:
            click.echo(render_change_block(entry.change, indent="  "), nl=False)
