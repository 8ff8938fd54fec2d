"""The click parameter types the commands share besides the folder (commands/_folder.py): an
output file, a choice in any case. They import nothing but click.
"""

from __future__ import annotations

from typing import Any

import click


class OutputFile(click.ParamType):
    """A file to write, checked by the tool itself, completed by the shell as a file path."""

    name = "file"

    def convert(self, value: Any, param: Any, ctx: Any) -> Any:
        return value

    def shell_complete(self, ctx: Any, param: Any, incomplete: str) -> list:
        from click.shell_completion import CompletionItem

        return [CompletionItem(incomplete, type="file")]


class AnyCase(click.Choice):
    """A choice matched without regard to case (`icbm` is ICBM), shown as the schema spells it."""

    def convert(self, value: Any, param: Any, ctx: Any) -> Any:
        if isinstance(value, str):
            for choice in self.choices:
                if str(choice).casefold() == value.casefold():
                    return choice
        return super().convert(value, param, ctx)
