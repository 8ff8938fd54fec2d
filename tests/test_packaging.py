"""The package metadata: the licence as an SPDX expression (PEP 639), with a build
backend new enough to read it, so that builds keep working after setuptools drops the
old table form."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import PROJECT


def pyproject() -> str:
    return (PROJECT / "pyproject.toml").read_text(encoding="utf-8")


def test_the_licence_is_an_spdx_string_and_the_backend_reads_it():
    text = pyproject()
    assert re.search(r'^license = "MIT"$', text, re.M)
    assert not re.search(r"^license = \{", text, re.M)  # the table form setuptools deprecates
    assert "License ::" not in text  # a licence classifier beside an expression is refused by the backend
    floor = re.search(r'requires = \["setuptools>=([0-9.]+)"\]', text).group(1)
    assert tuple(map(int, floor.split("."))) >= (77, 0, 1)  # 77.0.0, the first to read it, was withdrawn


@pytest.mark.slow  # builds a wheel, with the backend pip fetches for the build
def test_a_built_wheel_carries_the_licence_expression(tmp_path: Path):
    if shutil.which("git") is None:
        pytest.skip("git is needed to copy the project")
    source = tmp_path / "source"
    source.mkdir()
    archive = subprocess.run(["git", "ls-files", "-z"], cwd=PROJECT, capture_output=True, check=True).stdout.split(
        b"\0"
    )
    for name in filter(None, archive):
        target = source / name.decode()
        target.parent.mkdir(parents=True, exist_ok=True)
        if (PROJECT / name.decode()).is_file():
            shutil.copy2(PROJECT / name.decode(), target)
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path / "dist"), str(source)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    [wheel] = (tmp_path / "dist").glob("*.whl")
    with zipfile.ZipFile(wheel) as bundle:
        metadata = next(bundle.read(n).decode() for n in bundle.namelist() if n.endswith(".dist-info/METADATA"))
    assert "License-Expression: MIT" in metadata.splitlines()
