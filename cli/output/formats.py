"""The writing of rows (or records) as a table, CSV, TSV, JSON, JSON Lines or Markdown,
for the writer classes (dprk_records.output.writers), and atomic output files.

Row writers take column names and an iterator of rows and write to a text stream;
CSV, TSV and JSON Lines write row by row, so memory stays flat. The terminal table
and Markdown need every row to size their columns, so they collect them.

The formula-injection guard (on by default for CSV and TSV): a string cell that
begins with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`, so
that a spreadsheet shows it as text instead of running it. Numbers are never touched.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace
from typing import IO, Any

from dprk_records.errors import Note, UsageError, tell
from dprk_records.output.fitting import fitted, numeric
from dprk_records.records.writing import atomic_file

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def plain(value: Any) -> Any:
    """A cell as CSV wants it: None as empty, booleans as true/false, numbers as they are,
    a list as a JSON array (which splits back exactly: `json.loads`)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return _to_json(value)
    return value


_encode = json.JSONEncoder(ensure_ascii=False).encode  # json.dumps with these options, without building one each call
_PLAIN_TEXT = re.compile(r'[^"\\\x00-\x1f]*\Z').match  # text that JSON writes between quotes as it is


def _to_json(value: list[Any]) -> str:
    """json.dumps(value, ensure_ascii=False), the same text, made directly for the usual
    list cell (text that needs no escape, whole numbers, nulls) and by json otherwise."""
    parts = []
    for item in value:
        kind = item.__class__
        if kind is str:
            if _PLAIN_TEXT(item) is None:
                return _encode(value)
            parts.append('"' + item + '"')
        elif item is None:
            parts.append("null")
        elif kind is int:
            parts.append(int.__repr__(item))
        else:
            return _encode(value)
    return "[" + ", ".join(parts) + "]"


def guarded(value: Any) -> Any:
    """plain() with the formula guard (a text cell that begins with one of FORMULA_STARTS
    gets a leading `'`), text first, since most cells are text (a list becomes JSON text
    starting with `[`, which needs no guard)."""
    if value.__class__ is str:
        return "'" + value if value.startswith(FORMULA_STARTS) else value
    return plain(value)


def joined(value: Any) -> Any:
    """A cell as a person reads it: a list joined by "; " (a list inside it by ", ")."""
    if isinstance(value, list):
        return "; ".join(_inner(v) for v in value)
    return value


