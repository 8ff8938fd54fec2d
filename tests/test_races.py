"""Races between real `dprk` processes: 20 adds at once, on distinct ids and on one id, and fmt during adds."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cli import yamlio
from conftest import PROJECT, Runner, SOURCE

PROCESSES = 20
FLAGS = ["--date", "2023-11-21", "--title", "Race", "--category", "SRBM", "--source", json.dumps(SOURCE)]


def env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in ("DPRK_REPO", "DPRK_DEBUG")}


def start(args: list[str], cwd: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "cli", *args], cwd=cwd, env=env(), stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(procs: list[subprocess.Popen]) -> list[subprocess.CompletedProcess]:
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        results.append(subprocess.CompletedProcess(proc.args, proc.returncode, out, err))
    return results


def record_files(repo: Path) -> list[str]:
    return sorted(p.relative_to(repo / "records").as_posix() for p in (repo / "records").rglob("*") if p.is_file())


def validate(repo: Path) -> None:
    result = Runner(repo)("validate", "--no-cache", env={"DPRK_REPO": ""})
    assert result.exit_code == 0, result.output


def test_twenty_adds_of_distinct_ids_all_succeed(repo):
    ids = [f"2023-11-21-race-{n:02d}" for n in range(PROCESSES)]
    results = finish([start(["add", "launch", *FLAGS, "--id", i, "--summary", f"Racer {i}."], repo) for i in ids])
    assert [r.returncode for r in results] == [0] * PROCESSES, [r.stderr for r in results]
    assert record_files(repo) == [f"launches/{i}.yaml" for i in ids]
    for i in ids:
        assert yamlio.load_file(repo / "records" / "launches" / f"{i}.yaml")["summary"] == f"Racer {i}."
    assert not [p for p in (repo / "records" / "launches").iterdir() if p.name.startswith(".")]
    validate(repo)


def test_twenty_adds_of_one_id_make_one_record_and_nineteen_clear_errors(repo):
    results = finish([start(["add", "launch", *FLAGS, "--summary", f"Racer {n}."], repo) for n in range(PROCESSES)])
    winners = [r for r in results if r.returncode == 0]
    losers = [r for r in results if r.returncode != 0]
    assert len(winners) == 1, [r.stderr for r in results]
    assert [r.returncode for r in losers] == [1] * (PROCESSES - 1)
    for lost in losers:
        assert lost.stdout == ""
        assert len(lost.stderr.splitlines()) == 1 and "Traceback" not in lost.stderr, lost.stderr
        assert "2023-11-21-race.yaml already exists; records are never overwritten" in lost.stderr
    assert record_files(repo) == ["launches/2023-11-21-race.yaml"]
    summary = winners[0].args[winners[0].args.index("--summary") + 1]
    assert yamlio.load_file(repo / "records" / "launches" / "2023-11-21-race.yaml")["summary"] == summary
    validate(repo)


@pytest.fixture
def unformatted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A generated repository of 150 records, none in canonical form (their header line removed)."""
    monkeypatch.syspath_prepend(str(PROJECT / "benchmarks"))
    from generate import generate

    target = tmp_path / "repo"
    generate(150, target, seed=3)
    for path in (target / "records").rglob("*.yaml"):
        path.write_text(path.read_text(encoding="utf-8").split("\n", 1)[1], encoding="utf-8")
    return target


def test_fmt_during_adds_loses_nothing(unformatted):
    repo = unformatted
    before = {rel: yamlio.load_file(repo / "records" / rel) for rel in record_files(repo)}
    ids = [f"2023-11-21-during-fmt-{n:02d}" for n in range(PROCESSES)]
    formatter = start(["fmt"], repo)
    adders = [start(["add", "launch", *FLAGS, "--id", i, "--summary", f"Added {i}."], repo) for i in ids]
    results = finish([formatter, *adders])
    assert [r.returncode for r in results] == [0] * (PROCESSES + 1), [r.stderr for r in results]
    assert set(record_files(repo)) == set(before) | {f"launches/{i}.yaml" for i in ids}
    for rel, data in before.items():
        assert yamlio.load_file(repo / "records" / rel) == data, rel
    for i in ids:
        assert yamlio.load_file(repo / "records" / "launches" / f"{i}.yaml")["summary"] == f"Added {i}."
    validate(repo)
    check = Runner(repo)("fmt", "--check", env={"DPRK_REPO": ""})
    assert check.exit_code == 0, check.output  # fmt finished every file it set out to; adds wrote canonical files
