"""`dprk validate --staged`: the records as the git index holds them, which is what the
next commit (and a clean clone of it) will hold, whatever the work tree has beside.

An untracked record is not there, and a record removed with `git rm --cached` is gone,
even though both files are still in the work tree. The index's schema files are used
when they differ from the work tree's. Every check of a plain `validate` is made, on
every record of the index. A record whose file in the work tree is what the index holds
(git says so) is read from the work tree, through the parse cache; any other is read
from its blob. Paths follow the rules of the work tree (`Repository.scan`); in addition
a symbolic link, a submodule and an unresolved merge conflict in the index are problems.
"""

from __future__ import annotations

from typing import Any

from dprk_records.checks.crossrecord import Locator, cross_check
from dprk_records.checks.problems import Problem, Report
from dprk_records.checks.runner import FileResult, check_bytes, check_files
from dprk_records.errors import DataError
from dprk_records.records import yamlread
from dprk_records.records.repository import RECORD_SUFFIX, RECORDS, SCHEMA, RecordFile, Repository, Stray


def validate_staged(repo: Repository, *, use_cache: bool = True, jobs: int | None = None) -> Report:
    """Every check, on the records of the git index (see the module's docstring)."""
    from dprk_records.history import index
    from dprk_records.history.git import open_git

    with open_git(repo) as handle:
        entries = index.entries(handle, RECORDS, SCHEMA)
        unstaged = index.unstaged(handle, RECORDS, SCHEMA)
        schema_entries = [e for e in entries if e.path.startswith(SCHEMA + "/")]
        same_schemas = not index.untracked(handle, SCHEMA) and not any(e.path in unstaged for e in schema_entries)
        record_entries = [e for e in entries if e.path == RECORDS or e.path.startswith(RECORDS + "/")]
        report = Report()
        if not schema_entries and not record_entries:
            return report  # nothing of the repository is staged: the commit holds no records
        if not same_schemas and not schema_entries:
            raise DataError(
                "the git index holds records but no schema files: a commit of it holds records no schema describes",
                hint="stage the schema folder with 'git add schema'",
            )
        schemas = repo.schemas if same_schemas else _index_schemas(repo, handle, schema_entries)
        items = list(_scan(repo, schemas, record_entries))
        at = Locator(repo)
        from_files: list[RecordFile] = []
        from_blobs: list[FileResult] = []
        for item, entry in items:
            if isinstance(item, Stray):
                report.problems.append(Problem(item.rel, None, None, (), item.message, "file"))
            elif same_schemas and entry.path not in unstaged:
                from_files.append(item)
            else:
                raw = index.blob(handle, entry.blob, yamlread.MAX_BYTES)
                if isinstance(raw, int):
                    message = f"file is {raw:,} bytes in the index, over the 1 MiB limit for a record"
                    from_blobs.append(FileResult(item, [Problem(item.rel, None, None, (), message, "yaml")], [], []))
                    at.texts[item.rel] = None
                    continue
                result, text = check_bytes(item, raw)
                from_blobs.append(result)
                at.texts[item.rel] = text  # positions of problems across records come from the index's text
    from dprk_records.records.cache import open_cache

    cache = open_cache(repo.root, repo.schema_dir, use_cache and same_schemas)
    try:
        if cache is None or not cache.schemas_checked():
            schemas.check_all()
            if cache is not None:
                cache.mark_schemas_checked()
        results = check_files(repo, from_files, cache=cache, jobs=jobs) + from_blobs
    finally:
        if cache is not None:
            cache.close()
    report.checked = len(results)
    for result in results:
        report.problems.extend(result.problems)
    report.problems.extend(cross_check(repo, results, whole=True, at=at))
    report.problems.sort(key=lambda p: (p.path, p.line or 0, p.column or 0))
    return report


def _index_schemas(repo: Repository, handle: Any, schema_entries: list[Any]) -> Any:
    """The kinds as the index's schema files define them (regular files directly in schema/)."""
    from dprk_records.history import index
    from dprk_records.records.schemas import Schemas

    texts: dict[str, bytes] = {}
    for entry in schema_entries:
        name = entry.path[len(SCHEMA) + 1 :]
        if "/" not in name and entry.mode in index.REGULAR and entry.stage == 0:
            raw = index.blob(handle, entry.blob, 16 * 1024 * 1024)
            texts[name] = raw if isinstance(raw, bytes) else b""
    return Schemas(repo.schema_dir, texts)


def _scan(repo: Repository, schemas: Any, entries: list[Any]) -> Any:
    """(RecordFile or Stray, entry) for each index entry under records/, as Repository.scan
    judges a folder; what scan passes over (dot-files, other files) is passed over."""
    from dprk_records.history import index

    strays: set[str] = set()
    folders = ", ".join(schemas.by_folder)

    def stray(rel: str, message: str, entry: Any) -> Any:
        if rel not in strays:
            strays.add(rel)
            return [(Stray(rel, message), entry)]
        return []

    for entry in entries:
        parts = entry.path.split("/")
        if len(parts) == 1:  # records/ itself, committed as a link or a submodule
            yield from stray(
                RECORDS,
                "is not a folder in the index (a symbolic link or a submodule); records/ must be a folder",
                entry,
            )
            continue
        if parts[1].startswith("."):
            continue
        if len(parts) == 2:
            if parts[1].endswith((".yaml", ".yml")):
                yield from stray(entry.path, "record files belong in a kind folder, records/<kind folder>/", entry)
            elif entry.mode in (index.LINK, index.SUBMODULE):
                yield from stray(entry.path, "is a symbolic link or a submodule in the index, not a folder", entry)
            continue
        kind = schemas.by_folder.get(parts[1])
        if kind is None:
            yield from stray(f"{RECORDS}/{parts[1]}", f"not a kind folder (folders: {folders})", entry)
            continue
        name = parts[2]
        rel = f"{RECORDS}/{parts[1]}/{name}"
        if name.startswith("."):
            continue
        if len(parts) > 3:
            if name.endswith(RECORD_SUFFIX):
                yield from stray(rel, "a directory named like a record; records are files", entry)
            continue
        if name.endswith(".yml"):
            yield from stray(rel, "record files end in .yaml, not .yml; rename it", entry)
            continue
        if not name.endswith(RECORD_SUFFIX):
            continue
        if entry.stage != 0:
            yield from stray(
                rel, "has an unresolved merge conflict in the index; resolve it and stage the result", entry
            )
        elif entry.mode == index.LINK:
            yield from stray(
                rel, "is a symbolic link in the index; records are regular files, and a link is not followed", entry
            )
        elif entry.mode not in index.REGULAR:
            yield from stray(rel, "is not a regular file in the index (a submodule?); records are files", entry)
        else:
            yield RecordFile(repo.root / rel, kind, name[: -len(RECORD_SUFFIX)], rel), entry
