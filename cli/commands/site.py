"""`dprk site -o DIR`: the dataset as a static web site (HTML and CSS, no server)."""

from __future__ import annotations

import click

from dprk_records.commands._folder import Folder
from dprk_records.commands._options import repo_option
from dprk_records.output.export import refuse_repository_files
from dprk_records.output.site.build import build_site
from dprk_records.output.site.render import load_jinja


@click.command("site")
@repo_option
@click.option(
    "-o",
    "--output",
    metavar="DIR",
    required=True,
    type=Folder(),
    help="The folder to build the site in: new, empty, or one an earlier 'dprk site' built.",
)
@click.option("--force", is_flag=True, help="Build in a folder that holds other files (none of them is removed).")
def command(repo, output: str, force: bool) -> None:
    """Write the public site of the dataset: a home page (coverage, the timeline, the
    Council's response per year, the downloads), a page per record, index pages per kind
    and per year, a page per resolution and per Council member, and the CSV, SQLite and
    data-package exports. Plain HTML and CSS: open DIR/index.html, or publish DIR on any
    static host.

    Only pages whose content changed are written; pages of records no longer there are
    removed (only files an earlier build wrote, listed in DIR/.dprk-site.json). A record
    renamed with 'dprk rename' leaves a page at its old address that sends readers on
    (the renames are read from git history). Needs Jinja2: pip install 'dprk-records[site]'.

    \b
    Examples:
      dprk site -o site
      python -m http.server -d site 8000
    """
    from pathlib import Path

    if not output.strip():
        raise click.UsageError("-o was given an empty folder name")
    load_jinja()  # before any work: one line if it is missing
    refuse_repository_files(repo, Path(output), folder=True, what="the site", example="site")
    report = build_site(
        repo,
        Path(output),
        force=force,
        on_skip=lambda text: click.echo(f"dprk: warning: {text}", err=True),
    )
    click.echo(f"{output}: {report.text()}", err=True)
