"""The `dprk` command group: registers the commands and turns errors into one line.

Commands are imported only when they run, so `dprk --help` and `dprk --version`
stay fast and load neither jsonschema, GitPython nor tabulate.
"""

from __future__ import annotations

import errno
import importlib
import os
import sys
from typing import Any

import click

from dprk_records import __version__
from dprk_records.commands._folder import Folder
from dprk_records.errors import CommandFence, DprkError, GuardedStream, listen, one_line

# click 8.2+ raises this for a group run without arguments (older click prints the help itself)
_NoArgsIsHelp = getattr(click.exceptions, "NoArgsIsHelpError", ())

# name -> (module under dprk_records.commands, one-line help shown by `dprk --help`)
COMMANDS: dict[str, tuple[str, str]] = {
    "validate": ("validate", "Check records against their schemas and each other."),
    "schema": ("schema", "List the kinds of record, or the fields of one kind."),
    "query": ("query", "Print selected records as a table, CSV, JSON, ..."),
    "export": ("export", "Write records to CSV, TSV, JSON, JSON Lines, Markdown, SQLite or a data package."),
    "show": ("show", "Show one record and the records that link to it."),
    "stats": ("stats", "Count records per kind per year or month, with a bar chart."),
    "reactions": ("reactions", "The Council's response to each launch and nuclear test, or per year."),
    "votes": ("votes", "Positions of Council members per year: votes, vetoes, joint statements."),
    "chart": ("chart", "Draw a timeline of launches, tests and the Council's response (SVG or PNG)."),
    "serve": ("serve", "Browse the records in datasette on 127.0.0.1."),
    "site": ("site", "Write the dataset as a static web site (HTML and CSS) to a folder."),
    "add": ("add", "Add a record, with options made from its kind's schema."),
    "update": ("update", "Change fields of a record, found by its id."),
    "rename": ("rename", "Change a record's id, and every reference to it."),
    "diff": ("diff", "Show what changed between revisions, record by record."),
    "log": ("log", "Show the commits that changed one record, and how."),
    "fmt": ("fmt", "Rewrite records into canonical form (or --check)."),
}


# The library names a parameter by its own name (`limit`, `output`: dprk_records.errors.DprkError);
# the command line names it by its option. A command module's FLAGS gives its own where they differ.
FLAGS: dict[str, str] = {
    "fmt": "--format",
    "output": "-o",
    "force": "--force",
    "bom": "--bom",
    "fields": "--fields",
    "explode": "--explode",
    "since": "--since",
    "until": "--until",
    "where": "--where",
    "search": "--search",
    "sort": "--sort",
    "limit": "--limit",
    "by": "--by",
    "port": "--port",
    "repo": "--repo",
    "id": "--id",
    "values": "--values",
    "commit": "--commit",
    "from_file": "--from-file",
    "edit": "--edit",
    "unset": "--unset",
    "set": "--set",
    "append": "--append",
    "remove": "--remove",
}


