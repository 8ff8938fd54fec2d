"""Selecting records and shaping them into rows: the filters that `query`, `export` and
`stats` share (`filters`), columns and cells from the schema (`rows`), counts per
period (`stats`), and the records that link to one record (`links`).
"""

from dprk_records.selection.filters import Selection, build_selection

__all__ = ["Selection", "build_selection"]
