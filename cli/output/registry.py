"""The one registry of output formats: each format's name maps to its writer class.

A writer is a subclass of `Writer`: it names its format (`name`), says in a few words what
it writes (`help`), and defines a method for each thing it can write (see SUBJECTS): rows,
records as stored, a file of its own, validation problems, a diff, a record's log, one
record shown. Defining the class registers it. A command asks `formats(subject)` for the
formats it offers (its --format choices and their help come from here) and `writer(name)`
for the one chosen; nothing else lists format names.

Adding a format is one class. The built-in formats are split by what they write, one
module each (BUILT_IN), so that a command loads the writers of what it writes and no
others: `query` neither the SQLite writer nor the diff renderers. The registry imports a
subject's modules when that subject is first asked for; tests/test_architecture.py reads
the names in BUILT_IN as imports of this module.
"""

from __future__ import annotations

import importlib
from typing import Any

from dprk_records.errors import UsageError
from dprk_records.output.writer import SUBJECTS, WRITERS, Writer

# subject -> the modules of the built-in writers that write it, in the order their formats are offered
BUILT_IN = {
    "rows": ("dprk_records.output.writers",),
    "export": ("dprk_records.output.writers", "dprk_records.output.filewriters"),
    "problems": ("dprk_records.output.problemwriters",),
    "diff": ("dprk_records.output.diffwriters",),
    "log": ("dprk_records.output.diffwriters",),
    "record": ("dprk_records.output.writers",),
}
ORDER = list(dict.fromkeys(module for modules in BUILT_IN.values() for module in modules))


def _rank(cls: type[Writer]) -> int:
    # the built-in formats first, module by module, then those a program defines
    return ORDER.index(cls.__module__) if cls.__module__ in ORDER else len(ORDER)


def _offered(subject: str) -> dict[str, type[Writer]]:
    """Each format that can write `subject` -> its first writer class that can."""
    if subject not in SUBJECTS:
        raise ValueError(f"unknown subject {subject!r}; one of {', '.join(SUBJECTS)}")
    for module in BUILT_IN[subject]:
        importlib.import_module(module)  # defining its classes registers them
    offered: dict[str, type[Writer]] = {}
    for cls in sorted(WRITERS, key=_rank):  # a stable sort: in the order defined within a module
        if cls.offers(subject):
            offered.setdefault(cls.name, cls)
    return offered


def formats(subject: str) -> list[str]:
    """The names of the formats that can write `subject` (one of SUBJECTS), in the order defined."""
    return list(_offered(subject))


def _named(name: str) -> type[Writer]:
    """The first writer class of format `name`; KeyError for a format nobody defined."""
    found = next((cls for cls in WRITERS if cls.name == name), None)
    if found is None:  # perhaps a built-in one whose module nothing has asked for yet
        for module in ORDER:
            importlib.import_module(module)
        found = next((cls for cls in WRITERS if cls.name == name), None)
    if found is None:
        raise KeyError(name)
    return found


def describe(name: str) -> str:
    """A format's help, in a few words."""
    return _named(name).help


def styled(name: str) -> bool:
    """Whether a format draws a table in a style of tabulate's (the `style` a writer is made with)."""
    return _named(name).styled


def writer(name: str, subject: str, **options: Any) -> Writer:
    """The writer of format `name` for `subject`, made with `options` (style, escape)."""
    offered = _offered(subject)
    if name not in offered:
        raise UsageError(
            "unknown {fmt} " + repr(name) + f" for {subject}",
            hint="choose one of " + ", ".join(offered),
            params=("fmt",),
        )
    return offered[name](**options)
