"""Which repository a command works on: the one place where the command line decides it.

A user names the repository in one of four ways; the first that applies wins:

1. `--repo DIR` after the command name: `dprk query --repo DIR`, `dprk add launch --repo
   DIR`, `dprk update ID --repo DIR` (given more than once, the last one);
2. `--repo DIR` before the command name: `dprk --repo DIR query`;
3. the environment variable `DPRK_REPO` (when it is not empty);
4. the current folder, or the nearest folder above it, that holds `schema/` and `records/`.

`repository` is the function every command, the generated options of `add` and `update`,
and shell completion call. It reads 1 and 2 from what click parsed (each context's
`repo_dir` parameter, innermost first) and, for `add` and `update`, whose options are made
from the repository's schema before they are parsed, from the arguments not yet parsed.
It leaves 3 and 4 to `Repository.find` (dprk_records.records.repository), which programs
that use the library without the command line call too.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dprk_records.errors import UsageError
from dprk_records.records.repository import Repository

PARAM = "repo_dir"  # the name of every `--repo` option's parameter
PENDING = "dprk.pending"  # ctx.meta: the arguments after a schema-made subcommand's name, not yet parsed
HELP = (
    "The repository folder (holding schema/ and records/). "
    "Default: $DPRK_REPO, else the nearest one above the current folder."
)


def repository(ctx: Any) -> Repository:
    """The repository the command line names (see the module's docstring for the ways and
    their order). `ctx` is the click context of the command being run or completed (None
    outside click: then $DPRK_REPO or the current folder). Found once per run and folder:
    the schemas are then read only once."""

    explicit = given(ctx, ctx.meta.get(PENDING, ()) if ctx is not None else ())
    root = ctx.find_root() if ctx is not None else None
    if root is None:
        return Repository.find(explicit)
    key = ("dprk.repository", explicit)
    if key not in root.meta:
        root.meta[key] = Repository.find(explicit)
    return root.meta[key]


def pending(ctx: Any, args: Sequence[str]) -> None:
    """Note the arguments after a subcommand's name before click parses them: `add` and
    `update` make that subcommand from the repository's schema, so a `--repo` among them
    must be known first (RepoGroup.resolve_command)."""
    ctx.meta[PENDING] = list(args)


def given(ctx: Any, pending: Sequence[str] = ()) -> str | None:
    """The `--repo DIR` typed on the command line, or None: the one nearest the end of the
    line (in `pending`, then in each context from the innermost to the root)."""
    value = _last_in(pending)
    node = ctx
    while value is None and node is not None:
        value = node.params.get(PARAM)
        node = node.parent
    if value is not None and not str(value).strip():
        raise UsageError(
            "--repo was given an empty folder name", hint="name the repository folder, or leave --repo out"
        )
    return value


def _last_in(args: Sequence[str]) -> str | None:
    """The value of the last `--repo DIR` or `--repo=DIR` among arguments not yet parsed."""
    found = None
    index = 0
    while index < len(args):
        arg = args[index]
        if arg == "--":
            break
        if arg == "--repo" and index + 1 < len(args):
            found = args[index + 1]
            index += 1
        elif arg.startswith("--repo="):
            found = arg.split("=", 1)[1]
        index += 1
    return found
