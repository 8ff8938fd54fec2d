"""`dprk serve`: browse the records in datasette on this machine."""

from __future__ import annotations

import click

from dprk_records.commands._options import repo_option


@click.command("serve")
@click.option(
    "--port", type=click.IntRange(0, 65535), default=8001, show_default=True, help="The port on 127.0.0.1 to serve on."
)
@click.option(
    "--no-cache", is_flag=True, help="Parse every record afresh, neither reading nor writing the parse cache."
)
@repo_option
def command(repo, port: int, no_cache: bool) -> None:
    """Build the SQLite export and serve it with datasette on 127.0.0.1.

    Tables and columns carry their titles and descriptions from the schema files;
    references are foreign keys, so a launch's page lists the meetings and statements
    that point at it; the canned queries 'reactions_by_event', 'votes_by_state' and
    'records_by_date' are one click away.
    The database is rebuilt at every start, in .dprk-cache/serve/. Stop with Ctrl-C.
    Needs datasette: pip install 'dprk-records[serve]'.
    """
    import os
    import sys

    from dprk_records.errors import DataError
    from dprk_records.output.datasette import (
        DATABASE,
        check_installed,
        check_port,
        clear_folder,
        metadata,
        serve_command,
        write_metadata,
    )
    from dprk_records.output.export import derived_tables, write_database
    from dprk_records.output.tables import Layout
    from dprk_records.records.writing import PRIVATE, atomic_file
    from dprk_records.selection.filters import build_selection

    check_installed(repo.root)
    check_port(port)
    folder = repo.private_folder("serve")
    if folder is None:
        raise DataError(
            f"cannot use {repo.root / PRIVATE}/serve for the database (it is a link, or not a folder of this repository)",
            hint="remove it; dprk serve makes it afresh",
        )
    database, meta = clear_folder(folder, repo.rel(folder))
    selection = build_selection(repo, (), use_cache=not no_cache)
    with atomic_file(database, replace=True, binary=True) as temp:
        count = write_database(repo, selection, temp, str(database))
    write_metadata(meta, metadata(Layout(selection.kinds), derived_tables(repo, selection)[0].tables), repo.rel(meta))
    click.echo(f"serving {count} records at http://127.0.0.1:{port}/{DATABASE} (Ctrl-C to stop)", err=True)
    sys.stdout.flush()
    sys.stderr.flush()
    command = serve_command(database, meta, port, root=repo.root)
    os.execv(command[0], command)