class LazyGroup(click.Group):
    """A group that imports a command's module only when that command runs."""

    flags = FLAGS  # the words for the library's parameter names: the running command's flags

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        entry = COMMANDS.get(name)
        if entry is None:
            return None
        module = importlib.import_module(f"dprk_records.commands.{entry[0]}")
        self.flags = {**FLAGS, **getattr(module, "FLAGS", {})}
        return module.command

    def make_context(self, info_name: str | None, args: list[str], parent: Any = None, **extra: Any) -> click.Context:
        # the help's width, as click works it out, without the import of shutil (and the
        # compression modules it loads) that click's own way costs every `dprk --help`
        if parent is None and "terminal_width" not in extra:
            extra["terminal_width"] = _help_width(self.context_settings.get("max_content_width") or 80)
        return super().make_context(info_name, args, parent, **extra)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, help_text) for name, (_, help_text) in COMMANDS.items()]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def _main_shell_completion(self, ctx_args: Any, prog_name: str, complete_var: str | None = None) -> None:
        # as click decides whether the shell asks for completions; only then is its module loaded
        name = complete_var or "_{}_COMPLETE".format(prog_name.replace("-", "_").replace(".", "_")).upper()
        if not os.environ.get(name):
            return
        # start-up: completion's module (with the selection's) is loaded only when the shell asks
        from dprk_records.commands._complete import register

        register()
        super()._main_shell_completion(ctx_args, prog_name, complete_var)

    def main(
        self,
        args: Any = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        prog = prog_name or "dprk"
        # every character printed passes through a guard: no control character reaches the terminal or a CI log
        out, err = sys.stdout, sys.stderr
        # under GitHub Actions, no line of record text can be read as a workflow command either
        ci = os.environ.get("GITHUB_ACTIONS") == "true"
        guarded = GuardedStream(out, CommandFence() if ci else None), GuardedStream(err, CommandFence() if ci else None)
        sys.stdout, sys.stderr = guarded
        # the library's notes, worded with the running command's flags
        heard = listen(lambda note: click.echo(f"{prog}: {one_line(note.worded(self.flags))}", err=True))
        try:
            code = self._run(args, prog, prog_name, complete_var, **extra)
        finally:
            listen(heard)
            for stream in guarded:
                try:
                    stream.finish()
                except (OSError, ValueError):  # a closed pipe or stream: nothing more can be shown
                    pass
            if sys.stdout is guarded[0]:  # not when click swapped in its quiet wrapper after a closed pipe
                sys.stdout = out
            if sys.stderr is guarded[1]:
                sys.stderr = err
        if standalone_mode:
            sys.exit(code)
        return code

    def _run(self, args: Any, prog: str, prog_name: str | None, complete_var: str | None, **extra: Any) -> int:
        try:
            result = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
            code = result if isinstance(result, int) else 0
        except _NoArgsIsHelp as exc:
            # a group called with nothing to do: show its help, as a usage error
            click.echo(exc.ctx.get_help() if exc.ctx else "", err=True)
            code = 2
        except DprkError as exc:
            click.echo(f"{prog}: error: {one_line(exc.worded(self.flags))}", err=True)
            code = exc.exit_code
        except click.UsageError as exc:
            where = exc.ctx.command_path if exc.ctx else prog
            click.echo(f"{prog}: error: {one_line(exc.format_message())} (see '{where} --help')", err=True)
            code = 2
        except click.ClickException as exc:
            click.echo(f"{prog}: error: {one_line(exc.format_message())}", err=True)
            code = exc.exit_code
        except click.Abort as exc:
            # click turns Ctrl-C (KeyboardInterrupt) in a command into Abort, and an EOFError too;
            # the prompts (dprk_records.commands._prompt) report the end of input themselves, as a usage error
            if isinstance(exc.__cause__ or exc.__context__, EOFError):
                click.echo(f"{prog}: stopped before the work was complete (input ended); nothing was written", err=True)
                code = 2
            else:
                click.echo(f"\n{prog}: interrupted; nothing was written", err=True)
                code = 130
        except SystemExit as exc:
            # click turns a closed pipe into exit 1 after swapping stdout for a quiet wrapper: stdout
            # is then no longer the guard put in place above (click 8.5 deprecates the wrapper's name)
            pacified = not isinstance(sys.stdout, GuardedStream)
            code = 141 if pacified else (exc.code if isinstance(exc.code, int) else 1)
        except BrokenPipeError:
            # The reader went away (`dprk query | head`): stop quietly, as git does.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            code = 141
        except OSError as exc:
            # the system refused a file operation that no check above foresaw
            where = f" ({exc.filename})" if getattr(exc, "filename", None) else ""
            click.echo(one_line(f"{prog}: error: {exc.strerror or exc}{where}"), err=True)
            code = 2 if exc.errno == errno.ENAMETOOLONG else 1
        except KeyboardInterrupt:
            click.echo(f"\n{prog}: interrupted; nothing was written", err=True)
            code = 130
        except Exception as exc:  # a bug: still one line, unless asked for the traceback
            if os.environ.get("DPRK_DEBUG"):
                raise
            click.echo(
                one_line(f"{prog}: internal error: {type(exc).__name__}: {exc}")
                + " (set DPRK_DEBUG=1 to see the traceback)",
                err=True,
            )
            code = 1
        _notes(prog)
        return code


def _notes(prog: str) -> None:
    """Say what the run finished for an earlier, interrupted one (dprk_records.records.journal)."""
    journal = sys.modules.get("dprk_records.records.journal")  # loaded only when a journal was looked for
    if journal is not None:
        for note in journal.COMPLETED:
            click.echo(one_line(f"{prog}: note: {note}"), err=True)
        journal.COMPLETED.clear()


def _help_width(max_width: int) -> int:
    """The width click gives its help: the terminal's (or $COLUMNS), at most `max_width`,
    less 2, at least 50; click.formatting.FORCED_WIDTH when set (as click's test runner does)."""
    forced = click.formatting.FORCED_WIDTH
    if forced is not None:
        return forced
    try:
        columns = int(os.environ.get("COLUMNS", ""))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns or 80  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 80
    return max(min(columns, max_width) - 2, 50)


@click.group(
    name="dprk", cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100}
)
@click.version_option(__version__, "-V", "--version", prog_name="dprk", message="%(prog)s %(version)s")
@click.option(
    "--repo",
    "repo_dir",
    metavar="DIR",
    default=None,
    type=Folder(),
    help="The repository folder (holding schema/ and records/), for any command; also accepted after the command name. "
    "Default: $DPRK_REPO, else the nearest one above the current folder.",
)
def cli(repo_dir: str | None) -> None:
    """Keep, check and query the records of the DPRK file at the UN Security Council.

    Records are YAML files under records/, one per meeting, launch, nuclear test,
    statement or sanctions report, checked by the JSON Schema files under schema/.
    """
    # repo_dir stays in this context's params, where dprk_records.commands._repo.repository reads it


def main() -> None:
    cli(prog_name="dprk")
