"""The house: one job per module, the layers visible in the folders, imports pointing down.

docs/architecture.md draws the layers; this test holds the code to them.
"""

from __future__ import annotations

import ast
import functools
import subprocess
import sys
from pathlib import Path

from conftest import PROJECT

PACKAGE = PROJECT / "cli"
MAX_LINES = 400
MAX_TOP_MODULES = 10

# Which parts of the tool each part may import (besides itself). The command line may
# import anything below it; the library never imports the command line.
ALLOWED = {
    "dprk_records.errors": set(),
    "dprk_records.records": {"dprk_records.errors", "dprk_records"},
    "dprk_records.history": {"dprk_records.errors", "dprk_records.records"},
    "dprk_records.selection": {"dprk_records.errors", "dprk_records.records"},
    "dprk_records.checks": {"dprk_records.errors", "dprk_records.records", "dprk_records.history"},
    "dprk_records.output": {
        "dprk_records.errors",
        "dprk_records.records",
        "dprk_records.selection",
        "dprk_records.checks",
        "dprk_records.history",  # its writers write diffs and logs as they write rows and problems
    },
    "dprk_records.editing": {
        "dprk_records.errors",
        "dprk_records.records",
        "dprk_records.checks",
        "dprk_records.history",
    },
    "dprk_records.commands": {
        "dprk_records.errors",
        "dprk_records.records",
        "dprk_records.checks",
        "dprk_records.history",
        "dprk_records.selection",
        "dprk_records.output",
        "dprk_records.editing",
        "dprk_records",
    },
    "dprk_records.main": {"dprk_records.errors", "dprk_records.commands", "dprk_records"},
    "dprk_records.__main__": {"dprk_records.main", "dprk_records"},
}


@functools.cache  # asked once per import statement of every module
def modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = ("dprk_records", *path.relative_to(PACKAGE).with_suffix("").parts)
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def part_of(module: str) -> str:
    """The part of the tool a module belongs to: its subpackage, or itself at the top."""
    pieces = module.split(".")
    return ".".join(pieces[:2]) if len(pieces) > 1 else module


def imports(path: Path, *, top_level_only: bool = False) -> set[str]:
    """The project's modules a file imports (anywhere in it, or only at module level)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    found: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.If) and top_level_only:
            continue  # `if TYPE_CHECKING:` blocks are for type checkers only
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.split(".")[0] == "dprk_records")
        elif (
            isinstance(node, ast.ImportFrom)
            and node.module
            and node.module.split(".")[0] == "dprk_records"
            and node.level == 0
        ):
            found.add(node.module)
            for alias in node.names:  # `from dprk_records.records import yamlread` imports a module
                if f"{node.module}.{alias.name}" in modules():
                    found.add(f"{node.module}.{alias.name}")
    return found


def test_no_module_is_over_400_lines():
    long = {
        name: n
        for name, path in modules().items()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}


def test_at_most_ten_modules_directly_in_cli():
    top = [p.name for p in PACKAGE.glob("*.py")]
    assert len(top) <= MAX_TOP_MODULES, top


def test_every_part_imports_only_the_parts_below_it():
    wrong = []
    for name, path in modules().items():
        if name == "dprk_records":
            continue  # the package's lazy exports name the parts; nothing is imported at start-up
        mine = part_of(name)
        allowed = ALLOWED[mine] | {mine}
        for target in imports(path):
            if part_of(target) not in allowed:
                wrong.append(f"{name} imports {target}")
    assert wrong == []


def test_no_import_cycles_between_modules():
    graph = {
        name: {t for t in imports(path, top_level_only=True) if t in modules() and t != name}
        for name, path in modules().items()
    }
    seen: dict[str, int] = {}
    cycles = []

    def visit(node: str, stack: list[str]) -> None:
        seen[node] = 1
        for nxt in sorted(graph[node]):
            if seen.get(nxt) == 1:
                cycles.append(" -> ".join(stack[stack.index(nxt) :] + [nxt]) if nxt in stack else f"{node} -> {nxt}")
            elif nxt not in seen:
                visit(nxt, stack + [nxt])
        seen[node] = 2

    for name in sorted(graph):
        if name not in seen:
            visit(name, [name])
    assert cycles == []


def test_the_library_does_not_import_click():
    users = [
        name
        for name, path in modules().items()
        if not name.startswith(("dprk_records.commands", "dprk_records.main")) and "click" in _all_imports(path)
    ]
    assert users == []


def _all_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_every_package_says_what_it_holds():
    for path in PACKAGE.rglob("__init__.py"):
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
        assert doc and len(doc) > 40, path


def test_the_architecture_document_names_every_package():
    text = (PROJECT / "docs" / "architecture.md").read_text(encoding="utf-8")
    for path in PACKAGE.iterdir():
        if path.is_dir() and (path / "__init__.py").exists():
            assert f"cli/{path.name}/" in text, path.name


def test_importing_the_package_loads_no_part_of_it():
    code = "import sys, dprk_records; print(sorted(m for m in sys.modules if m.startswith('dprk_records.')))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=PROJECT)
    assert done.returncode == 0 and done.stdout.strip() == "[]", done.stdout + done.stderr


def test_every_package_is_installed():
    """pyproject's package list takes in every folder of cli/ (a wheel would otherwise leave one out),
    installed under the project's own import name."""
    import re

    text = (PROJECT / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(r'^package-dir = \{ "dprk_records" = "cli" \}$', text, re.M)
    listed = re.search(r"^packages = \[(.*?)\]", text, re.S | re.M).group(1)
    names = {p.strip().strip('"') for p in listed.split(",") if p.strip()}
    packages = {".".join(("dprk_records", *p.parent.relative_to(PACKAGE).parts)) for p in PACKAGE.rglob("__init__.py")}
    assert len(packages) > 5 and names == packages


def test_no_top_level_cli_is_installed():
    """The tool installs one top-level package, dprk_records; `import cli` finds nothing of ours."""
    code = "import importlib.util as u; spec = u.find_spec('cli'); print(spec.origin if spec else None)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=PROJECT.parent)
    assert done.returncode == 0 and done.stdout.strip() == "None", done.stdout + done.stderr
