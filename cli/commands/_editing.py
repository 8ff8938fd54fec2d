"""Click glue shared by `dprk add` and `dprk update`: generated options, prompts, the editor.

The options of both commands depend on the repository's schema, so the repository is
found when the command line is parsed, by dprk_records.commands._repo.repository (which
reads a `--repo` given before or after the kind or id).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import click

from dprk_records.commands import _complete, _prompt, _repo
from dprk_records.commands._folder import Folder
from dprk_records.editing import NotCommitted, unsaved_error
from dprk_records.editing.saving import Invalid
from dprk_records.editing.values import read_document_text
from dprk_records.errors import DprkError
from dprk_records.history.commit import check_can_commit
from dprk_records.records import yamlread

REPO_HELP = _repo.HELP


class RepoGroup(click.Group):
    """A group whose subcommands are made from the repository's schema when they are looked up."""

    def resolve_command(self, ctx: click.Context, args: list[str]) -> Any:
        _repo.pending(ctx, args[1:])  # a --repo after the kind or id names the schema the subcommand is made from
        return super().resolve_command(ctx, args)

    def repository(self, ctx: click.Context) -> Any:
        """The repository (found once per run: its schemas are then read only once)."""
        return _repo.repository(ctx)


def field_options(specs: list[Any]) -> list[click.Option]:
    """One click option per generated OptionSpec; values stay strings for the core to convert."""

    options = []
    for spec in specs:
        element = spec.field.items if spec.field.items is not None else spec.field
        references = spec.field.references or element.references
        complete = (
            _complete.record_ids(*references)
            if references
            else _complete.states(element.names)
            if element.names
            else _complete.choices(spec.choices)
            if spec.choices
            else None
        )
        # values stay text: the library matches allowed values (in any case) and says what was meant
        options.append(
            click.Option(
                [*spec.flags, spec.param],
                multiple=spec.multiple,
                metavar=f"[{'|'.join(spec.choices)}]" if spec.choices else spec.metavar,
                help=spec.help,
                type=click.STRING,
                shell_complete=complete,
            )
        )
    return options


def common_options(*, update: bool) -> list[click.Option]:
    edit_help = (
        (
            "Open $EDITOR on the record with these changes; check it on save, and reopen with the problems "
            "shown until it is valid (empty the file to give up)."
        )
        if update
        else (
            "Open $EDITOR on a template filled with the values given; check it on save, and reopen with the "
            "problems shown until it is valid (empty the file to give up; nothing is written)."
        )
    )
    from_help = (
        "A YAML or JSON file of fields to change ('-' for stdin); a field set to null is removed."
        if update
        else "Take the record from a YAML or JSON file ('-' for stdin); options given as well override its fields."
    )
    options = [
        click.Option(["--from-file"], metavar="FILE", type=click.Path(allow_dash=True), help=from_help),
        click.Option(["--edit"], is_flag=True, help=edit_help),
        click.Option(["--dry-run"], is_flag=True, help="Print the record in canonical YAML and write nothing."),
        click.Option(["--commit"], is_flag=True, help="Commit the record file, and nothing else, with git."),
        click.Option(["--repo", "repo_dir"], metavar="DIR", type=Folder(), help=REPO_HELP),
    ]
    if not update:
        options += [
            click.Option(
                ["--no-input"],
                is_flag=True,
                help="Never prompt: fail, listing the missing fields, when required fields are missing.",
            ),
            click.Option(
                ["--prompt"],
                is_flag=True,
                help="Prompt for missing fields even when stdin is not a terminal (answers from a pipe).",
            ),
        ]
    return options


def reserved_flags() -> list[str]:
    """The flags add and update keep for themselves, the same for both, so that a field's
    option has the same name in each; `--format` too, which is the output format everywhere."""
    flags = {flag for update in (False, True) for option in common_options(update=update) for flag in option.opts}
    return sorted(flags | {"--format", "--unset", "--set", "--append", "--remove", "--help", "-h"})


def read_from_file(name: str) -> tuple[str, str]:
    """The text of `--from-file` (a path, or '-' for stdin) and a name to show in messages:
    the path as given, or `<stdin>`."""

    if name == "-":  # read at most one byte past the record size limit, then check it like a file
        stream = getattr(sys.stdin, "buffer", None)
        data = (
            stream.read(yamlread.MAX_BYTES + 1)
            if stream is not None
            else sys.stdin.read(yamlread.MAX_BYTES + 1).encode("utf-8")
        )
        return yamlread.decode(data, "<stdin>"), "<stdin>"
    return read_document_text(name), name


def stdin_is_terminal() -> bool:
    try:
        return sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


def ask(question: Any) -> Any:
    """Prompt for one field; the core checks the answer, and it is asked again while it is wrong.
    Ctrl-C raises KeyboardInterrupt, the end of input a usage error (dprk_records.commands._prompt)."""

    if question.help:
        click.echo(f"({question.help})", err=True)
    choices = question.choices
    if choices:
        for number, choice in enumerate(choices, 1):
            click.echo(f"  {number}) {choice}", err=True)
    suffix = "" if question.required else " (optional, Enter to skip)"
    if question.is_list:
        suffix += " (several: separate with commas)"
    return _prompt.ask(f"{question.label}{suffix}", question.parse, required=question.required)


def confirm(message: str, default: bool = False) -> bool:

    return _prompt.confirm(message, default)


def save(action: Callable[[], Any]) -> Any:
    """Run a save from dprk_records.editing; if the record is invalid, print its problems as
    `dprk validate` does and fail with exit status 1."""

    try:
        return action()
    except Invalid as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        raise


def save_edited(repo: Any, name: str, text: Callable[[], str], action: Callable[[], Any]) -> Any:
    """Run a save of a record edited in the editor (see `save`). If it fails before the
    record is written (the record changed, was renamed or deleted, its id was taken, or
    a merge began while the editor was open), the edited text is kept in
    `.dprk-cache/unsaved/` and the one-line error, with the same exit status, says where."""

    try:
        return save(action)
    except NotCommitted:
        raise  # the record is written; the message says what is left
    except DprkError as exc:
        raise unsaved_error(repo, name, text(), exc) from None


def check_commit(params: dict[str, Any], root: Any, path: Any) -> None:
    """With --edit and --commit, refuse a commit git could not make before the editor opens
    (it is checked again when the record is written)."""
    if params["edit"] and params["commit"] and not params["dry_run"]:
        check_can_commit(root, path)


def report_saved(saved: Any, changes: list[str]) -> None:
    """Print what a save did: the text on a dry run (changes on stderr), else the path,
    the changes and the commit."""
    if saved.record is None:  # a dry run: the record on stdout, what would change apart, on stderr
        click.echo(saved.text, nl=False)
        if changes:
            click.echo("dry run, nothing written; the changes:", err=True)
        else:
            click.echo("dry run, nothing written", err=True)
        for line in changes:
            click.echo(f"  {line}", err=True)
        return
    click.echo(saved.record.rel)
    for line in changes:
        click.echo(f"  {line}")
    if saved.commit:
        click.echo(f"committed {saved.commit}: {saved.message}", err=True)
