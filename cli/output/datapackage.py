"""Records as a Frictionless Data Package: a folder of CSV tables and `datapackage.json`.

The tables are those of cli.output.tables (the SQLite export's layout). The descriptor
gives each field its type (`string`, `integer`, `number`, `boolean`; `date` for the
span columns), the pattern of partial dates, the allowed values of enums, and the
description from the schema files; each table its primary key and foreign keys (to
the kind's table, to `records` for references to several kinds, to `states` for state
codes, to the parent table for a list). The CSV files are RFC 4180 in UTF-8, cells
exactly as stored: no formula guard, which is for spreadsheets, not for data tools.

The folder is written beside its target and renamed into place, so a failed export
leaves no half package; an existing package is replaced only with `force`.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, Iterable

from cli.errors import DataError, UsageError
from cli.output.tables import Layout, Table
from cli.records.kinds import Kind

DESCRIPTOR = "datapackage.json"
PROFILE = "tabular-data-package"


def descriptor(layout: Layout, name: str = "dprk-records", extra: list[Table] = ()) -> dict[str, Any]:
    """The `datapackage.json` of the tables of `layout`."""
    return {
        "profile": PROFILE,
        "name": name,
        "title": "The DPRK file at the UN Security Council",
        "description": "Council meetings, DPRK launches and nuclear tests, statements and sanctions reports, "
                       "one row per record in the table of its kind, with lists in tables of their own.",
        "resources": [_resource(table) for table in [*layout.tables(), *extra]],
    }


def _resource(table: Table) -> dict[str, Any]:
    fields = []
    for column in table.columns:
        spec: dict[str, Any] = {"name": column.name, "type": column.type}
        if column.description:
            spec["description"] = column.description
        constraints: dict[str, Any] = {}
        if column.name in table.primary_key:
            constraints["required"] = True
        if column.enum and column.type == "string":
            constraints["enum"] = [str(v) for v in column.enum]
        if column.pattern and column.type == "string" and _is_date_pattern(column.pattern):
            constraints["pattern"] = column.pattern.lstrip("^").rstrip("$")  # Table Schema patterns match the whole value
        if constraints:
            spec["constraints"] = constraints
        fields.append(spec)
    schema: dict[str, Any] = {"fields": fields, "primaryKey": list(table.primary_key)}
    foreign = [{"fields": columns, "reference": {"resource": target, "fields": target_columns}}
               for columns, target, target_columns in table.foreign_keys]
    if foreign:
        schema["foreignKeys"] = foreign
    return {
        "name": table.name, "path": f"{table.name}.csv", "profile": "tabular-data-resource", "format": "csv",
        "mediatype": "text/csv", "encoding": "utf-8", "description": table.description or table.name, "schema": schema,
    }


def _is_date_pattern(pattern: str) -> bool:
    return pattern.startswith("^[0-9]{4}(-(0[1-9]|1[0-2])")


def _text(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return value


def write_datapackage(folder: Path, kinds: list[Kind], records: Iterable[tuple[Any, dict[str, Any]]], *, force: bool = False,
                      derived: Any = None) -> int:
    """Write the package into `folder` (made, or replaced with `force`); returns the record count.
    `derived` (cli.output.derived.Derived) adds its tables, filled after the records."""
    layout = Layout(kinds)
    target = Path(folder)
    _check_target(target, force)
    parent = target.parent if str(target.parent) else Path(".")
    temp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=parent))
    try:
        count = _fill(temp, layout, records, derived)
        _replace(temp, target)
    except OSError as exc:
        raise DataError(f"cannot write the data package {target}: {exc.strerror or exc}") from None
    finally:
        if temp.exists():
            shutil.rmtree(temp, ignore_errors=True)
    return count


def _fill(folder: Path, layout: Layout, records: Iterable[tuple[Any, dict[str, Any]]], derived: Any = None) -> int:
    handles = {}
    extra = list(derived.tables) if derived is not None else []
    try:
        writers = {}
        for table in [*layout.tables(), *extra]:
            handle = open(folder / f"{table.name}.csv", "w", encoding="utf-8", newline="")
            handles[table.name] = handle
            writers[table.name] = csv.writer(handle, lineterminator="\r\n")
            writers[table.name].writerow([c.name for c in table.columns])
        for row in layout.state_rows():
            writers[layout.state_table.name].writerow(row)
        count = 0
        for record, data in records:
            for table, row in layout.rows(record, data):
                writers[table.name].writerow([_text(v) for v in row])
            count += 1
        for table, row in (derived.fill() if derived is not None else ()):
            writers[table.name].writerow([_text(v) for v in row])
    finally:
        for handle in handles.values():
            handle.close()
    with open(folder / DESCRIPTOR, "w", encoding="utf-8", newline="\n") as handle:
        json.dump(descriptor(layout, extra=extra), handle, ensure_ascii=False, indent=2)
        handle.write("\n")
    return count


def _check_target(target: Path, force: bool) -> None:
    if target.exists() or target.is_symlink():
        if target.is_symlink() or not target.is_dir():
            raise UsageError(f"{str(target)!r} is not a folder; a data package is written to a folder", hint="choose another -o")
        entries = list(target.iterdir())
        if entries and not (target / DESCRIPTOR).is_file():
            raise UsageError(f"{str(target)!r} is a folder that holds other files, not a data package; it is left alone",
                             hint="choose a new folder for -o")
        if entries and not force:
            raise UsageError(f"{str(target)!r} already holds a data package", hint="add --force to replace it, or choose another -o")
    parent = target.parent if str(target.parent) else Path(".")
    if not parent.is_dir():
        raise UsageError(f"cannot write {str(target)!r}: folder {str(parent)!r} does not exist", hint="create it first")


def _replace(temp: Path, target: Path) -> None:
    """Put the finished folder at `target`, replacing an older package there."""
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        os.rename(target, old)
    os.rename(temp, target)
    os.chmod(target, 0o777 & ~_umask())
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
