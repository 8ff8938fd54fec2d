"""dprk-records: the `dprk` command and the library behind it.

The names a program needs are importable from here (loaded only when first used, so
that `dprk --help` stays fast):

    from cli import Repository, validate, build_selection, export

- Repository: a folder holding schema/ and records/ (`Repository.find(path)`), its
  kinds, its record files, and their data (`repo.iter_data()`);
- validate(repo, paths=(), since=None): a Report of every problem (`report.ok`,
  `report.problems`, `report.summary()`);
- build_selection(repo, kinds, since=, until=, where=, search=, sort=, limit=): the
  records `dprk query` would choose (`selection.records(repo)`);
- export(repo, selection, fmt, output, ...): what `dprk export` writes (csv, tsv, json,
  jsonl, markdown, sqlite).

The layers, from the bottom: cli.errors; cli.records (files, kinds, the cache); cli.checks,
cli.history and cli.selection; cli.output; cli.editing; and the command line, cli.commands
and cli.main (see docs/architecture.md).
"""

from __future__ import annotations  # no typing import at start-up: `dprk --version` imports this module alone

__version__ = "0.1.0"

_EXPORTS = {
    "Repository": "cli.records.repository",
    "RecordFile": "cli.records.repository",
    "Kind": "cli.records.kinds",
    "validate": "cli.checks.validate",
    "Report": "cli.checks.problems",
    "Problem": "cli.checks.problems",
    "build_selection": "cli.selection.filters",
    "Selection": "cli.selection.filters",
    "export": "cli.output.export",
    "write_selection": "cli.output.export",
    "diff_revisions": "cli.history.revisions",
    "record_log": "cli.history.revisions",
    "save_new": "cli.editing.saving",
    "save_update": "cli.editing.saving",
    "DprkError": "cli.errors",
    "DataError": "cli.errors",
    "UsageError": "cli.errors",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> object:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'cli' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
