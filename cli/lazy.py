"""A package's main names, imported when first asked for (a module `__getattr__`, PEP 562).

`from dprk_records.checks import Report` then loads `checks.problems` alone, and
importing one module of a package (the cache's key, say) loads that module and what it
imports, not the whole package. Used by the top package and by `records`, `checks` and
`history`. Imports nothing of the tool.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable


def exports(package: str, sources: dict[str, str]) -> tuple[Callable[[str], object], list[str]]:
    """The `__getattr__` of `package` and its `__all__`: each name in `sources` is taken
    from the module named beside it when first asked for, then kept in the package."""

    def __getattr__(name: str) -> object:
        module = sources.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        setattr(sys.modules[package], name, value)
        return value

    return __getattr__, list(sources)
