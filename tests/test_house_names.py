"""Nothing dead, nothing doubled: each name of the library is defined once and used."""

from __future__ import annotations

import ast
import collections
import re

from conftest import PROJECT

PACKAGE = PROJECT / "cli"
# methods that other code calls by protocol, not by name: a stream's, and PyYAML's resolver hooks
PROTOCOL = {"writelines", "descend_resolver", "ascend_resolver"}
# a named tuple's public names, which begin with "_" so as not to clash with its fields
NAMED_TUPLE = {"_fields", "_make", "_replace", "_asdict", "_field_defaults"}


def trees():
    for path in sorted(PACKAGE.rglob("*.py")):
        yield path, ast.parse(path.read_text(encoding="utf-8"))


def docstrings(tree):
    return {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }


def test_every_public_function_and_method_is_used():
    words = collections.Counter(
        word
        for folder in ("cli", "tests", "benchmarks")
        for path in (PROJECT / folder).rglob("*.py")
        for word in re.findall(r"\w+", path.read_text(encoding="utf-8"))
    )
    unused = []
    for path, tree in trees():
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and not node.name.startswith("_") and node.name not in PROTOCOL:
                if words[node.name] < 2:  # its definition alone
                    unused.append(f"{path.relative_to(PROJECT)}:{node.lineno} {node.name}")
    assert unused == []


def test_no_two_classes_and_no_two_library_constants_share_a_name_unless_they_mean_different_things():
    classes = collections.defaultdict(list)
    constants = collections.defaultdict(list)
    for path, tree in trees():
        for node in tree.body:
            if isinstance(node, ast.ClassDef):
                classes[node.name].append(path.name)
            if isinstance(node, ast.Assign) and path.parent.name != "commands":
                for target in node.targets:
                    if isinstance(target, ast.Name) and target.id.lstrip("_").isupper():
                        constants[target.id].append(str(path.relative_to(PACKAGE)))
    # Entry: a row of the parse cache, and an entry of the git index (different things, each named in its module)
    assert {name: where for name, where in classes.items() if len(where) > 1 and name != "Entry"} == {}
    doubled = {name: where for name, where in constants.items() if len(where) > 1}
    # different things with the same short name, each in its own module
    assert set(doubled) <= {"MAX_BYTES", "FORMAT", "INSTALL", "COLUMNS", "TABLE_COLUMNS"}, doubled


def test_the_tools_own_folder_is_spelled_once_in_code():
    found = []
    for path, tree in trees():
        skip = docstrings(tree)
        helps = {
            id(k.value)
            for node in ast.walk(tree)
            if isinstance(node, ast.Call)
            for k in node.keywords
            if k.arg == "help"
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and ".dprk-cache" in node.value:
                if id(node) not in skip and id(node) not in helps:
                    found.append(f"{path.relative_to(PROJECT)}:{node.lineno}")
    assert found == ["cli/records/writing.py:27"]


def test_a_classs_private_names_are_used_in_its_own_module_alone():
    """What a class keeps to itself (`_name`: its private methods and attributes) is used by
    its own module; another module asks through a public method (the parse cache's
    `connection()`, `meta()`, `add_view()`...)."""
    private: dict[str, str] = {}  # private name -> the module of the class that defines it
    for path, tree in trees():
        for cls in (n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)):
            for node in ast.walk(cls):
                name = None
                if isinstance(node, ast.FunctionDef):
                    name = node.name
                elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                    name = node.attr if getattr(node.value, "id", "") == "self" else None
                if name and name.startswith("_") and not name.startswith("__") and name not in NAMED_TUPLE:
                    private.setdefault(name, path.name)
    reached = []
    for path, tree in trees():
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and node.attr in private
                and private[node.attr] != path.name
                and getattr(node.value, "id", "") not in ("self", "cls")
            ):
                reached.append(f"{path.relative_to(PROJECT)}:{node.lineno} .{node.attr}")
    assert reached == []
