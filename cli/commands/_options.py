"""Options shared by several commands."""

from __future__ import annotations

import functools
from typing import Any, Callable

import click


def repo_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """Add `--repo DIR` (or $DPRK_REPO) and pass the found Repository as `repo`."""

    @click.option(
        "--repo",
        "repo_dir",
        metavar="DIR",
        default=None,
        help="The repository folder (holding schema/ and records/). Default: $DPRK_REPO, else the nearest one above the current folder.",
    )
    @functools.wraps(func)
    def wrapper(*args: Any, repo_dir: str | None, **kwargs: Any) -> Any:
        from cli.repository import Repository

        return func(*args, repo=Repository.find(repo_dir), **kwargs)

    return wrapper
