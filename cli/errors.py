"""The tool's own error types. The command line turns each into one line and an exit code.

Also what keeps control characters out of everything printed: `one_line` for a message
or a name, and `GuardedStream`, through which the command line sends all of stdout and
stderr.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable
from typing import Any

CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")  # what one_line escapes


def one_line(text: str) -> str:
    """`text` with control characters (newlines, tabs, ...) shown as escapes, so that a
    message naming a path or value the user gave stays on one line."""
    return CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


# Everything but the line feeds and tabs that lay output out, and CSV's CRLF row ends.
_UNSAFE = re.compile("\r(?!\n)|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")
# In data whose format quotes line breaks (a CSV or TSV cell), a carriage return is data too.
_UNSAFE_IN_DATA = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char < " ":
        return char.encode("unicode_escape").decode("ascii")  # \r, \x1b
    return f"\\u{ord(char):04x}"  # \u0085, \u2028: the same character again when read as JSON


def escape_controls(text: str, *, data: bool = False) -> str:
    """`text` with every control character but line feeds, tabs and CRLF shown as an escape:
    no terminal escape sequence, no carriage return that starts a line (for a terminal, or a
    CI runner reading workflow commands such as `::error`) survives. With `data` (CSV or
    TSV text, whose cells are quoted around any line break), carriage returns are kept."""
    return (_UNSAFE_IN_DATA if data else _UNSAFE).sub(_escape, text)


class CommandFence:
    """Keeps record text from being read as a GitHub Actions workflow command.

    The runner reads a line as a command when it starts with `::` once its leading
    whitespace is trimmed, so a value's own line (a block scalar's line in the context of a
    `fmt --check` diff, a cell's line in CSV) could otherwise forge an annotation or mask a
    secret. Each such line that the tool did not mean as a command is written between
    `::stop-commands::TOKEN` and `::TOKEN::`, with a token no record can know; the line
    itself is shown unchanged. A line is held back only while it could still turn out to be
    one (nothing but whitespace and colons so far).
    """

    def __init__(self) -> None:
        self.token = os.urandom(16).hex()  # (the secrets module would load OpenSSL at start-up)
        self.pending = ""  # the start of a line that may yet be a command
        self.inside = False  # the line begun is written out already (it cannot be one)

    def fence(self, text: str) -> str:
        """What to write for `text`, continuing the output written so far."""
        lines = (self.pending + text).split("\n")
        self.pending = ""
        out = []
        for i, line in enumerate(lines):
            complete = i < len(lines) - 1
            if self.inside:
                out.append(line)  # the rest of a line already begun
            elif not complete and _undecided(line):
                self.pending = line
            else:
                out.append(self._line(line))
            if complete:
                out.append("\n")
                self.inside = False
            else:
                self.inside = self.inside or bool(line and not self.pending)
        return "".join(out)

    def command(self, line: str) -> str:
        """A line meant as a workflow command, written as it is (after what is held back)."""
        text = self.finish() + line
        self.inside = not text.endswith("\n")
        return text

    def finish(self) -> str:
        """What is held back, written out: at the end of the output, or before a command."""
        if not self.pending:
            return ""
        last, self.pending = self.pending, ""
        return self._line(last) + "\n" if _is_command(last) else last

    def _line(self, line: str) -> str:
        if not _is_command(line):
            return line
        return f"::stop-commands::{self.token}\n{line}\n::{self.token}::"


def _is_command(line: str) -> bool:
    return line.lstrip().startswith("::")


def _undecided(start: str) -> bool:
    rest = start.lstrip()
    return rest in ("", ":") or rest.startswith("::")


class GuardedStream:
    """A text stream that passes what is written to `stream` through escape_controls.

    The command line puts one in place of stdout and of stderr while a command runs, so
    that no command can print a raw control character, whatever it prints. Its binary
    `buffer` is guarded too (bytes are read as UTF-8; shell completion writes bytes), so
    nothing writes around it; `unguarded` is the stream itself (for the progress bar,
    which redraws its line with a carriage return). With `fence` (a CommandFence: the
    command line gives one when GitHub Actions runs it), no line is read as a workflow
    command but those written with write_command.
    """

    def __init__(self, stream: Any, fence: CommandFence | None = None):
        self.unguarded = stream
        self.fence = fence

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        self._out(escape_controls(text))
        return len(text)

    def write_command(self, line: str) -> int:
        """Write a line meant as a workflow command (`validate --format github`)."""
        text = escape_controls(line)
        self.unguarded.write(self.fence.command(text) if self.fence else text)
        return len(line)

    def finish(self) -> None:
        """Write what the fence held back (the command line calls it when a command ends)."""
        if self.fence and self.fence.pending:
            self.unguarded.write(self.fence.finish())

    def _out(self, text: str) -> None:
        self.unguarded.write(self.fence.fence(text) if self.fence else text)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def write_data(self, text: str) -> int:
        """Write CSV or TSV text: as write(), but a carriage return inside a quoted cell
        stays the data it is (a CSV reader gets the cell back); see escape_controls."""
        self._out(escape_controls(text, data=True))
        return len(text)

    @property
    def buffer(self) -> Any:
        return _GuardedBytes(self.unguarded.buffer, self.fence)  # AttributeError when the stream has none

    def __getattr__(self, name: str) -> Any:
        return getattr(self.unguarded, name)


class _GuardedBytes:
    """The binary side of a GuardedStream: bytes, read as UTF-8 (any other byte kept as it
    is), pass through escape_controls."""

    def __init__(self, stream: Any, fence: CommandFence | None = None):
        self.unguarded = stream
        self.fence = fence

    def write(self, data: Any) -> int:
        text = escape_controls(bytes(data).decode("utf-8", "surrogateescape"))
        if self.fence:
            text = self.fence.fence(text)
        self.unguarded.write(text.encode("utf-8", "surrogateescape"))
        return len(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.unguarded, name)


_PARAM = re.compile(r"\{([a-z_]+)(?:=([^{}]*))?\}")


class Worded:
    """A message about the library's parameters, worded for whoever called the library.

    `params` names the parameters the message is about (the first is the one that was
    wrong: `param`). Message and hint name them as `{limit}`, or with a value as
    `{output=FILE}`: str() gives the library's own words (`limit`, `output=FILE`, the
    names a program passes, or the words `params` gives when it maps each name to them),
    and `worded(words)` the words of whoever called the library (the command line gives
    its flags: `--limit`, `-o FILE`).
    """

    def __init__(self, message: str, *, hint: str | None = None, params: tuple[str, ...] | dict[str, str] = ()):
        self.message = message
        self.hint = hint
        self.params = tuple(params)
        self.own_words = dict(params) if isinstance(params, dict) else {}

    @property
    def param(self) -> str | None:
        return self.params[0] if self.params else None

    @property
    def param_words(self) -> tuple[str, ...] | dict[str, str]:
        """`params` as given: for an error that carries this one's message on."""
        return self.own_words or self.params

    def worded(self, words: dict[str, str] | None = None) -> str:
        """The message and hint with each parameter named by `words` (name -> word), else by its own name."""

        def word(match: re.Match[str]) -> str:
            name, value = match.group(1), match.group(2)
            if name not in self.params:
                return match.group()
            if words and name in words:
                return words[name] + (f" {value}" if value is not None else "")
            if name in self.own_words:
                return self.own_words[name] + (f" {value}" if value is not None else "")
            return name + (f"={value}" if value is not None else "")

        message = _PARAM.sub(word, self.message) if self.params else self.message
        if self.hint:
            return f"{message} ({_PARAM.sub(word, self.hint) if self.params else self.hint})"
        return message

    def __str__(self) -> str:
        return self.worded()


class DprkError(Worded, Exception):
    """An error the user can act on, worded as Worded says. `exit_code` is 1 for invalid
    data, 2 for usage."""

    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None, params: tuple[str, ...] | dict[str, str] = ()):
        Exception.__init__(self, message)
        Worded.__init__(self, message, hint=hint, params=params)


class Note(Worded):
    """Something the user should know beside the output, that is no error (a column left
    out of a terminal table). Given to `tell`."""


_listener: Callable[[Note], None] | None = None


def tell(note: Note) -> None:
    """Pass a note to whoever listens (the command line words it with its flags); with no
    one listening, write it to stderr in the library's own words."""
    if _listener is not None:
        _listener(note)
    else:
        sys.stderr.write(f"dprk: {one_line(str(note))}\n")


def listen(listener: Callable[[Note], None] | None) -> Callable[[Note], None] | None:
    """Send every note to `listener` (None: to stderr again); returns the one before."""
    global _listener
    previous, _listener = _listener, listener
    return previous


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

    def worded(self, words: dict[str, str] | None = None) -> str:
        where = self.path or "<input>"
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.message}"
