"""The analysts' guide's blocks (docs/analysts.md, "Getting the data out") run as written (but the last, which needs node and check-jsonschema),
on a copy of the project's records, with the real pandas, polars, sqlite3, frictionless and matplotlib,
and Python's warnings as errors (a deprecated call in a recipe fails the test)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import PROJECT


def blocks() -> list[str]:
    text = (PROJECT / "docs" / "analysts.md").read_text(encoding="utf-8")
    section = text.split("\n## Getting the data out\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.*?)```", section, re.S)


@pytest.mark.slow  # every analyst block of the guide, with pandas
def test_the_analysts_blocks_run(tmp_path):
    pytest.importorskip("pandas")
    pytest.importorskip("polars")
    bin_dir = Path(sys.executable).parent
    if shutil.which("dprk", path=str(bin_dir)) is None:
        pytest.skip("the dprk entry point is not installed next to this Python")
    shutil.copytree(PROJECT / "schema", tmp_path / "schema")
    shutil.copytree(PROJECT / "records", tmp_path / "records")
    env = {k: v for k, v in os.environ.items() if k not in ("DPRK_REPO", "DPRK_DEBUG")}
    env["PATH"] = f"{tmp_path / 'bin'}{os.pathsep}{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    (tmp_path / "bin").mkdir()
    wrapper = tmp_path / "bin" / "python3"  # the blocks' python3 is this one, with pandas
    # warnings are errors: a recipe that a new pandas or polars deprecates fails here first
    wrapper.write_text(f'#!/bin/sh\nexec "{sys.executable}" -W error "$@"\n', encoding="utf-8")
    wrapper.chmod(0o755)
    found = blocks()
    assert len(found) >= 7
    outputs = []
    for block in found[:-1]:
        done = subprocess.run(
            ["bash", "-e", "-c", block], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600
        )
        assert done.returncode == 0, (block, done.stdout, done.stderr)
        outputs.append(done.stdout)
    joined = "\n".join(outputs)
    assert "ICBM" in joined and "state-media" in joined and "SRBM" in joined
    assert "RUS 2 2022,2024" in joined  # the vetoes, from the votes table
    assert "[]" in joined and "True" in joined  # no dangling foreign key; the package is valid
    assert (tmp_path / "out" / "timeline.svg").read_text().startswith("<?xml")
    # everything the blocks wrote is in out/, which git ignores: nothing lands in the repository's root
    assert sorted(p.name for p in tmp_path.iterdir()) == [".dprk-cache", "bin", "out", "records", "schema"]
    assert "npx ajv-cli" in found[-1] and "check-jsonschema" in found[-1]


def test_the_analysts_blocks_write_only_into_an_ignored_folder():
    import shlex

    written = []
    for block in blocks()[:-1]:
        for line in block.splitlines():
            if not line.startswith("dprk "):
                continue
            words = shlex.split(line)
            written += [words[i + 1] for i, word in enumerate(words[:-1]) if word in ("-o", "--output", ">", "--chart")]
    assert len(written) >= 8
    assert all(target.startswith("out/") for target in written), written
    read = [name for block in blocks()[:-1] for name in re.findall(r"\(\'([^']+\.(?:csv|jsonl|sqlite|json))\'", block)]
    assert len(read) >= 4 and all(name.startswith("out/") for name in read), read  # what python reads back is there too
    ignored = subprocess.run(["git", "check-ignore", "-q", "out/launches.csv"], cwd=PROJECT)
    if ignored.returncode == 128:
        pytest.skip("the project is not in a git work tree")
    assert ignored.returncode == 0
