"""`dprk diff [REVISIONS]`: what changed, in records rather than lines."""

from __future__ import annotations

import click

from dprk_records.commands._options import output_options, repo_option


@click.command("diff")
@click.argument("revisions", required=False, metavar="[REVISIONS]")
@output_options("diff")
@click.option("--stat", is_flag=True, help="Counts only: records added, removed, modified and renamed, by kind.")
@click.option("--exit-code", is_flag=True, help="Exit 1 when a record changed, 0 when none did.")
@repo_option
@click.pass_context
def command(ctx: click.Context, repo, revisions: str | None, fmt: str, stat: bool, exit_code: bool) -> None:
    """Show records added, removed, modified and renamed, and every field that changed.

    \b
    Examples:
      dprk diff                # the working tree (untracked records too) against HEAD
      dprk diff HEAD~1         # the working tree against a revision (REV)
      dprk diff HEAD~1..HEAD   # B against A, for any two revisions A..B
      dprk diff main...HEAD    # B against the merge base of A and B (A...B): the pull-request view

    Elements of a list are matched by their key where the schema gives one (an
    observation by its actor), else by position. Changed files that are not records
    (schemas, documentation) are listed apart and not compared.
    """
    import sys

    from dprk_records.history.revisions import diff_revisions
    from dprk_records.output.registry import writer

    diff = diff_revisions(repo, revisions)
    writer(fmt, "diff").write_diff(sys.stdout, diff, stat=stat)
    ctx.exit(1 if exit_code and diff.changed else 0)
