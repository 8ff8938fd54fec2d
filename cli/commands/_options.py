"""Options shared by several commands."""

from __future__ import annotations

import contextlib
import functools
import sys
from typing import Any, Callable, Iterator

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


@contextlib.contextmanager
def progress_bar(label: str, *, threshold: int = 2000) -> Iterator[Callable[[int], None] | None]:
    """A progress callback drawing click's bar on stderr once `threshold` items are done.

    Nothing is drawn when stderr is not a terminal, and short runs draw nothing.
    """
    if not sys.stderr.isatty():
        yield None
        return
    state: dict[str, Any] = {"done": 0, "bar": None}

    def advance(count: int) -> None:
        state["done"] += count
        if state["bar"] is None and state["done"] >= threshold:
            state["bar"] = click.progressbar(length=None, label=label, file=sys.stderr, show_pos=True)
            state["bar"].__enter__()
        if state["bar"] is not None:
            state["bar"].update(count)

    try:
        yield advance
    finally:
        if state["bar"] is not None:
            state["bar"].__exit__(None, None, None)
