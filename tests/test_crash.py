"""Crash safety: `dprk add`, `update`, `fmt` and `export -o` killed with SIGKILL at random points.

Each process is a real `python -m dprk_records` run, killed after a random delay drawn (with a fixed
seed) from the span of one full run, so kills land in start-up, reading and writing. After
every kill each record file must be byte for byte its old text or its new one (and parse),
no record file may be missing or new beyond what the command was writing, temporary files
may only be dot-files, and `dprk validate` must pass. An export target is absent, the old
file, or complete; a data package replaced in a folder holds each file old or new, and the
user's other files there stay.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import PROJECT, Runner, sample, write_record
from dprk_records.records import yamlread

pytestmark = pytest.mark.slow  # real processes killed at random points: the second step of .ci/run

SEED = 20231121
ROUNDS = 6  # random kills per command on a small repository
BIG_ROUNDS = 3  # random kills per command on the generated repository (plus one mid-write kill)
GENERATED = 300  # records in the generated repository

SOURCE = '{"publisher": "p", "title": "t", "date": "2023-11", "quote": "q"}'
LAUNCH_ID = "2023-08-30-srbm"
DESCRIPTOR_NAME = "datapackage.json"


def env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in ("DPRK_REPO", "DPRK_DEBUG")}


def start(args: list[str], cwd: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "dprk_records", *args],
        cwd=cwd,
        env=env(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def kill(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=60)


def full_run(args: list[str], cwd: Path) -> float:
    """Run once to the end; how long it took (only to spread the kill delays over)."""
    began = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "dprk_records", *args], cwd=cwd, env=env(), capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return time.monotonic() - began


def killed_after(args: list[str], cwd: Path, delay: float) -> None:
    proc = start(args, cwd)
    time.sleep(delay)
    kill(proc)


def killed_once(args: list[str], cwd: Path, seen) -> None:
    """Kill the process as soon as `seen()` says its writing has begun (or let it end)."""
    proc = start(args, cwd)
    deadline = time.monotonic() + 60
    while proc.poll() is None and not seen() and time.monotonic() < deadline:
        time.sleep(0.0005)
    kill(proc)


def files(folder: Path) -> dict[str, bytes]:
    """Every non-dot file below `folder` (dot-folders skipped), by relative path."""
    out = {}
    for path in folder.rglob("*"):
        rel = path.relative_to(folder)
        if any(part.startswith(".") for part in rel.parts) or not path.is_file():
            continue
        out[rel.as_posix()] = path.read_bytes()
    return out


def check_records(repo: Path, old: dict[str, bytes], new: dict[str, bytes]) -> None:
    """Every record file is its old or its new text, and nothing else appeared; validate passes."""
    now = files(repo / "records")
    assert set(now) <= set(old) | set(new), sorted(set(now) - set(old) - set(new))
    for rel in set(old) | set(new):
        got = now.get(rel)
        assert got in (old.get(rel), new.get(rel)), (
            f"records/{rel} is neither old nor new: {got[:200] if got else got!r}"
        )
        if got is not None:
            yamlread.loads(got.decode("utf-8"), rel)
    result = Runner(repo)("validate", "--no-cache", env={"DPRK_REPO": ""})
    assert result.exit_code == 0, result.output


@pytest.fixture
def small(repo: Path) -> Path:
    for kind in ("launch", "meeting", "statement", "sanctions-report"):
        write_record(repo, kind, sample(kind))
    return repo


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A repository of a few hundred canonical records (benchmarks/generate.py)."""
    sys.path.insert(0, str(PROJECT / "benchmarks"))
    try:
        from generate import generate
    finally:
        sys.path.remove(str(PROJECT / "benchmarks"))
    target = tmp_path_factory.mktemp("crash") / "generated"
    generate(GENERATED, target, seed=7)
    return target


# --- add and update --------------------------------------------------------------------


def test_add_killed_at_random_points(small):
    rng = random.Random(SEED)
    flags = [
        "launch",
        "--date",
        "2023-11-21",
        "--summary",
        "A record written while killed.",
        "--category",
        "SRBM",
        "--count",
        "2",
        "--source",
        SOURCE,
    ]
    run = Runner(small)
    span = full_run(["add", *flags, "--id", "2023-11-21-crash-full", "--title", "Crash test full"], small)
    for n in range(ROUNDS):
        record_id = f"2023-11-21-crash-{n}"
        args = [*flags, "--id", record_id, "--title", f"Crash test {n}"]  # no two records alike
        dry = run("add", *args, "--dry-run")
        assert dry.exit_code == 0, dry.output
        old = files(small / "records")
        new = dict(old, **{f"launches/{record_id}.yaml": dry.stdout.encode("utf-8")})
        killed_after(["add", *args], small, rng.uniform(0, span * 1.2))
        check_records(small, old, new)


def test_update_killed_at_random_points(small):
    rng = random.Random(SEED + 1)
    run = Runner(small)
    span = full_run(["update", LAUNCH_ID, "--summary", "Timing run."], small)
    rel = f"launches/{LAUNCH_ID}.yaml"
    for n in range(ROUNDS):
        args = ["update", LAUNCH_ID, "--summary", f"Version {n} of the summary, longer than before. " * (n + 1)]
        dry = run(*args, "--dry-run")
        assert dry.exit_code == 0, dry.output
        old = files(small / "records")
        new = dict(old, **{rel: dry.stdout.encode("utf-8")})
        assert new[rel] != old[rel]
        killed_after(args, small, rng.uniform(0, span * 1.2))
        check_records(small, old, new)


# --- fmt ---------------------------------------------------------------------------------


