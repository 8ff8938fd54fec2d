"""Output formats: rows and records written as a table, CSV, TSV, JSON, JSON Lines or
Markdown (`formats`), as an SQLite database (`sqlitedb`), and the query and export
flows that choose among them (`export`). A new output format goes here.
"""

__all__ = ["export", "write_selection"]


def __getattr__(name: str) -> object:
    # loaded when first asked for, so that `validate` (dprk_records.output.problems) does not load the export flow
    if name in __all__:
        import importlib

        module = importlib.import_module("dprk_records.output.export")
        globals().update((n, getattr(module, n)) for n in __all__)  # the functions, not the submodule `export`
        return globals()[name]
    raise AttributeError(f"module 'dprk_records.output' has no attribute {name!r}")
