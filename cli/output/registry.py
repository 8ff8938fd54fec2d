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

from collections.abc import Iterable
from typing import IO, Any, ClassVar

from dprk_records.errors import UsageError

_WRITERS: dict[str, type[Writer]] = {}

# what a command writes -> the method a writer defines to write it
SUBJECTS = {
    "rows": "write_rows",  # a header and rows: query, schema, stats, reactions, votes
    "export": "write_rows",  # rows to a file (no terminal-only format), or a file of the writer's own (write_file)
    "problems": "write_problems",  # a validation report
    "diff": "write_diff",  # records changed between revisions
    "log": "write_log",  # the commits that touched one record
    "record": "write_record",  # one record, with the records that link to it, or its paths
}


class Writer:
    """A format. Subclasses set `name` and `help` and define the write_* methods they can."""

    name: ClassVar[str] = ""
    help: ClassVar[str] = ""
    terminal: ClassVar[bool] = False  # for people at a terminal only: not offered for files
    styled: ClassVar[bool] = False  # draws a table in a style of tabulate's (`style`)
    delimiter: ClassVar[str | None] = None  # a delimited text format (CSV, TSV), with its delimiter
    target: ClassVar[str] = "file"  # what write_file writes: a file or a folder
    example: ClassVar[str] = ""  # a name for what write_file writes, for messages

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.name:
            _WRITERS[cls.name] = cls

    def __init__(self, *, style: str = "simple", escape: bool = True) -> None:
        self.style = style  # the table style (tabulate's), for writers that draw a table
        self.escape = escape  # the formula guard, for writers of spreadsheet cells

    @classmethod
    def defines(cls, method: str) -> bool:
        return getattr(cls, method) is not getattr(Writer, method)

    @classmethod
    def offers(cls, subject: str) -> bool:
        if subject == "export":
            return cls.defines("write_file") or (cls.defines("write_rows") and not cls.terminal)
        return cls.defines(SUBJECTS[subject])

    # --- what a writer can write: each is defined by the writers that can -------------------

    def write_rows(
        self, out: IO[str], columns: list[str], rows: Iterable[list[Any]], *, drop_empty: bool = False
    ) -> int:
        """A header and rows; returns the number of rows."""
        raise NotImplementedError

    def write_counts(self, out: IO[str], columns: list[str], rows: list[list[Any]], *, chart: bool = True) -> int:
        """Counts per period (dprk_records.selection.stats): rows, and a picture where the format has one."""
        return self.write_rows(out, columns, rows)

    def write_records(self, out: IO[str], records: Iterable[dict[str, Any]]) -> int:
        """Records exactly as stored (the formats that hold any value); returns how many."""
        raise NotImplementedError

    def write_file(self, repo: Any, selection: Any, output: str, *, force: bool) -> int:
        """The selected records written to `output` (a file, or a folder: `target`); returns how many."""
        raise NotImplementedError

    def write_problems(self, out: IO[str], report: Any) -> None:
        raise NotImplementedError

    def write_diff(self, out: IO[str], diff: Any, *, stat: bool = False) -> None:
        raise NotImplementedError

    def write_log(self, out: IO[str], entries: list[Any]) -> None:
        raise NotImplementedError

    def write_record(self, out: IO[str], shown: Any) -> None:
        """One record (dprk_records.output.writers.Shown): its text and links, or its paths."""
        raise NotImplementedError


def _load() -> None:
    import dprk_records.output.writers  # noqa: F401  (defining the built-in writers registers them)


def formats(subject: str) -> list[str]:
    """The names of the formats that can write `subject` (one of SUBJECTS), in the order defined."""
    if subject not in SUBJECTS:
        raise ValueError(f"unknown subject {subject!r}; one of {', '.join(SUBJECTS)}")
    _load()
    return [name for name, cls in _WRITERS.items() if cls.offers(subject)]


def describe(name: str) -> str:
    """A format's help, in a few words."""
    _load()
    return _WRITERS[name].help


def styled(name: str) -> bool:
    """Whether a format draws a table in a style of tabulate's (the `style` a writer is made with)."""
    _load()
    return _WRITERS[name].styled


def writer(name: str, subject: str, **options: Any) -> Writer:
    """The writer of format `name` for `subject`, made with `options` (style, escape)."""
    offered = formats(subject)
    if name not in offered:
        raise UsageError(
            "unknown {fmt} " + repr(name) + f" for {subject}",
            hint="choose one of " + ", ".join(offered),
            params=("fmt",),
        )
    return _WRITERS[name](**options)
