"""`dprk add KIND`: add a record, with options made from the kind's schema."""

from __future__ import annotations

from typing import Any

import click

from dprk_records.commands import _editing as ui

RESERVED = ui.reserved_flags()


class AddGroup(ui.RepoGroup):
    """One subcommand per kind, made from its schema when looked up (`launch` or `launches`)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        from dprk_records.errors import DprkError

        try:
            return list(self.repository(ctx).schemas.kinds)
        except DprkError:
            return []

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        repo = self.repository(ctx)
        return make_command(repo, repo.kind(name))


def make_command(repo: Any, kind: Any) -> click.Command:
    from dprk_records.editing.options import example_command, option_specs

    specs = option_specs(kind, reserved=RESERVED)
    example = "\n".join(
        [
            "\b",
            "Example (it runs as written; --dry-run prints the record and writes nothing):",
            *(("  " if n == 0 else "      ") + line for n, line in enumerate(example_command(kind, specs))),
        ]
    )

    def callback(**params: Any) -> None:
        add(repo, kind, specs, params)

    return click.Command(
        kind.name,
        callback=callback,
        params=ui.field_options(specs) + ui.common_options(update=False),
        short_help=f"Add a {kind.name} to records/{kind.folder}/.",
        help=f"Add a {kind.name}: {kind.description}\n\n"
        "Give fields as options; missing required fields are prompted for when stdin is a terminal. "
        "The id is made from the date and the title unless --id is given. The record is checked "
        "(schema, dates, referenced ids) and written in canonical form to "
        f"records/{kind.folder}/<id>.yaml, whose path is printed. Exit status: 0 written; "
        "1 invalid record, required fields missing from --from-file, or id taken (nothing written), or "
        "written but the commit failed (the message says what is left), or with --edit, the editor failed "
        "or left bytes that are not UTF-8 text (nothing written; the message says where your text is kept); "
        "2 usage error, or required options missing with --no-input.",
        epilog=example,
    )


def add(repo: Any, kind: Any, specs: list[Any], params: dict[str, Any]) -> None:
    from dprk_records import editing
    from dprk_records.errors import DataError

    document = None
    name = None
    given = None
    if params["from_file"]:
        text, name = ui.read_from_file(params["from_file"])
        document = editing.parse_document(text, name)
        given = editing.Input(name, text, document)
    data = editing.with_id(kind, editing.given(kind, specs, params, document), strict=not params["edit"])
    if params["edit"]:
        ui.check_commit(params, repo.root, repo.records_dir)
        with editing.edit_session(repo, kind, f"new-{kind.name}") as edit:
            edited = editing.edit_until_valid(
                repo,
                kind,
                editing.template(kind, data),
                edit,
                finish=lambda d: editing.with_id(kind, d),
                extra=lambda d: editing.id_taken(repo, kind, d),
            )
        if edited is None:
            raise DataError("editing given up; nothing written")
        saved = ui.save_edited(
            repo,
            str(edited.get(kind.id_field) or f"new-{kind.name}"),
            lambda: repo.render(kind, edited),
            lambda: editing.save_new(repo, kind, edited, dry_run=params["dry_run"], commit=params["commit"]),
        )
    else:
        # ask only on a terminal (or with --prompt), never when stdin holds the record
        may_prompt = (
            not params["no_input"] and params["from_file"] != "-" and (params["prompt"] or ui.stdin_is_terminal())
        )
        if editing.fields_to_ask(kind, data, specs, may_prompt=may_prompt, from_file=name):
            from dprk_records.editing.prompting import introduction

            click.echo(introduction(kind) + "\n", err=True)
            data = editing.prompt_missing(kind, data, ui.ask, ui.confirm)
            if not params["dry_run"]:
                preview = ui.save(lambda: editing.save_new(repo, kind, data, dry_run=True, given=given))
                click.echo("\n" + preview.text, err=True, nl=False)
                if not ui.confirm("Write this record?", default=True):
                    raise DataError("not written, as you asked")
        saved = ui.save(
            lambda: editing.save_new(repo, kind, data, dry_run=params["dry_run"], commit=params["commit"], given=given)
        )
    ui.report_saved(saved, [])


@click.group("add", cls=AddGroup, no_args_is_help=True, subcommand_metavar="KIND [FIELD OPTIONS]...")
@click.option("--repo", "repo_dir", metavar="DIR", help=ui.REPO_HELP)
def command(repo_dir: str | None) -> None:
    """Add a record of KIND (singular or plural: launch, launches).

    Each kind has its own options, one per field of its schema: see
    'dprk add KIND --help', which ends with an example that runs as written.
    For example (--dry-run prints the record and writes nothing):

    \b
      dprk add launch --date 2023-11-22 --title "Example launch" --category unknown --dry-run \\
          --summary "ROK officials reported that the DPRK had fired a ballistic missile." \\
          --source '{"publisher": "Security Council Report", "title": "DPRK (North Korea): Open Briefing", "date": "2023-11-24", "quote": "ROK officials reported that the DPRK had fired a ballistic missile"}'
    """
