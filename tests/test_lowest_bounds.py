"""The constraints file for a run against the lowest versions names exactly pyproject's lower bounds."""

from __future__ import annotations

import re

from conftest import PROJECT


def lower_bounds() -> dict[str, str]:
    try:
        import tomllib
    except ImportError:  # Python 3.10
        import pytest

        pytest.skip("tomllib needs Python 3.11")
    project = tomllib.loads((PROJECT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    specs = project["dependencies"] + [s for group in project["optional-dependencies"].values() for s in group]
    bounds = {}
    for spec in specs:
        match = re.fullmatch(r"([A-Za-z0-9_.-]+)(?:\[[^]]*\])?>=([0-9][0-9.]*)(?:,.*)?", spec.replace(" ", ""))
        assert match, f"every dependency has a lower bound: {spec}"
        bounds[match.group(1).lower()] = match.group(2)
    return bounds


def test_the_constraints_file_pins_every_lower_bound():
    pinned = {}
    for line in (PROJECT / ".ci" / "lowest-bounds.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            pinned[name.lower()] = version
    assert {name: normal(v) for name, v in pinned.items()} == {name: normal(v) for name, v in lower_bounds().items()}


def normal(version: str) -> tuple[int, ...]:
    """6.80 and 6.80.0 are one version."""
    parts = [int(p) for p in version.split(".")]
    while parts and parts[-1] == 0:
        parts.pop()
    return tuple(parts)
