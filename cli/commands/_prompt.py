"""Reading one answer at a prompt, with Ctrl-C and the end of input told apart by what
happened, not by how an exception was chained.

Ctrl-C raises KeyboardInterrupt (the command exits 130); the end of input raises
InputEnded, a usage error (exit 2). Neither is left to timing. Python acts on a signal
only between steps of Python code, or when a blocking read is interrupted; a Ctrl-C that
arrives after a prompt is written but before the read begins would interrupt nothing,
and the process would wait for the next line or the end of input, and might then take
the Ctrl-C for the end of input. So the wait is on two things at once, the input and a
pipe that the interpreter writes to whenever a signal arrives (`signal.set_wakeup_fd`),
and the line is read from the file descriptor into a buffer of our own, so that no
answer waits in a buffer `select` cannot see.
"""

from __future__ import annotations

import os
import select
import signal
import sys
from collections.abc import Callable
from typing import Any

import click

from dprk_records.errors import DprkError, UsageError, one_line


class InputEnded(UsageError):
    """The input ended at a prompt (exit 2)."""

    def __init__(self) -> None:
        super().__init__(
            "stopped before the work was complete (input ended); nothing was written",
            hint="give every answer, or the missing fields as options",
        )


class _Input:
    pending = b""  # read from the input and not yet answered with: the start of the next lines
    wakeup: int | None = None  # the read end of the signal pipe; -1 where there is none


def _wakeup_pipe() -> int | None:
    """The read end of a pipe the interpreter writes a byte to on each signal it handles,
    made once per process; None where that cannot be (outside the main thread)."""
    if _Input.wakeup is None:
        read_end, write_end = os.pipe()
        os.set_blocking(read_end, False)
        os.set_blocking(write_end, False)
        try:
            signal.set_wakeup_fd(write_end, warn_on_full_buffer=False)
        except ValueError:
            os.close(read_end)
            os.close(write_end)
            _Input.wakeup = -1
        else:
            _Input.wakeup = read_end
    return _Input.wakeup if _Input.wakeup >= 0 else None


def _signals_handled() -> None:
    """A step of Python code: the interpreter runs the handler of a signal that has come
    (KeyboardInterrupt, for Ctrl-C) before running any, so it is raised here."""


def _stdin_fd() -> int | None:
    try:
        return sys.stdin.fileno()
    except (AttributeError, ValueError, OSError):  # replaced by a stream without one (tests, embedding)
        return None


class NotText(ValueError):
    """An answer whose bytes are not text in the input's encoding."""


def read_line(prompt: str) -> str:
    """Write `prompt` to stderr and return the next line of input, without its line end.

    Raises KeyboardInterrupt on Ctrl-C, InputEnded at the end of input, and NotText for
    bytes that are not text."""
    fd = _stdin_fd()
    wakeup = _wakeup_pipe() if fd is not None else None
    click.echo(prompt, nl=False, err=True)
    _signals_handled()  # a Ctrl-C from before the pipe was made is raised here
    if fd is None:
        line = sys.stdin.readline()
        if not line:
            raise _ended()
        return line.rstrip("\r\n")
    pending = _Input.pending
    while b"\n" not in pending:
        if wakeup is not None and wakeup in select.select([fd, wakeup], [], [])[0]:
            _drain(wakeup)
            _signals_handled()  # Ctrl-C: KeyboardInterrupt is raised here
            continue
        chunk = os.read(fd, 4096)  # ready, so this does not block (without the pipe, Ctrl-C interrupts it)
        if not chunk:
            if not pending:
                raise _ended()
            pending += b"\n"  # a last line without its line end
        pending += chunk
    line, _, rest = pending.partition(b"\n")
    _Input.pending = rest
    encoding = getattr(sys.stdin, "encoding", None) or "utf-8"
    try:
        return line.decode(encoding).rstrip("\r")
    except (UnicodeDecodeError, LookupError):
        raise NotText(f"the answer is not text in the encoding of the input ({encoding})") from None


def _ended() -> InputEnded:
    click.echo(err=True)  # the prompt's line ends, so that the message has a line of its own
    return InputEnded()


def _drain(fd: int) -> None:
    while True:
        try:
            if not os.read(fd, 512):
                return
        except BlockingIOError:
            return


def ask(label: str, parse: Callable[[str], Any], *, required: bool) -> Any:
    """Ask until an answer parses: `parse` raises a DprkError saying what is wrong, which
    is shown as `Error: ...` before asking again. An empty answer to a required question
    asks again; to another it is parsed as it is ("")."""
    while True:
        try:
            text = read_line(f"{label}: ")
            if not text and required:
                continue
            return parse(text)
        except InputEnded:
            raise
        except (DprkError, NotText) as exc:
            click.echo(f"Error: {one_line(str(exc))}", err=True)


def confirm(question: str, default: bool = False) -> bool:
    """Ask a yes/no question until the answer is one; Enter gives `default`."""
    while True:
        try:
            answer = read_line(f"{question} [{'Y/n' if default else 'y/N'}]: ").strip().lower()
        except NotText:
            answer = "?"
        if answer in ("y", "yes"):
            return True
        if answer in ("n", "no"):
            return False
        if not answer:
            return default
        click.echo("Error: invalid input", err=True)
