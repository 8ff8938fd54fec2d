"""The house: one job per module, the layers visible in the folders, imports pointing down.

docs/architecture.md draws the layers; this test holds the code to them.
"""

from __future__ import annotations

import ast
import functools
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import PROJECT

PACKAGE = PROJECT / "cli"
MAX_LINES = 400
MAX_TOP_MODULES = 10

# Which parts of the tool each part may import (besides itself). The command line may
# import anything below it; the library never imports the command line.
ALLOWED = {
    "dprk_records.errors": set(),
    "dprk_records.lazy": set(),  # a package's names loaded when first asked for
    "dprk_records.records": {"dprk_records.errors", "dprk_records", "dprk_records.lazy"},
    "dprk_records.history": {"dprk_records.errors", "dprk_records.records", "dprk_records.lazy"},
    "dprk_records.selection": {"dprk_records.errors", "dprk_records.records"},
    "dprk_records.checks": {"dprk_records.errors", "dprk_records.records", "dprk_records.history", "dprk_records.lazy"},
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


# The start-up path may import a part of the command line late: `dprk --version` is answered
# before click loads, and shell completion's module (with the selection's) loads only when
# the shell asks. Everything else imports the project's modules at the top.
LATE_ALLOWED = {
    ("dprk_records.__main__", "dprk_records.main"),
    ("dprk_records.main", "dprk_records.commands._complete"),
}


def _type_checking_only(tree: ast.Module) -> set[int]:
    """The nodes inside `if TYPE_CHECKING:` blocks at the top of a module: never run."""
    inside: set[int] = set()
    for node in tree.body:
        if isinstance(node, ast.If) and ast.unparse(node.test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING"):
            inside.update(id(n) for n in ast.walk(node))
    return inside


def import_nodes(path: Path) -> list[tuple[ast.AST, bool]]:
    """Every import statement of a file that runs, with whether it is at module level
    (imports inside functions and classes included; `if TYPE_CHECKING:` blocks left out)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top = {id(node) for node in tree.body}
    skipped = _type_checking_only(tree)
    return [
        (node, id(node) in top)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Import, ast.ImportFrom)) and id(node) not in skipped
    ]


def imported(node: ast.AST) -> set[str]:
    """The project's modules one import statement loads. `from package import module`
    loads the module; the package's own names count only when some are imported."""
    found: set[str] = set()
    if isinstance(node, ast.Import):
        found.update(alias.name for alias in node.names if alias.name.split(".")[0] == "dprk_records")
    elif (
        isinstance(node, ast.ImportFrom)
        and node.module
        and node.module.split(".")[0] == "dprk_records"
        and not node.level
    ):
        submodules = {f"{node.module}.{alias.name}" for alias in node.names} & set(modules())
        found.update(submodules)
        if len(submodules) < len(node.names):
            found.add(node.module)
    return found


def named_modules(path: Path) -> set[str]:
    """The project's modules a file names in text outside its functions, to import them on demand:
    the registry's built-in writers, a package's lazy exports, completion's own columns.
    Read as imports, so that the layers and circles below take them in. The top package's
    exports are left out: they name the parts for a program, and nothing imports them at
    start-up (the parts import the package itself for its version)."""
    if path == PACKAGE / "__init__.py":
        return set()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        node.value
        for statement in tree.body
        if not isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
        for node in ast.walk(statement)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in modules()
    }


def imports(path: Path, *, top_level_only: bool = False) -> set[str]:
    """The project's modules a file imports (anywhere in it, or only at module level), and
    those it names to import on demand (named_modules)."""
    found: set[str] = set(named_modules(path))
    for node, at_top in import_nodes(path):
        if at_top or not top_level_only:
            found |= imported(node)
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


def import_cycles(sources: dict[str, Path]) -> list[str]:
    """Every circle among these modules, reading all their imports (inside functions too)."""
    graph = {name: {t for t in imports(path) if t in sources and t != name} for name, path in sources.items()}
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
    return cycles


def late_imports(sources: dict[str, Path]) -> list[str]:
    """Imports of the project's own modules inside a function or class (outside LATE_ALLOWED)."""
    late = []
    for name, path in sources.items():
        for node, at_top in import_nodes(path):
            for target in imported(node) if not at_top else ():
                if (name, target) not in LATE_ALLOWED:
                    late.append(f"{name}:{node.lineno} imports {target}")
    return late


def test_no_import_cycles_between_modules():
    assert import_cycles(modules()) == []


def test_the_project_is_imported_at_the_top():
    """A module imports the tool's own modules at its top, where the reading above sees them;
    only heavy libraries of others (jsonschema, GitPython, tabulate, matplotlib...) are
    imported where they are needed."""
    assert late_imports(modules()) == []


def test_the_readings_see_imports_inside_functions(tmp_path):
    """A circle closed by an import inside a function is a circle; a late import of the
    project is found wherever it is."""
    one, two, three = tmp_path / "one.py", tmp_path / "two.py", tmp_path / "three.py"
    one.write_text("from dprk_records.records import two\n")
    two.write_text("def later():\n    from dprk_records.records.one import x\n")
    three.write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from dprk_records.records import one\n")
    # a module named to be imported on demand (as the registry names its writers) is an import too
    four, five = tmp_path / "four.py", tmp_path / "five.py"
    four.write_text('ON_DEMAND = {"x": ("dprk_records.records.five",)}\n')
    five.write_text("from dprk_records.records import four\n")
    sources = {
        "dprk_records.records.one": one,
        "dprk_records.records.two": two,
        "dprk_records.records.three": three,
        "dprk_records.records.four": four,
        "dprk_records.records.five": five,
    }
    modules.cache_clear()
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(sys.modules[__name__], "modules", lambda: sources)
            assert import_cycles(sources) == [
                "dprk_records.records.five -> dprk_records.records.four -> dprk_records.records.five",
                "dprk_records.records.one -> dprk_records.records.two -> dprk_records.records.one",
            ]
            assert late_imports(sources) == ["dprk_records.records.two:2 imports dprk_records.records.one"]
    finally:
        modules.cache_clear()


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


def test_the_architecture_document_names_every_module():
    """Every file of cli/ is named in docs/architecture.md by its path under cli/ (`records/cache.py`)."""
    text = (PROJECT / "docs" / "architecture.md").read_text(encoding="utf-8")
    missing = [
        path.relative_to(PACKAGE).as_posix()
        for path in sorted(PACKAGE.rglob("*.py"))
        if f"`{path.relative_to(PACKAGE).as_posix()}`" not in text
        and not (path.name == "__init__.py" and path.parent != PACKAGE)  # a package is named by its folder
    ]
    assert missing == []


def test_importing_the_package_loads_no_part_of_it():
    code = "import sys, dprk_records; print(sorted(m for m in sys.modules if m.startswith('dprk_records.')))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=PROJECT)
    # only the small module that answers the package's names when first asked for
    assert done.returncode == 0 and done.stdout.strip() == "['dprk_records.lazy']", done.stdout + done.stderr


def test_a_package_loads_a_name_only_when_asked_for_it():
    code = (
        "import sys, dprk_records.checks as c; before = 'dprk_records.checks.validate' in sys.modules; "
        "c.Report; print(before, 'dprk_records.checks.validate' in sys.modules, c.Report.__module__, "
        "'Report' in c.__all__, hasattr(c, 'nothing'))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=PROJECT)
    assert done.stdout.split() == ["False", "False", "dprk_records.checks.problems", "True", "False"], done.stderr


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
