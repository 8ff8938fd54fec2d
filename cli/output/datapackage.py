"""Records as a Frictionless Data Package: a folder of CSV tables and `datapackage.json`.

The tables are those of dprk_records.output.tables (the SQLite export's layout). The descriptor
gives each field its type (`string`, `integer`, `number`, `boolean`; `date` for the
span columns), the pattern of partial dates, the allowed values of enums, and the
description from the schema files; each table its primary key and foreign keys (to
the kind's table, to `records` for references to several kinds, to `states` for state
codes, to the parent table for a list). The CSV files are RFC 4180 in UTF-8, cells
exactly as stored: no formula guard, which is for spreadsheets, not for data tools.

A new folder is written beside its target and renamed into place, so a failed export
leaves no half package. An existing package is replaced only with `force`, and only its
own files (datapackage.json and the resources it lists) are replaced or removed: every
other file in the folder is left alone.
"""

from __future__ import annotations

import csv
import json
import os
import stat
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from dprk_records.errors import DataError, UsageError
from dprk_records.output.tables import Layout, Table
from dprk_records.records.kinds import Kind
from dprk_records.records.writing import sync_folder

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
            constraints["pattern"] = column.pattern.lstrip("^").rstrip(
                "$"
            )  # Table Schema patterns match the whole value
        if constraints:
            spec["constraints"] = constraints
        fields.append(spec)
    schema: dict[str, Any] = {"fields": fields, "primaryKey": list(table.primary_key)}
    foreign = [
        {"fields": columns, "reference": {"resource": target, "fields": target_columns}}
        for columns, target, target_columns in table.foreign_keys
    ]
    if foreign:
        schema["foreignKeys"] = foreign
    return {
        "name": table.name,
        "path": f"{table.name}.csv",
        "profile": "tabular-data-resource",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "description": table.description or table.name,
        "schema": schema,
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


def write_datapackage(
    folder: Path,
    kinds: list[Kind],
    records: Iterable[tuple[Any, dict[str, Any]]],
    *,
    force: bool = False,
    derived: Any = None,
) -> int:
    """Write the package into `folder` (made, or replaced with `force`); returns the record count.

    A new folder is built beside its target and renamed into place. In a folder that
    exists (empty, or holding a package this tool wrote, with `force`), the package is
    built in a dot-folder inside it, then each file is moved into place, datapackage.json
    last, and only then are the files of the old package that the new one lacks removed.
    Nothing else in the folder is touched: see `_old_package`. `derived`
    (dprk_records.output.derived.Derived) adds its tables, filled after the records.
    """
    layout = Layout(kinds)
    target = Path(folder)
    extra = list(derived.tables) if derived is not None else []
    names = [f"{table.name}.csv" for table in [*layout.tables(), *extra]] + [DESCRIPTOR]
    old = _check_target(target, force, names)
    exists = old is not None
    parent = target if exists else (target.parent if str(target.parent) else Path("."))
    base = os.path.basename(os.path.abspath(target)) or "package"
    import shutil  # the standard library's, loaded only when a package is written
    import tempfile

    try:
        temp = Path(tempfile.mkdtemp(prefix=".dprk-package-" if exists else f".{base}.", dir=parent))
    except OSError as exc:
        raise DataError(f"cannot write the data package {target}: {exc.strerror or exc}") from None
    try:
        count = _fill(temp, layout, records, derived)
        if exists:
            _swap(temp, target, names, old or set())
        else:
            os.chmod(temp, 0o777 & ~_umask())
            os.rename(temp, target)
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
        for table, row in derived.fill() if derived is not None else ():
            writers[table.name].writerow([_text(v) for v in row])
    finally:
        for handle in handles.values():
            handle.close()
    with open(folder / DESCRIPTOR, "w", encoding="utf-8", newline="\n") as handle:
        json.dump(descriptor(layout, extra=extra), handle, ensure_ascii=False, indent=2)
        handle.write("\n")
    return count


def _check_target(target: Path, force: bool, names: list[str]) -> set[str] | None:
    """Refuse, before any work, a target the package may not go to. None when the folder
    is to be made; else the names of the old package's files (empty for an empty folder)."""
    shown = str(target)
    if os.path.islink(target):
        raise UsageError(
            f"{shown!r} is a symbolic link; a data package is written to a real folder, never through a link",
            hint="give the folder itself, or a new folder, as {output}",
            params=("output",),
        )
    if os.path.lexists(target):
        if not target.is_dir():
            raise UsageError(
                f"{shown!r} is a file, not a folder; a data package is written to a folder",
                hint="choose another {output}",
                params=("output",),
            )
        if not os.access(target, os.W_OK | os.X_OK):
            raise UsageError(
                f"cannot write {shown!r}: the folder is not writable",
                hint="choose another {output}",
                params=("output",),
            )
        entries = set(os.listdir(target))
        if not entries:
            return set()
        if DESCRIPTOR not in entries:
            raise UsageError(
                f"{shown!r} is a folder that holds other files, not a data package; it is left alone",
                hint="choose a new folder for {output}",
                params=("output",),
            )
        if not force:
            raise UsageError(
                f"{shown!r} already holds a data package",
                hint="add {force} to replace it, or choose another {output}",
                params=("output", "force"),
            )
        old = _old_package(target)
        for name in names:
            if name in entries and name not in old:
                raise UsageError(
                    f"{os.path.join(shown, name)!r} is not a file of the data package there (its {DESCRIPTOR} "
                    "does not list it); it is left alone, and nothing was written",
                    hint="move it, or choose another {output}",
                    params=("output",),
                )
        return old
    parent = target.parent if str(target.parent) else Path(".")
    if not parent.is_dir():
        raise UsageError(f"cannot write {shown!r}: folder {str(parent)!r} does not exist", hint="create it first")
    return None


MAX_DESCRIPTOR = 16 * 1024 * 1024


def _old_package(folder: Path) -> set[str]:
    """The files of the package in `folder` that a new one may replace or remove:
    datapackage.json and each resource it lists, when that is a plain file name in the
    folder (no path, no link) naming a regular file. A listed path that is anything else
    (in a subfolder, outside, a link) is left alone. A descriptor that is itself a link,
    or not JSON with a list of resources, is not a package this tool wrote: refused."""
    shown = os.path.join(str(folder), DESCRIPTOR)
    not_ours = UsageError(
        f"{shown!r} is not a data package descriptor that dprk wrote; the folder is left alone",
        hint="choose a new folder for {output}",
        params=("output",),
    )
    if not _regular(folder / DESCRIPTOR):
        raise not_ours
    try:
        with open(folder / DESCRIPTOR, "rb") as handle:
            raw = handle.read(MAX_DESCRIPTOR + 1)
        descriptor = json.loads(raw.decode("utf-8")) if len(raw) <= MAX_DESCRIPTOR else None
    except (OSError, ValueError):
        descriptor = None
    if not isinstance(descriptor, dict) or not isinstance(descriptor.get("resources"), list):
        raise not_ours
    old = {DESCRIPTOR}
    for resource in descriptor["resources"]:
        paths = resource.get("path") if isinstance(resource, dict) else None
        for path in paths if isinstance(paths, list) else [paths]:
            if _plain_name(path) and _regular(folder / path):
                old.add(path)
    return old


def _plain_name(path: Any) -> bool:
    return (
        isinstance(path, str)
        and path not in ("", ".", "..")
        and "/" not in path
        and "\\" not in path
        and os.sep not in path
        and path.isprintable()
    )


def _regular(path: Path) -> bool:
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def _swap(temp: Path, target: Path, names: list[str], old: set[str]) -> None:
    """Move the finished files into `target` (datapackage.json last), then remove the old
    package's files that the new one has not replaced. A rename replaces a name, never
    writes through it, so a link put there meanwhile is replaced, not followed."""
    for name in names:  # DESCRIPTOR is the last of `names`
        os.replace(temp / name, target / name)
    for name in sorted(old - set(names)):
        if _regular(target / name):
            os.unlink(target / name)
    sync_folder(target)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
