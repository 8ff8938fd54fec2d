"""The maintainers' guide's worked example (docs/maintainers.md) runs as written, and prints what the guide shows."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import PROJECT

FENCE = re.compile(r"^```(\w+)\n(.*?)^```", re.S | re.M)


def blocks() -> list[tuple[str, str]]:
    section = (PROJECT / "docs" / "maintainers.md").read_text(encoding="utf-8")
    return [(m.group(1), m.group(2)) for m in FENCE.finditer(section)]


def test_the_worked_example_runs_as_written(tmp_path):
    dprk = shutil.which("dprk", path=str(Path(sys.executable).parent))
    if dprk is None:
        pytest.skip("the dprk entry point is not installed next to this Python")
    steps: list[tuple[str, str | None, bool]] = []  # (commands, expected output or None, whether stderr is shown)
    for language, body in blocks():
        if language == "sh":
            steps.append((body, None, False))
        elif language == "console" and body.startswith("$ "):
            lines = body.splitlines()
            command = []
            while lines:
                line = lines.pop(0)
                command.append(line[2:] if not command else line)
                if not line.endswith("\\"):
                    break
            steps.append(("\n".join(command) + " || true\n", "\n".join(lines) + "\n", True))
        elif language == "console":
            steps[-1] = (steps[-1][0], body, False)  # what the command before prints on stdout
    assert len(steps) >= 5
    out = tmp_path / "out"
    out.mkdir()
    script = "set -e\n" + "".join(
        f"{{\n{body}}} >{out / str(n)} 2>{out / f'{n}.err'}\n" for n, (body, _, _) in enumerate(steps)
    )
    script += f"dprk validate >{out / 'validate'}\ngit log --format=%s >{out / 'log'}\n"
    env = dict(
        os.environ,
        PATH=f"{Path(dprk).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        TMPDIR=str(tmp_path),
        GIT_AUTHOR_NAME="Maintainer",
        GIT_AUTHOR_EMAIL="m@example.org",
        GIT_COMMITTER_NAME="Maintainer",
        GIT_COMMITTER_EMAIL="m@example.org",
    )
    env.pop("DPRK_REPO", None)
    result = subprocess.run(["bash", "-c", script], cwd=PROJECT, env=env, capture_output=True, text=True, timeout=120)
    outputs = {p.name: p.read_text(encoding="utf-8") for p in out.iterdir()}
    assert result.returncode == 0, (result.stderr, outputs)
    for n, (_, expected, with_errors) in enumerate(steps):
        if expected is not None:
            assert outputs[str(n)] + (outputs[f"{n}.err"] if with_errors else "") == expected, n
    assert outputs["validate"] == "2 records checked, 0 problems in 0 files\n"
    assert outputs["log"].splitlines() == [
        "Update meeting 2023-11-27-open-briefing",
        "Add meeting 2023-11-27-open-briefing",
        "Add launch 2023-11-21-malligyong-1-satellite-launch",
    ]
