"""The records library: record files and the schema files that define their kinds.

Reading (strict YAML, `yamlread`) and writing (canonical YAML, `yamlwrite`; atomic
files, `writing`), the kinds and their fields (`kinds`, `schemas`), the repository and
its folders (`repository`), reading many records through the parse cache (`reading`,
`cache`), partial dates (`dates`) and JSON Schema patterns as ECMA-262 reads them
(`ecma`). Everything else in the tool stands on this package; it imports nothing from
the rest of the tool but dprk_records.errors.
"""

from dprk_records.records.kinds import Field, Kind, values_at
from dprk_records.records.repository import RecordFile, Repository, Stray
from dprk_records.records.schemas import Schemas

__all__ = ["Field", "Kind", "RecordFile", "Repository", "Schemas", "Stray", "values_at"]