def test_fmt_killed_at_random_points(generated, tmp_path):
    """Every record starts without its header line, so fmt rewrites all of them."""
    template = tmp_path / "template"
    shutil.copytree(generated, template)
    for path in (template / "records").rglob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        path.write_text(text.split("\n", 1)[1], encoding="utf-8")
    old = files(template / "records")
    canonical = tmp_path / "canonical"
    shutil.copytree(template, canonical)
    span = full_run(["fmt"], canonical)
    new = files(canonical / "records")
    assert set(new) == set(old) and all(new[rel] != old[rel] for rel in old)

    rng = random.Random(SEED + 2)
    for n in range(BIG_ROUNDS + 1):
        target = tmp_path / f"round-{n}"
        shutil.copytree(template, target)
        if n < BIG_ROUNDS:
            killed_after(["fmt"], target, rng.uniform(0, span * 1.1))
        else:  # once more, killed as soon as the first file has been rewritten
            first = sorted((target / "records").rglob("*.yaml"))[0]
            size = first.stat().st_size
            killed_once(["fmt"], target, lambda first=first, size=size: first.stat().st_size != size)
        check_records(target, old, new)
        shutil.rmtree(target)


# --- export -o -----------------------------------------------------------------------------


def test_export_killed_at_random_points(generated, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    reference = out / "reference.csv"
    span = full_run(["export", "-o", str(reference)], generated)
    complete = reference.read_bytes()
    reference.unlink()
    target = out / "launches.csv"
    rng = random.Random(SEED + 3)
    for n in range(BIG_ROUNDS * 2 + 1):
        replace = n % 2 == 1
        if replace:
            target.write_bytes(b"old export\n")
        args = ["export", "-o", str(target)] + (["--force"] if replace else [])
        if n < BIG_ROUNDS * 2:
            killed_after(args, generated, rng.uniform(0, span * 1.2))
        else:  # killed as soon as its temporary file exists
            killed_once(args, generated, lambda: any(p.name.startswith(".") for p in out.iterdir()))
        if target.exists():
            assert target.read_bytes() in ((b"old export\n", complete) if replace else (complete,))
        else:
            assert not replace, "--force lost the old file"
        assert [p.name for p in out.iterdir() if not p.name.startswith(".")] in ([], ["launches.csv"])
        if target.exists():
            target.unlink()
    assert Runner(generated)("validate", env={"DPRK_REPO": ""}).exit_code == 0


def test_sqlite_export_killed_at_random_points(generated, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    reference = out / "reference.sqlite"
    span = full_run(["export", "--format", "sqlite", "-o", str(reference)], generated)

    def dump(path: Path) -> list[str]:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return list(db.iterdump())
        finally:
            db.close()

    complete = dump(reference)
    reference.unlink()
    target = out / "dprk.sqlite"
    rng = random.Random(SEED + 4)
    for _ in range(BIG_ROUNDS):
        killed_after(["export", "--format", "sqlite", "-o", str(target)], generated, rng.uniform(0, span * 1.2))
        if target.exists():
            assert dump(target) == complete
            target.unlink()
        assert [p.name for p in out.iterdir() if not p.name.startswith(".")] == []


def test_query_killed_while_filling_the_parse_cache(generated, tmp_path):
    """The parse cache (.dprk-cache/) of a killed run never changes what the next run reads."""
    repo = tmp_path / "repo"
    shutil.copytree(generated, repo, ignore=shutil.ignore_patterns(".dprk-cache"))
    span = full_run(["query", "--csv", "--no-cache"], repo)
    expected = Runner(repo)("query", "--csv", "--no-cache", env={"DPRK_REPO": ""}).stdout
    rng = random.Random(SEED + 5)
    for _ in range(BIG_ROUNDS):
        shutil.rmtree(repo / ".dprk-cache", ignore_errors=True)
        killed_after(["query", "--csv"], repo, rng.uniform(0, span * 1.5))
        again = Runner(repo)("query", "--csv", env={"DPRK_REPO": ""})
        assert again.exit_code == 0 and again.stdout == expected, again.stderr


def test_datapackage_force_killed_at_random_points(generated, tmp_path):
    """Replacing a package in a folder that also holds the user's files: killed anywhere, every
    file is its old or its new version, the user's file is untouched, and nothing else appears."""
    reference = tmp_path / "reference"
    reference.mkdir()
    full_run(["export", "--format", "datapackage", "-o", str(reference / "old")], generated)
    span = full_run(
        ["export", "launches", "meetings", "--format", "datapackage", "-o", str(reference / "new")], generated
    )
    old, new = files(reference / "old"), files(reference / "new")
    assert set(new) < set(old) and any(old[name] != new[name] for name in new)
    rng = random.Random(SEED + 6)
    for n in range(BIG_ROUNDS + 1):
        target = tmp_path / f"package-{n}"
        shutil.copytree(reference / "old", target)
        (target / "notes.txt").write_text("my notes")
        args = ["export", "launches", "meetings", "--format", "datapackage", "-o", str(target), "--force"]
        if n < BIG_ROUNDS:
            killed_after(args, generated, rng.uniform(0, span * 1.2))
        else:  # killed as soon as its dot-folder exists
            killed_once(args, generated, lambda target=target: any(p.name.startswith(".") for p in target.iterdir()))
        now = files(target)
        assert now.pop("notes.txt") == b"my notes"
        assert set(now) <= set(old)
        for name, data in now.items():
            assert data in (old[name], new.get(name)), name
        assert DESCRIPTOR_NAME in now
        finished = subprocess.run(
            [sys.executable, "-m", "dprk_records", *args],
            cwd=generated,
            env=env(),
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert finished.returncode == 0, finished.stderr
        assert files(target) == dict(new, **{"notes.txt": b"my notes"})
