"""Shell completion: kinds, record ids, field names and state codes, read from the repository.

click asks these when the shell completes a word (turned on as docs/reference.md's "Shell
completion" says). Each reads only what it needs (file names for ids, the schema files
for kinds and fields) and, outside a repository or on any problem, offers nothing and
prints nothing: completion never writes into the terminal.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from click.shell_completion import CompletionItem


def _repository(ctx: Any) -> Any:
    from dprk_records.commands._options import given_repo
    from dprk_records.records.repository import Repository

    explicit = None
    node = ctx
    while node is not None and explicit is None:
        explicit = node.params.get("repo_dir")
        node = node.parent
    return Repository.find(explicit or given_repo())


def _safe(make: Callable[[Any, str], Iterable[str]]) -> Callable[[Any, Any, str], list[CompletionItem]]:
    def complete(ctx: Any, param: Any, incomplete: str) -> list[CompletionItem]:
        from click.shell_completion import CompletionItem  # only when the shell asks: every command imports this module

        try:
            return [CompletionItem(value) for value in make(ctx, incomplete)]
        except Exception:  # outside a repository, a broken schema...: offer nothing, print nothing
            return []

    return complete


DEFAULT_KINDS = {  # commands whose records, with no KIND named, are not every kind
    "reactions": lambda repo: _vocabulary(repo).answered,
    "chart": lambda repo: _vocabulary(repo).answered,
    "votes": lambda repo: _voting(repo),
}
OWN_COLUMNS = {
    "reactions": ("dprk_records.selection.reactions", "COLUMNS"),
    "votes": ("dprk_records.selection.votes", "COLUMNS"),
}
DASH_VALUES = {"sort"}  # options whose values may begin with "-" (--sort -date)


def _vocabulary(repo: Any) -> Any:
    from dprk_records.selection.vocabulary import vocabulary

    return vocabulary(repo.schemas.kinds)


def _voting(repo: Any) -> list[Any]:
    from dprk_records.selection.vocabulary import positions

    return [k for k in repo.schemas.kinds.values() if positions(k)]


def _kinds_named(ctx: Any, repo: Any) -> list[Any]:
    """The kinds named before the word being completed (the command's own, else every kind).

    While an option waits for its value, click leaves the words before it unparsed in
    `ctx.args`: the kinds are read from there too."""
    known = {name for kind in repo.schemas.kinds.values() for name in (kind.name, kind.folder)}
    names = tuple(ctx.params.get("kinds") or ()) or tuple(a for a in ctx.args if a in known)
    try:
        if names:
            return repo.kinds(names)
    except Exception:
        pass
    default = DEFAULT_KINDS.get(ctx.command.name if ctx.command is not None else "")
    return default(repo) if default is not None else repo.kinds()


@_safe
def kinds(ctx: Any, incomplete: str) -> Iterable[str]:
    repo = _repository(ctx)
    for kind in repo.schemas.kinds.values():
        for name in dict.fromkeys((kind.name, kind.folder)):
            if name.startswith(incomplete):
                yield name


def record_ids(*wanted: str) -> Callable[[Any, Any, str], list[CompletionItem]]:
    """Ids of records (of the kinds `wanted`, or of any kind), from file names alone. A
    name holding a control character is no id (no command takes it) and is not offered:
    each offer is one line of the shell's completion protocol."""

    @_safe
    def complete(ctx: Any, incomplete: str) -> Iterable[str]:
        repo = _repository(ctx)
        chosen = [k for k in repo.schemas.kinds.values() if not wanted or k.name in wanted]
        for record in repo.records(chosen):
            if record.id.startswith(incomplete) and record.id.isprintable():
                yield record.id

    return complete


def _field_names(ctx: Any) -> list[str]:
    from dprk_records.selection.filters import field_names

    repo = _repository(ctx)
    return field_names(_kinds_named(ctx, repo))


@_safe
def fields(ctx: Any, incomplete: str) -> Iterable[str]:
    """Dotted field names (or a command's own columns); after a comma (--fields a,b), the name being typed."""
    import importlib

    done, _, current = incomplete.rpartition(",")
    prefix = done + "," if done else ""
    own = OWN_COLUMNS.get(ctx.command.name if ctx.command is not None else "")
    if own is not None:
        module = importlib.import_module(own[0])
        names = list(getattr(module, own[1])) + list(getattr(module, "SUMMARY_COLUMNS", []))
    else:
        names = _field_names(ctx) + ["date_start", "date_end", "kind"]
    for name in dict.fromkeys(names):
        if name.startswith(current):
            yield prefix + name


@_safe
def sort_keys(ctx: Any, incomplete: str) -> Iterable[str]:
    done, _, current = incomplete.rpartition(",")
    prefix = done + "," if done else ""
    minus = "-" if current.startswith("-") else ""
    for name in _field_names(ctx):
        if name.startswith(current.lstrip("-")):
            yield prefix + minus + name


@_safe
def where(ctx: Any, incomplete: str) -> Iterable[str]:
    for name in _field_names(ctx) + ["kind"]:
        if name.startswith(incomplete):
            yield name


@_safe
def list_fields(ctx: Any, incomplete: str) -> Iterable[str]:
    repo = _repository(ctx)
    for kind in _kinds_named(ctx, repo):
        for name, item in kind.fields.items():
            if item.type == "array" and name.startswith(incomplete):
                yield name


def top_fields(kind: Any) -> Callable[[Any, Any, str], list[CompletionItem]]:
    @_safe
    def complete(ctx: Any, incomplete: str) -> Iterable[str]:
        return [name for name in kind.fields if name.startswith(incomplete)]

    return complete


def states(codes: dict[str, str]) -> Callable[[Any, Any, str], list[CompletionItem]]:
    def complete(ctx: Any, param: Any, incomplete: str) -> list[CompletionItem]:
        from click.shell_completion import CompletionItem

        return [
            CompletionItem(code, help=name)
            for code, name in sorted(codes.items())
            if code.startswith(incomplete.upper())
        ]

    return complete


def choices(values: list[str]) -> Callable[[Any, Any, str], list[CompletionItem]]:
    """A field's allowed values (matched in any case, as the field options read them)."""

    def complete(ctx: Any, param: Any, incomplete: str) -> list[CompletionItem]:
        return [CompletionItem(value) for value in values if value.casefold().startswith(incomplete.casefold())]

    return complete


def register() -> None:
    """Let an option whose values may begin with "-" (--sort -date) complete them: click
    otherwise takes a word that begins with "-" for the name of an option."""
    from click.shell_completion import BashComplete, FishComplete, ZshComplete, _resolve_context, add_completion_class

    def make(base: Any) -> Any:
        class ValuesFirst(base):  # type: ignore[misc, valid-type]
            def get_completions(self, args: list[str], incomplete: str) -> list[CompletionItem]:
                if incomplete.startswith("-") and args:
                    try:
                        ctx = _resolve_context(self.cli, self.ctx_args, self.prog_name, list(args))
                        for param in ctx.command.get_params(ctx):
                            if param.name in DASH_VALUES and args[-1] in getattr(param, "opts", ()):
                                return param.shell_complete(ctx, incomplete)
                    except Exception:
                        return []
                return super().get_completions(args, incomplete)

        ValuesFirst.__name__ = base.__name__
        return ValuesFirst

    for base in (BashComplete, ZshComplete, FishComplete):
        add_completion_class(make(base), base.name)
