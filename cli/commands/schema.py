"""`dprk schema [KIND]`: the kinds of record, or the fields of one kind."""

from __future__ import annotations

import json

import click

from cli.commands._options import repo_option


@click.command("schema")
@click.argument("kind", required=False)
@click.option("--format", "output", type=click.Choice(["table", "json", "markdown"]), default="table", show_default=True,
              help="How to print the list.")
@repo_option
def command(repo, kind: str | None, output: str) -> None:
    """List the kinds of record, or, given KIND, the fields of that kind.

    KIND may be singular or plural (launch, launches). Everything shown is read
    from the schema files under schema/.
    """
    from cli.records.schemainfo import describe_fields, describe_kinds

    if kind is None:
        headers, rows = describe_kinds(repo)
    else:
        headers, rows = describe_fields(repo.kind(kind))
    if output == "json":
        click.echo(json.dumps([dict(zip(headers, row)) for row in rows], indent=2, ensure_ascii=False))
        return
    from tabulate import tabulate

    style = "github" if output == "markdown" else "simple"
    click.echo(tabulate(rows, headers=headers, tablefmt=style, maxcolwidths=[None, None, None, 40, 60] if kind and output == "table" else None))
