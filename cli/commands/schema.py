"""`dprk schema [KIND]`: the kinds of record, or the fields of one kind."""

from __future__ import annotations

import click

from cli.commands import _complete
from cli.commands._options import ROW_OUTPUT, output_options, repo_option


@click.command("schema")
@click.argument("kind", required=False, shell_complete=_complete.kinds)
@output_options(*ROW_OUTPUT)
@repo_option
def command(repo, kind: str | None, fmt: str, style: str) -> None:
    """List the kinds of record, or, given KIND, the fields of that kind.

    KIND may be singular or plural (launch, launches). Everything shown is read
    from the schema files under schema/.
    """
    import sys

    from cli.output.formats import write_rows
    from cli.records.schemainfo import describe_fields, describe_kinds

    headers, rows = describe_kinds(repo) if kind is None else describe_fields(repo.kind(kind))
    write_rows(sys.stdout, fmt, headers, rows, style=style, escape=False)
