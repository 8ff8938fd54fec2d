"""`dprk schema [KIND]`: the kinds of record, or the fields of one kind."""

from __future__ import annotations

import click

from dprk_records.commands import _complete
from dprk_records.commands._options import output_options, repo_option


@click.command("schema")
@click.argument("kind", required=False, shell_complete=_complete.kinds)
@click.option(
    "--values",
    "values",
    metavar="FIELD",
    shell_complete=_complete.where,
    help="List the allowed values of FIELD (of KIND, or of any kind), with the name of each state code; "
    "'state' lists the state codes.",
)
@output_options("rows")
@repo_option
def command(repo, kind: str | None, values: str | None, fmt: str, style: str) -> None:
    """List the kinds of record, or, given KIND, the fields of that kind, or, with
    --values FIELD, the values a field allows.

    KIND may be singular or plural (launch, launches). Everything shown is read
    from the schema files under schema/.

    \b
    Examples:
      dprk schema
      dprk schema launch
      dprk schema --values state
      dprk schema launch --values category
    """
    import sys

    from dprk_records.output.registry import writer
    from dprk_records.records.schemainfo import describe_fields, describe_kinds, describe_values, values_field

    chosen = repo.kind(kind) if kind is not None else None
    if values is not None:
        headers, rows = describe_values(values_field(repo, chosen, values))
    else:
        headers, rows = describe_kinds(repo) if chosen is None else describe_fields(chosen)
    writer(fmt, "rows", style=style, escape=False).write_rows(sys.stdout, headers, rows)