def _inner(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ", ".join(_inner(v) for v in value)
    return str(value)


def check_style(style: str) -> str:
    from tabulate import tabulate_formats

    if style not in tabulate_formats:
        raise UsageError(f"unknown table style {style!r}", hint="styles: " + ", ".join(sorted(tabulate_formats)))
    return style


def write_delimited(
    out: IO[str], columns: list[str], rows: Iterable[list[Any]], *, delimiter: str = ",", escape: bool = True
) -> int:
    """RFC 4180 CSV (CRLF line ends, quotes where needed), or TSV with a tab delimiter.

    The csv module quotes a cell only for the characters of its line terminator, so a
    TSV row (ended by LF) is made with CRLF and cut back to LF: a cell holding a bare
    carriage return is quoted too, and cannot start a new row in the reader (where a
    cell such as "x\r=cmd()" would get past the formula guard).
    """
    # dprk's guarded stdout (dprk_records.errors.GuardedStream) takes CSV through write_data, which
    # keeps a line break inside a quoted cell as data and escapes every other control character
    sink = SimpleNamespace(write=out.write_data) if hasattr(out, "write_data") else out
    if delimiter == ",":
        writer = csv.writer(sink, delimiter=delimiter, lineterminator="\r\n")
        write = writer.writerow
    else:
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")

        def write(cells: list[Any]) -> None:
            writer.writerow(cells)
            sink.write(buffer.getvalue()[:-2] + "\n")
            buffer.seek(0)
            buffer.truncate()

    write(columns)
    count = 0
    for row in rows:
        write([guarded(v) for v in row] if escape else [plain(v) for v in row])
        count += 1
    return count


def write_json(out: IO[str], items: Iterable[Any]) -> int:
    """A JSON array, written one item at a time."""
    count = 0
    out.write("[")
    for item in items:
        out.write(",\n" if count else "\n")
        text = json.dumps(item, ensure_ascii=False, indent=2)
        out.write("  " + text.replace("\n", "\n  "))
        count += 1
    out.write("\n]\n" if count else "]\n")
    return count


def write_jsonl(out: IO[str], items: Iterable[Any]) -> int:
    count = 0
    for item in items:
        out.write(json.dumps(item, ensure_ascii=False) + "\n")
        count += 1
    return count


def row_objects(columns: list[str], rows: Iterable[list[Any]]) -> Iterator[dict[str, Any]]:
    for row in rows:
        yield dict(zip(columns, row))


def terminal_width() -> int | None:
    """The width to fit a table to when standard output is a terminal: $COLUMNS, else the
    terminal's. None when it is not a terminal (a pipe, a file): piped output is never cut,
    whatever $COLUMNS says."""
    try:
        if not sys.stdout.isatty():
            return None
    except (AttributeError, ValueError):  # a closed or unusual stream
        return None
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    return shutil.get_terminal_size().columns


def _one_line(value: Any) -> Any:
    value = joined(value)
    if isinstance(value, str):
        return value.replace("\r", " ").replace("\n", " ")
    return value


def write_table(
    out: IO[str],
    columns: list[str],
    rows: Iterable[list[Any]],
    *,
    style: str = "simple",
    width: int | None = None,
    drop_empty: bool = False,
) -> int:
    """A terminal table fitted to `width` (default: the terminal's, see terminal_width):
    headers break at `_`, long text wraps, columns that still do not fit are left out (a
    note on stderr names them); ids and numbers are never cut, numbers right-aligned.
    With `drop_empty`, columns empty in every row are left out."""
    from tabulate import multiline_formats, tabulate

    check_style(style)
    body = [[_one_line(v) for v in row] for row in rows]
    if drop_empty and body:
        keep = [i for i in range(len(columns)) if any(row[i] not in (None, "") for row in body)]
        columns = [columns[i] for i in keep]
        body = [[row[i] for i in keep] for row in body]
    width = width if width is not None else terminal_width()
    align = ["right" if numeric([row[i] for row in body]) else "left" for i in range(len(columns))]
    named = list(columns)
    columns, body, left_out = fitted(columns, body, width, multiline=style in multiline_formats, style=style)
    align = [a for name, a in zip(named, align) if name not in left_out]
    # strings stay strings (a year such as "2023" is text); real numbers align right, as numbers
    text = tabulate(
        body,
        headers=columns,
        tablefmt=style,
        disable_numparse=True,
        missingval="",
        colalign=align if columns and body else None,
    )  # tabulate 0.9 fails on colalign without rows
    out.write(text + "\n")
    if left_out:
        tell(
            Note(
                f"left out to fit {width} columns: {', '.join(left_out)} (name the columns with {{fields}})",
                params=("fields",),
            )
        )
    return len(body)


def write_markdown(out: IO[str], columns: list[str], rows: Iterable[list[Any]]) -> int:
    """A GitHub Markdown table; `|` inside a cell is escaped, newlines become spaces."""

    def md(value: Any) -> str:
        value = joined(value)
        text = "" if value is None else ("true" if value is True else "false" if value is False else str(value))
        return text.replace("\\", "\\\\").replace("|", "\\|").replace("\r", " ").replace("\n", " ")

    out.write("| " + " | ".join(md(c) for c in columns) + " |\n")
    out.write("|" + "|".join(" --- " for _ in columns) + "|\n")
    count = 0
    for row in rows:
        out.write("| " + " | ".join(md(v) for v in row) + " |\n")
        count += 1
    return count


def chosen_columns(columns: list[str], fields: Iterable[str] = (), table_columns: list[str] | None = None) -> list[str]:
    """A command's own columns to write: those named in `fields` (comma-separated), else
    `table_columns` when given (a terminal table's default, chosen for 80 columns), else every column."""
    names = [n.strip() for part in fields for n in part.split(",") if n.strip()]
    if fields and not names:
        raise UsageError(
            "{fields} was given no field names", hint="valid fields: " + ", ".join(columns), params=("fields",)
        )
    unknown = [n for n in names if n not in columns]
    if unknown:
        raise UsageError(
            f"unknown field {unknown[0]!r} in {{fields}}",
            hint="valid fields: " + ", ".join(columns),
            params=("fields",),
        )
    return names or list(table_columns or columns)


def chosen_rows(columns: list[str], rows: Iterable[list[Any]], chosen: list[str]) -> Iterator[list[Any]]:
    """Rows of `columns`, narrowed to the `chosen` ones (see chosen_columns)."""
    at = [columns.index(n) for n in chosen]
    return ([row[i] for i in at] for row in rows)


# --- files ------------------------------------------------------------------------------


def check_output(path: Path, force: bool) -> None:
    """Refuse, before any work, an output path that cannot or may not be written."""
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise UsageError(f"output {str(path)!r} is a folder", hint="give {output} a file name", params=("output",))
    if folder.exists() and not folder.is_dir():
        raise UsageError(
            f"cannot write {str(path)!r}: {str(folder)!r} is a file, not a folder",
            hint="choose another {output}",
            params=("output",),
        )
    if not folder.is_dir():
        raise UsageError(f"cannot write {str(path)!r}: folder {str(folder)!r} does not exist", hint="create it first")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise UsageError(
            f"cannot write {str(path)!r}: folder {str(folder)!r} is not writable",
            hint="choose another {output}",
            params=("output",),
        )
    if path.exists() and not force:
        raise UsageError(
            f"{str(path)!r} already exists",
            hint="add {force} to replace it, or choose another {output}",
            params=("output", "force"),
        )
    if os.path.lexists(path) and (path.is_symlink() or not path.is_file()):
        # force replaces regular files only: never a device (/dev/null), pipe, socket or symbolic link
        raise UsageError(
            f"{str(path)!r} is not a regular file; export will not replace it",
            hint="choose another {output}, or '-' for stdout",
            params=("output",),
        )


@contextmanager
def atomic_output(path: Path, *, force: bool, binary: bool = False, encoding: str = "utf-8") -> Iterator[Any]:
    """Yield a temporary path (binary) or text stream next to `path`; it replaces `path` on success.

    On any error the temporary file is removed and `path` is left as it was.
    """

    check_output(path, force)
    try:
        with atomic_file(path, replace=force, binary=binary, encoding=encoding, newline="") as handle:
            yield handle
    except FileExistsError:
        raise UsageError(
            f"{str(path)!r} already exists", hint="add {force} to replace it", params=("output", "force")
        ) from None
