"""benchmarks/run.py on a tiny repository: every row timed, the repository left as it was, failures reported."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent
RUN = PROJECT / "benchmarks" / "run.py"


def bench(tmp_path: Path, *extra: str) -> subprocess.CompletedProcess:
    scratch = tmp_path / "scratch"  # the harness's own temporary folder goes here
    scratch.mkdir(exist_ok=True)
    done = subprocess.run(
        [sys.executable, str(RUN), "--sizes", "20", "--runs", "1", "--workdir", str(tmp_path), *extra],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "TMPDIR": str(scratch)},
    )
    assert list(scratch.iterdir()) == []  # nothing left behind
    return done


def table_rows(stdout: str) -> dict[str, str]:
    rows = {}
    for line in stdout.splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if line.startswith("| ") and len(cells) > 2 and cells[0] not in ("command",):
            rows[cells[0]] = line
    return rows


@pytest.mark.slow  # runs the whole benchmark script
def test_every_command_is_timed_and_the_repository_is_left_clean(tmp_path):
    done = bench(tmp_path, "--dprk", f"{sys.executable} -m dprk_records", "--python", sys.executable)
    assert done.returncode == 0, done.stderr
    rows = table_rows(done.stdout)
    for name in (
        "start-up floor",
        "dprk --version",
        "dprk --help",
        "parse floor",
        "validate cold (--no-cache)",
        "validate warm",
        "query --where warm",
        "export csv cold (--no-cache)",
        "export csv warm",
        "diff (10 records changed)",
        "validate --changed-since HEAD (10 changed)",
        "update launch --count",
        "add launch",
    ):
        assert name in rows, name
        assert "failed" not in rows[name], rows[name]
    assert "x start-up" in rows["dprk --version"] and "x parse" in rows["validate warm"]
    assert "Machine: CPU" in done.stdout
    repo = tmp_path / "repo-20-s1"
    status = subprocess.run(["git", "status", "--porcelain"], cwd=repo, capture_output=True, text=True).stdout
    assert status == ""  # changed records restored, added records removed (.dprk-cache/ is ignored)
    # a second run reuses the repository instead of generating it again
    again = bench(tmp_path, "--dprk", "/bin/false", "--python", sys.executable, "--warmup", "0")
    assert "generating" not in again.stderr and again.returncode == 0


def test_a_failing_command_is_a_row_that_says_so(tmp_path):
    done = bench(
        tmp_path,
        "--dprk",
        f"{sys.executable} -c 'import sys; sys.exit(\"broken on purpose\")'",
        "--python",
        sys.executable,
        "--warmup",
        "0",
    )
    assert done.returncode == 0, done.stderr
    rows = table_rows(done.stdout)
    assert "failed: exit 1: broken on purpose" in rows["validate warm"]
    assert "missed" in rows["dprk --help"]
    assert "failed" not in rows["parse floor"] and "failed" not in rows["start-up floor"]


def test_bad_sizes_are_a_usage_error(tmp_path):
    done = bench(tmp_path, "--sizes", "ten")
    assert done.returncode == 2 and "--sizes" in done.stderr


@pytest.mark.slow  # generates a repository and runs dprk
def test_only_times_the_rows_named(tmp_path):
    done = bench(
        tmp_path, "--dprk", f"{sys.executable} -m dprk_records", "--python", sys.executable, "--only", "add,diff"
    )
    assert done.returncode == 0, done.stderr
    rows = table_rows(done.stdout)
    assert set(rows) == {"diff (10 records changed)", "add launch"}, rows
    assert all("failed" not in row for row in rows.values())
