"""Shell completion: kinds, record ids, field names and state codes, read from the repository.

click asks these when the shell completes a word (turned on as docs/reference.md's "Shell
completion" says). Each reads only what it needs (file names for ids, the schema files
for kinds and fields) and, outside a repository or on any problem, offers nothing and
prints nothing: completion never writes into the terminal.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable

from click.shell_completion import CompletionItem


def _repository(ctx: Any) -> Any:
    from cli.commands._options import given_repo
    from cli.records.repository import Repository

    explicit = None
    node = ctx
    while node is not None and explicit is None:
        explicit = node.params.get("repo_dir")
        node = node.parent
    return Repository.find(explicit or given_repo())


def _safe(make: Callable[[Any, str], Iterable[str]]) -> Callable[[Any, Any, str], list[CompletionItem]]:
    def complete(ctx: Any, param: Any, incomplete: str) -> list[CompletionItem]:
        try:
            return [CompletionItem(value) for value in make(ctx, incomplete)]
        except Exception:  # outside a repository, a broken schema...: offer nothing, print nothing
            return []

    return complete


def _kinds_named(ctx: Any, repo: Any) -> list[Any]:
    names = ctx.params.get("kinds") or ()
    try:
        return repo.kinds(names)
    except Exception:
        return repo.kinds()


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
    from cli.selection.filters import field_names

    repo = _repository(ctx)
    return field_names(_kinds_named(ctx, repo))


@_safe
def fields(ctx: Any, incomplete: str) -> Iterable[str]:
    """Dotted field names; after a comma (--fields a,b), the name being typed."""
    done, _, current = incomplete.rpartition(",")
    prefix = done + "," if done else ""
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
        return [CompletionItem(code, help=name) for code, name in sorted(codes.items()) if code.startswith(incomplete.upper())]

    return complete


def choices(values: list[str]) -> Callable[[Any, Any, str], list[CompletionItem]]:
    """A field's allowed values (matched in any case, as the field options read them)."""
    def complete(ctx: Any, param: Any, incomplete: str) -> list[CompletionItem]:
        return [CompletionItem(value) for value in values if value.casefold().startswith(incomplete.casefold())]

    return complete
