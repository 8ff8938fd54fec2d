"""The tool's own error types. The command line turns each into one line and an exit code."""

from __future__ import annotations

import re

_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def one_line(text: str) -> str:
    """`text` with control characters (newlines, tabs, ...) shown as escapes, so that a
    message naming a path or value the user gave stays on one line."""
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


class DprkError(Exception):
    """An error the user can act on. `exit_code` is 1 for invalid data, 2 for usage."""

    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        if self.hint:
            return f"{self.message} ({self.hint})"
        return self.message


class DataError(DprkError):
    """The data is invalid or unreadable: exit 1."""

    exit_code = 1


class UsageError(DprkError):
    """The command was called wrongly (unknown kind, bad revision, missing repository): exit 2."""

    exit_code = 2


class YamlError(DataError):
    """A record file could not be read as strict YAML. Carries the file and the position."""

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None, column: int | None = None):
        super().__init__(message)
        self.path = path
        self.line = line
        self.column = column

    def __str__(self) -> str:
        where = self.path or "<input>"
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.message}"
