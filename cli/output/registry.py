"""The one registry of output formats: each format's name maps to its writer class.

A writer is a subclass of `Writer`: it names its format (`name`), says in a few words what
it writes (`help`), and defines a method for each thing it can write (see SUBJECTS): rows,
records as stored, a file of its own, validation problems, a diff, a record's log, one
record shown. Defining the class registers it. A command asks `formats(subject)` for the
formats it offers (its --format choices and their help come from here) and `writer(name)`
for the one chosen; nothing else lists format names.

Adding a format is one class (dprk_records.output.writers holds the built-in ones, each
importing what it needs only when it writes, so that loading the registry stays cheap).
"""

from __future__ import annotations

from typing import Any

from dprk_records.errors import UsageError
from dprk_records.output import writers  # noqa: F401  (defining the built-in writers registers them)
from dprk_records.output.writer import SUBJECTS, WRITERS, Writer


def formats(subject: str) -> list[str]:
    """The names of the formats that can write `subject` (one of SUBJECTS), in the order defined."""
    if subject not in SUBJECTS:
        raise ValueError(f"unknown subject {subject!r}; one of {', '.join(SUBJECTS)}")
    return [name for name, cls in WRITERS.items() if cls.offers(subject)]


def describe(name: str) -> str:
    """A format's help, in a few words."""
    return WRITERS[name].help


def styled(name: str) -> bool:
    """Whether a format draws a table in a style of tabulate's (the `style` a writer is made with)."""
    return WRITERS[name].styled


def writer(name: str, subject: str, **options: Any) -> Writer:
    """The writer of format `name` for `subject`, made with `options` (style, escape)."""
    offered = formats(subject)
    if name not in offered:
        raise UsageError(
            "unknown {fmt} " + repr(name) + f" for {subject}",
            hint="choose one of " + ", ".join(offered),
            params=("fmt",),
        )
    return WRITERS[name](**options)
