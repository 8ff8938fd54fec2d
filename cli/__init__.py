"""dprk-records: the `dprk` command and the library behind it.

The names a program needs are importable from here (loaded only when first used, so
that `dprk --help` stays fast):

    from dprk_records import Repository, validate, build_selection, export

- Repository: a folder holding schema/ and records/ (`Repository.find(path)`), its
  kinds, its record files, and their data (`repo.iter_data()`);
- validate(repo, paths=(), since=None): a Report of every problem (`report.ok`,
  `report.problems`, `report.summary()`);
- build_selection(repo, kinds, since=, until=, where=, search=, sort=, limit=): the
  records `dprk query` would choose (`selection.records(repo)`);
- export(repo, selection, fmt, output, ...): what `dprk export` writes (csv, tsv, json,
  jsonl, markdown, sqlite).

The layers, from the bottom: dprk_records.errors; dprk_records.records (files, kinds, the cache); dprk_records.checks,
dprk_records.history and dprk_records.selection; dprk_records.output; dprk_records.editing; and the command line, dprk_records.commands
and dprk_records.main (see docs/architecture.md).
"""

from __future__ import annotations  # no typing import at start-up: `dprk --version` imports this module alone

__version__ = "0.1.0"

from dprk_records.lazy import exports  # noqa: E402 (after the version, which --version reads alone)

__getattr__, _names = exports(
    __name__,
    {
        "Repository": "dprk_records.records.repository",
        "RecordFile": "dprk_records.records.repository",
        "Kind": "dprk_records.records.kinds",
        "validate": "dprk_records.checks.validate",
        "Report": "dprk_records.checks.problems",
        "Problem": "dprk_records.checks.problems",
        "build_selection": "dprk_records.selection.filters",
        "Selection": "dprk_records.selection.filters",
        "export": "dprk_records.output.export",
        "write_selection": "dprk_records.output.export",
        "diff_revisions": "dprk_records.history.revisions",
        "record_log": "dprk_records.history.revisions",
        "save_new": "dprk_records.editing.saving",
        "save_update": "dprk_records.editing.saving",
        "DprkError": "dprk_records.errors",
        "DataError": "dprk_records.errors",
        "UsageError": "dprk_records.errors",
    },
)
__all__ = ["__version__", *_names]
