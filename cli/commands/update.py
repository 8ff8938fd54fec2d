"""`dprk update ID`: change fields of a record, with options made from its kind's schema."""

from __future__ import annotations

from typing import Any

import click

from dprk_records.commands import _editing as ui

RESERVED = ui.reserved_flags()


class UpdateGroup(ui.RepoGroup):
    """The record id takes the place of a subcommand; its options are those of the record's kind."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return []  # ids are not listed: update never reads the whole repository

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        repo = self.repository(ctx)
        return make_command(repo, repo.get_record(name))

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        pass

    def shell_complete(self, ctx: click.Context, incomplete: str) -> list:
        """Record ids, for `dprk update <TAB>` (the options are completed once the id is given)."""
        from dprk_records.commands import _complete

        if incomplete.startswith("-"):
            return super().shell_complete(ctx, incomplete)
        return _complete.record_ids()(ctx, None, incomplete)


PATH_OPTIONS = {"set_paths": "set", "append_paths": "append", "remove_paths": "remove"}


class PartsInOrder(click.Command):
    """A command that notes the order in which --set, --append and --remove were given.

    click hands each option its own values, not how the options interleave; the parser
    it builds for the command does record each option as it meets it, so the arguments
    are read once more by that parser, before click reads them for the values."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            _, _, seen = self.make_parser(ctx).parse_args(args=list(args))
        except click.UsageError:
            seen = []  # the parse below reports it
        ctx.meta["dprk.parts_order"] = [param.name for param in seen if param.name in PATH_OPTIONS]
        return super().parse_args(ctx, args)


def parts_in_order(params: dict[str, Any], order: list[str]) -> list[tuple[str, str]]:
    """(verb, text) of each --set, --append and --remove, in command-line order."""
    values = {name: list(params.get(name) or ()) for name in PATH_OPTIONS}
    if sorted(order) != sorted(name for name, items in values.items() for _ in items):
        raise RuntimeError("the order of --set, --append and --remove was not recorded")
    taken = {name: iter(items) for name, items in values.items()}
    return [(PATH_OPTIONS[name], next(taken[name])) for name in order]


def make_command(repo: Any, record: Any) -> click.Command:
    from dprk_records.editing.options import option_specs

    kind = record.kind
    specs = option_specs(kind, reserved=RESERVED, skip=[kind.id_field], update=True)

    def callback(**params: Any) -> None:
        update(repo, record, specs, params)

    from dprk_records.commands import _complete

    unset = click.Option(
        ["--unset"],
        metavar="FIELD",
        multiple=True,
        shell_complete=_complete.top_fields(kind),
        help=f"Remove a field (repeatable). Fields of a {kind.name}: {', '.join(kind.fields)}.",
    )
    paths = [
        click.Option(
            ["--set", "set_paths"],
            metavar="PATH=VALUE",
            multiple=True,
            help="Give one part of the record a new value, named by the path 'dprk diff' prints, e.g. "
            "'observations[actor=KCNA].apogee_km=490' or 'sources[0].url=https://...'. Repeatable.",
        ),
        click.Option(
            ["--append", "append_paths"],
            metavar="PATH=VALUE",
            multiple=True,
            help="Add one element to the list at PATH, e.g. 'requested_by=USA' or "
            "'observations={\"actor\": ..., ...}' (JSON for an object). Repeatable.",
        ),
        click.Option(
            ["--remove", "remove_paths"],
            metavar="PATH",
            multiple=True,
            help="Take away the element or field at PATH, e.g. 'observations[actor=KCNA]' or 'sources[2]'. Repeatable.",
        ),
    ]
    return PartsInOrder(
        record.id,
        callback=callback,
        params=ui.field_options(specs) + [unset] + paths + ui.common_options(update=True),
        help=f"Change fields of the {kind.name} {record.id} ({record.rel}).\n\n"
        "A field option replaces the whole field (a repeatable option gives the whole new list); --set, "
        "--append and --remove change one part, named by the paths 'dprk diff' prints, in the order given, "
        "after the field options (a field given whole by its option cannot also be changed in parts). The record "
        "is checked as 'dprk add' checks it, replaced atomically, and each changed field is printed as "
        "OLD -> NEW. A change made meanwhile by another command is kept: this one is applied on top of it "
        "(with --edit, the record must not have changed, been renamed or deleted while the editor was open; if it "
        "was, nothing is written and the edited text is kept in a file whose path is printed). Exit status: 0 "
        "written or unchanged; 1 invalid (nothing written), or written but the commit failed (the message says "
        "what is left), or the editor failed or left bytes that are not UTF-8 text (nothing written; the "
        "message says where your text is kept); 2 usage error.",
    )


def update(repo: Any, record: Any, specs: list[Any], params: dict[str, Any]) -> None:
    from dprk_records import editing
    from dprk_records.errors import DataError
    from dprk_records.records import yamlread

    kind = record.kind
    document = None
    given = None
    if params["from_file"]:
        text, name = ui.read_from_file(params["from_file"])
        document = editing.parse_document(text, name)
        given = editing.Input(name, text, document)
    changes = editing.given(kind, specs, params, document)
    editing.check_unset(kind, changes, params["unset"])
    from dprk_records.editing.options import given_options
    from dprk_records.editing.paths import operations
    from dprk_records.editing.record import field_name

    given_whole = given_options(specs, params)  # a field given whole cannot also be changed in parts
    given_whole.update({field_name(kind, name): f"--unset {name}" for name in params["unset"]})
    steps = operations(
        kind, parts_in_order(params, click.get_current_context().meta.get("dprk.parts_order", [])), given_whole
    )

    def apply(current: dict[str, Any]) -> dict[str, Any]:
        data = editing.merge(kind, current, changes, params["unset"])
        for step in steps:
            data = step.apply(data)
        return editing.ordered(kind, data)

    options = dict(dry_run=params["dry_run"], commit=params["commit"])
    if params["edit"]:
        ui.check_commit(params, repo.root, record.path)
        base = repo.read_bytes(record)
        old = yamlread.loads(yamlread.decode(base, record.rel), record.rel)
        with editing.edit_session(repo, kind, record.id) as edit:
            edited = editing.edit_until_valid(
                repo,
                kind,
                repo.render(kind, apply(old)),
                edit,
                finish=lambda d: editing.ordered(kind, d),
                record_id=record.id,
            )
        if edited is None:
            raise DataError("editing given up; nothing written")
        saved = ui.save_edited(
            repo,
            record.id,
            lambda: repo.render(kind, edited),
            lambda: editing.save_update(repo, record, lambda current: edited, base=base, **options),
        )
    else:
        saved = ui.save(lambda: editing.save_update(repo, record, apply, given=given, **options))
    if saved.text is None:
        click.echo(f"{record.rel}: no change", err=True)
        return
    from dprk_records.history.render import change_line

    ui.report_saved(saved, [change_line(item) for item in saved.changes])


@click.group("update", cls=UpdateGroup, no_args_is_help=True, subcommand_metavar="ID [FIELD OPTIONS]...")
@click.option("--repo", "repo_dir", metavar="DIR", help=ui.REPO_HELP)
def command(repo_dir: str | None) -> None:
    """Change fields of the record ID.

    The options are the fields of the record's kind: see 'dprk update ID --help'.
    For example:

      dprk update 2023-11-21-malligyong-1-satellite --count 1 --unset date-note
    """
