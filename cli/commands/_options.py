"""Options shared by several commands."""

from __future__ import annotations

import contextlib
import functools
import sys
from collections.abc import Callable, Iterator
from typing import Any

import click

from dprk_records.commands import _complete, _repo
from dprk_records.commands._folder import Folder
from dprk_records.commands._types import AnyCase
from dprk_records.output import registry
from dprk_records.output.formats import check_style
from dprk_records.selection.filters import build_selection


def repo_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """Add `--repo DIR` (or $DPRK_REPO) and pass the found Repository as `repo`."""

    @click.option("--repo", _repo.PARAM, metavar="DIR", default=None, type=Folder(), help=_repo.HELP)
    @functools.wraps(func)
    def wrapper(*args: Any, repo_dir: str | None, **kwargs: Any) -> Any:
        return func(*args, repo=_repo.repository(click.get_current_context()), **kwargs)

    return wrapper


@contextlib.contextmanager
def progress_bar(label: str, *, threshold: int = 2000, enabled: bool = True) -> Iterator[Callable[[int], None] | None]:
    """A progress callback drawing click's bar on stderr once `threshold` items are done.

    Nothing is drawn when stderr is not a terminal, and short runs draw nothing.
    """
    if not enabled or not sys.stderr.isatty():
        yield None
        return
    state: dict[str, Any] = {"done": 0, "bar": None, "total": None}

    def advance(count: int, total: int | None = None) -> None:
        """`count` more items done; `total`, when given, is how many there are in all."""
        if total is not None:
            state["total"] = total
        state["done"] += count
        if state["bar"] is None and state["total"] and state["total"] >= threshold and count:
            # the bar redraws its line with a carriage return: it writes past the guard on stderr (its text is ours)
            state["bar"] = click.progressbar(
                length=state["total"], label=label, file=getattr(sys.stderr, "unguarded", sys.stderr), show_pos=True
            )
            state["bar"].__enter__()
            count = state["done"]
        if state["bar"] is not None and count:
            state["bar"].update(count)

    try:
        yield advance
    finally:
        if state["bar"] is not None:
            state["bar"].__exit__(None, None, None)


def output_options(subject: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """`--format NAME` for every format the registry offers for `subject` (what the command
    writes: rows, problems, a diff, ...; see dprk_records.output.registry), and the shortcut
    `--NAME` for each; the first is the default.

    Every command that prints takes this, so `--format json` and `--json` mean the same
    thing everywhere, and a format added to the registry is offered by every command that
    writes what it can write. With a format that draws a table among them (`styled`),
    `--style STYLE` picks a tabulate style. Passes `fmt` (and `style`).
    """

    formats = registry.formats(subject)
    default = formats[0]
    styled = [name for name in formats if registry.styled(name)]

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        options = [
            click.option(
                "--format",
                "fmt",
                type=AnyCase(list(formats)),
                default=None,
                metavar="FORMAT",
                help="Output format: "
                + "; ".join(f"{f}: {registry.describe(f)}" for f in formats)
                + f". Default: {default}.",
            )
        ]
        for name in formats:
            options.append(click.option(f"--{name}", f"as_{name}", is_flag=True, help=f"Same as --format {name}."))
        if styled:
            options.append(
                click.option(
                    "--style",
                    "style",
                    metavar="STYLE",
                    default=None,
                    help="Table style: any tabulate format (simple, grid, github, psql, rounded_outline, ...).",
                )
            )

        @functools.wraps(func)
        def wrapper(*args: Any, fmt: str | None, **kwargs: Any) -> Any:
            flags = [name for name in formats if kwargs.pop(f"as_{name}", False)]
            style = kwargs.pop("style", None) if styled else None
            named = [f.lower() for f in ([fmt] if fmt else []) + flags]
            if len(set(named)) > 1:
                raise click.UsageError(
                    "choose one output format: "
                    + ", ".join(([f"--format {fmt}"] if fmt else []) + [f"--{f}" for f in flags])
                )
            chosen = named[0] if named else default
            if style is not None:
                if chosen not in styled:
                    raise click.UsageError(f"--style is for the table; it does not go with --format {chosen}")

                check_style(style)
            if styled:
                kwargs["style"] = style or "simple"
            return func(*args, fmt=chosen, **kwargs)

        for option in reversed(options):
            wrapper = option(wrapper)
        return wrapper

    return decorate


def selection_options(
    func: Callable[..., Any] | None = None, *, default_kinds: Callable[[Any], list[Any]] | None = None
) -> Any:
    """Add the KIND... argument and the options that choose records, and pass `selection`.

    Also passes `fields` (a tuple of --fields values) and `explode` (a field name or None).
    `default_kinds(repo)` gives the kinds when none is named (else every kind).
    """
    if func is None:
        return functools.partial(selection_options, default_kinds=default_kinds)

    @click.argument("kinds", nargs=-1, metavar="[KIND]...", shell_complete=_complete.kinds)
    @click.option(
        "--since",
        metavar="DATE",
        help="Only records whose date span ends on or after DATE (YYYY, YYYY-MM or YYYY-MM-DD). A record dated 2023-11 spans the whole month, so it matches --since 2023-11-15.",
    )
    @click.option(
        "--until",
        metavar="DATE",
        help="Only records whose date span starts on or before the end of DATE (so 2023-11 matches --until 2023-11-01).",
    )
    @click.option(
        "--where",
        "where",
        metavar="'FIELD OP VALUE'",
        multiple=True,
        shell_complete=_complete.where,
        help="Keep records where FIELD compares to VALUE. OP: = != ~ (contains, any case) < <= > >=. Numbers and dates compare as such; a list matches if any element does; dotted paths reach nested fields (observations.actor=KCNA). Repeat for AND.",
    )
    @click.option("--search", metavar="TEXT", help="Keep records whose text anywhere contains TEXT (any case).")
    @click.option(
        "--sort",
        metavar="FIELD[,FIELD]",
        shell_complete=_complete.sort_keys,
        help="Order by these fields; -FIELD for descending. Default: date, then id.",
    )
    @click.option("--limit", type=int, metavar="N", help="At most N records.")
    @click.option(
        "--fields",
        multiple=True,
        metavar="A,B,C",
        shell_complete=_complete.fields,
        help="The columns to show, in this order (see 'dprk schema KIND').",
    )
    @click.option(
        "--explode",
        metavar="FIELD",
        shell_complete=_complete.list_fields,
        help="One row per element of this list field (one row per requesting state, say).",
    )
    @click.option(
        "--no-cache",
        is_flag=True,
        help="Parse every record afresh, neither reading nor writing the parse cache (.dprk-cache/).",
    )
    @functools.wraps(func)
    def wrapper(
        *args: Any,
        kinds: tuple[str, ...],
        since: str | None,
        until: str | None,
        where: tuple[str, ...],
        search: str | None,
        sort: str | None,
        limit: int | None,
        fields: tuple[str, ...],
        explode: str | None,
        no_cache: bool,
        repo: Any,
        **kwargs: Any,
    ) -> Any:

        if not kinds and default_kinds is not None:
            kinds = tuple(k.name for k in default_kinds(repo))
        selection = build_selection(
            repo,
            kinds,
            since=since,
            until=until,
            where=where,
            search=search,
            sort=sort,
            limit=limit,
            use_cache=not no_cache,
        )
        return func(*args, repo=repo, selection=selection, fields=fields, explode=explode, **kwargs)

    return wrapper
