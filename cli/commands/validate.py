"""`dprk validate [PATH ...]`: check records against their schemas and each other."""

from __future__ import annotations

import click

from dprk_records.commands._options import output_options, repo_option

FLAGS = {"since": "--changed-since", "staged": "--staged", "paths": "PATH arguments"}  # see dprk_records.main.FLAGS


@click.command("validate")
@click.argument("paths", nargs=-1, type=click.Path())
@output_options("problems")
@click.option(
    "--changed-since",
    "since",
    metavar="REV",
    default=None,
    help="Check only the records changed since git revision REV (REV... : since the merge base with HEAD), "
    "plus every cross-record check those changes can break.",
)
@click.option(
    "--staged",
    is_flag=True,
    help="Check the records as the git index holds them (what the next commit holds), not the work tree: "
    "untracked records are left out, and a record removed with 'git rm --cached' is gone. For pre-commit.",
)
@click.option(
    "--no-cache",
    is_flag=True,
    help="Parse every file afresh, neither reading nor writing the parse cache (.dprk-cache/).",
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=None,
    metavar="N",
    help="Processes to use when many files need parsing. Default: the number of CPUs.",
)
@repo_option
@click.pass_context
def command(
    ctx: click.Context,
    repo,
    paths: tuple[str, ...],
    fmt: str,
    since: str | None,
    staged: bool,
    no_cache: bool,
    jobs: int | None,
) -> None:
    """Check records: strict YAML, the kind's schema, and checks across records.

    With no PATH, every record is checked. A PATH may be a record file or a kind
    folder. Each problem is printed as FILE:LINE:COLUMN: JSON-PATH: MESSAGE.
    Exit status: 0 when valid, 1 when there are problems, 2 on a usage error.

    With --changed-since REV, git names the records that changed between REV and the
    working tree (untracked records included); those are checked, along with any
    unchanged record that refers to a record removed or renamed since REV.

    With --staged, every record as the git index holds it: what a commit made now, and a
    clean clone of it, would hold. The pre-commit hook runs this.
    """
    from dprk_records.checks.validate import validate
    from dprk_records.commands._options import progress_bar

    with progress_bar("Validating") as progress:
        report = validate(repo, paths, since=since, staged=staged, use_cache=not no_cache, jobs=jobs, progress=progress)
    import sys

    from dprk_records.output.registry import writer

    writer(fmt, "problems").write_problems(sys.stdout, report)
    ctx.exit(0 if report.ok else 1)
