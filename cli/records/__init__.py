"""The records library: record files and the schema files that define their kinds.

Reading (strict YAML, `yamlread`) and writing (canonical YAML, `yamlwrite`; atomic
files, `writing`), the kinds and their fields (`kinds`, `schemas`), the repository and
its folders (`repository`), reading many records through the parse cache (`reading`,
`cache`), partial dates (`dates`) and JSON Schema patterns as ECMA-262 reads them
(`ecma`). Everything else in the tool stands on this package; it imports nothing from
the rest of the tool but dprk_records.errors.

Its main names are importable from here (`from dprk_records.records import Repository`),
loaded when first asked for: importing one module of the package (the cache's key, say)
loads that module and what it imports, not the whole package.
"""

from __future__ import annotations

from dprk_records.lazy import exports

__getattr__, __all__ = exports(
    __name__,
    {
        "Field": "dprk_records.records.kinds",
        "Kind": "dprk_records.records.kinds",
        "RecordFile": "dprk_records.records.recordfile",
        "Repository": "dprk_records.records.repository",
        "Schemas": "dprk_records.records.schemas",
        "Stray": "dprk_records.records.recordfile",
        "values_at": "dprk_records.records.values",
    },
)
