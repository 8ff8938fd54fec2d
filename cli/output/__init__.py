"""Output formats: rows and records written as a table, CSV, TSV, JSON, JSON Lines or
Markdown (`formats`), as an SQLite database (`sqlitedb`), and the query and export
flows that choose among them (`export`). A new output format goes here.
"""

from cli.output.export import export, write_selection

__all__ = ["export", "write_selection"]
