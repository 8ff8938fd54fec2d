"""The base of every writer of an output format, and the writers defined so far: defining a
subclass of `Writer` with a `name` registers it in WRITERS. Below the registry
(dprk_records.output.registry), which imports the modules of the built-in writers that stand
on this module, each when a command first asks for what its writers write.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO, Any, ClassVar

# every writer class with a name, in the order defined; a format's writers share its name, the
# built-in formats one class per module of writers (a subclass adds what its module writes)
WRITERS: list[type[Writer]] = []

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
            WRITERS.append(cls)

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
