"""Checking records: strict YAML, the kind's schema, and checks across records.

One job per module: `problems` (what a finding is, and schema errors in our words),
`record` (one record on its own), `runner` (many files, cached, in parallel),
`crossrecord` (ids, references, symbols, duplicates across records), `validate` (the
whole repository), `changed` (what a git change can break), `staged` (the records of the
git index, for pre-commit) and `canonical` (`dprk fmt`).

Every finding is a Problem with the file, the line and column of the offending node,
its JSON path and a plain message. Checks (the `check` names in JSON output):

- yaml: the file is not strict YAML (syntax, duplicate keys, anchors, tags, encoding)
- file: the path is not a readable record file (wrong place, symlink out, directory)
- schema: the record breaks its kind's schema
- date: a full date that is not on the calendar (2023-02-30)
- match: a value that must name another field's value in the same record does not (an
  `according_to` actor that is not the actor of any observation)
- id: the `id` field differs from the file name
- kind: the file's `$schema` header names another kind than its folder
- header: a `yaml-language-server` header that is not the kind's own (`$schema` pointing
  anywhere else, or a second header further down)
- unique-id: the same id is used by records of two kinds
- reference: a referenced id does not exist, or is of the wrong kind
- unique-symbol: two records share a document symbol
- duplicate: two records are one: the same content apart from the id (a record told
  twice, or both halves of a rename interrupted without its journal)
- journal: a change to several files that an interrupted command left half made, and
  that could not be finished (a file changed since), or a journal not made for this folder

Its main names are importable from here, loaded when first asked for: importing one
module of the package (`problems`, say) loads that module and what it imports, not
every check.
"""

from __future__ import annotations

from dprk_records.lazy import exports

__getattr__, __all__ = exports(
    __name__,
    {
        "validate_changed": "dprk_records.checks.changed",
        "Problem": "dprk_records.checks.problems",
        "Report": "dprk_records.checks.problems",
        "validate": "dprk_records.checks.validate",
    },
)
