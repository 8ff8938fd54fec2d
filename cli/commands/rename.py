"""`dprk rename OLD NEW`: change a record's id, and every reference to it, in one step."""

from __future__ import annotations

import click

from dprk_records.commands import _complete
from dprk_records.commands._options import repo_option


@click.command("rename")
@click.argument("old_id", metavar="OLD", shell_complete=_complete.record_ids())
@click.argument("new_id", metavar="NEW")
@click.option("--dry-run", is_flag=True, help="Say what would change, and write nothing.")
@click.option(
    "--commit", is_flag=True, help="Commit the moved file and the records that refer to it, and nothing else."
)
@repo_option
def command(repo, old_id: str, new_id: str, dry_run: bool, commit: bool) -> None:
    """Give the record OLD the id NEW: its file is moved, its id changed, and every
    reference to it in other records follows, in one step that leaves the repository
    valid. Everything is checked first; nothing is written when a check fails. A
    rename that is interrupted is finished by the next dprk command that writes, or by
    'dprk validate'.

    Exit status: 0 renamed; 1 invalid data, nothing written (NEW is already the id of a
    record of any kind, or a record the rename changes would be invalid); 2 usage error
    (no record OLD, NEW not an id or the same as OLD).

    \b
    Example (--dry-run says what would change and writes nothing):
      dprk rename 2023-11-21-malligyong-1-satellite 2023-11-21-malligyong-1-satellite-launch --dry-run
    """
    from dprk_records.commands import _editing as ui
    from dprk_records.editing.rename import rename

    result = ui.save(lambda: rename(repo, old_id, new_id, dry_run=dry_run, commit=commit))
    verb = "would rename" if dry_run else "renamed"
    click.echo(f"{verb} {result.old.rel} -> {result.new.rel}")
    for record, paths in result.referrers:
        click.echo(f"  {record.rel}: {', '.join(paths)}")
    if result.commit:
        click.echo(f"committed {result.commit}: {result.message}", err=True)
