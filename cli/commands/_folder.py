"""The type of a folder option (`--repo DIR`), in a module of its own: `dprk --help` needs it,
and nothing else of the shared options."""

from __future__ import annotations

from typing import Any

import click


class Folder(click.ParamType):
    """A folder name, checked by the tool itself (one clear message), completed by the shell as a directory."""

    name = "directory"

    def convert(self, value: Any, param: Any, ctx: Any) -> Any:
        return value

    def shell_complete(self, ctx: Any, param: Any, incomplete: str) -> list:
        from click.shell_completion import CompletionItem

        return [CompletionItem(incomplete, type="dir")]
