"""Races between real `dprk` processes: 20 adds at once, on distinct ids and on one id, and fmt during adds."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import PROJECT, SOURCE, Runner
from dprk_records.records import yamlread

pytestmark = pytest.mark.slow  # races between real processes: the second step of .ci/run

PROCESSES = 20
FLAGS = ["--date", "2023-11-21", "--title", "Race", "--category", "SRBM", "--source", json.dumps(SOURCE)]


def env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in ("DPRK_REPO", "DPRK_DEBUG")}


def start(args: list[str], cwd: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "dprk_records", *args],
        cwd=cwd,
        env=env(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


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
        assert yamlread.load_file(repo / "records" / "launches" / f"{i}.yaml")["summary"] == f"Racer {i}."
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
    assert yamlread.load_file(repo / "records" / "launches" / "2023-11-21-race.yaml")["summary"] == summary
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
    before = {rel: yamlread.load_file(repo / "records" / rel) for rel in record_files(repo)}
    ids = [f"2023-11-21-during-fmt-{n:02d}" for n in range(PROCESSES)]
    formatter = start(["fmt"], repo)
    adders = [start(["add", "launch", *FLAGS, "--id", i, "--summary", f"Added {i}."], repo) for i in ids]
    results = finish([formatter, *adders])
    assert [r.returncode for r in results] == [0] * (PROCESSES + 1), [r.stderr for r in results]
    assert set(record_files(repo)) == set(before) | {f"launches/{i}.yaml" for i in ids}
    for rel, data in before.items():
        assert yamlread.load_file(repo / "records" / rel) == data, rel
    for i in ids:
        assert yamlread.load_file(repo / "records" / "launches" / f"{i}.yaml")["summary"] == f"Added {i}."
    validate(repo)
    check = Runner(repo)("fmt", "--check", env={"DPRK_REPO": ""})
    assert check.exit_code == 0, check.output  # fmt finished every file it set out to; adds wrote canonical files


# --- no change is lost: updates, fmt and adds across kinds -------------------------------------------

UPDATES = {  # one field each, so every process's change must survive
    "--name": "Hwasong",
    "--payload": "none",
    "--propellant": "solid",
    "--launch-site": "Sohae",
    "--direction": "east",
    "--landing-area": "sea",
    "--outcome": "success",
    "--date-note": "morning",
    "--count": "3",
    "--summary": "Changed.",
}


def launch_record(repo: Path, record_id: str = "2023-11-21-race") -> Path:
    from conftest import sample, write_record

    return write_record(
        repo, "launch", sample("launch", id=record_id, date="2023-11-21", count=None, landing_area=None)
    )


def test_concurrent_updates_of_different_fields_keep_every_change(repo):
    for round_ in range(3):
        path = launch_record(repo)
        procs = [start(["update", "2023-11-21-race", flag, value], repo) for flag, value in UPDATES.items()]
        results = finish(procs)
        assert [r.returncode for r in results] == [0] * len(UPDATES), [r.stderr for r in results]
        data = yamlread.load_file(path)
        for flag, value in UPDATES.items():
            key = flag[2:].replace("-", "_")
            assert str(data[key]) == value, (round_, key, data)
    validate(repo)


EDITOR_THAT_RACES = r"""
import pathlib, subprocess, sys
target = pathlib.Path(sys.argv[-1])
repo = pathlib.Path(__file__).with_name("repo.txt").read_text().strip()
# another maintainer changes the record while this editor is open
subprocess.run([sys.executable, "-m", "dprk_records", "update", "2023-11-21-race", "--count", "7"], cwd=repo, check=True,
               stdin=subprocess.DEVNULL, capture_output=True)
target.write_text(target.read_text().replace("title: Two short-range ballistic missiles", "title: Edited title"))
"""


def test_edit_of_a_record_changed_under_the_editor_keeps_the_edited_text(repo, tmp_path):
    path = launch_record(repo)
    script = tmp_path / "editor" / "race.py"
    script.parent.mkdir()
    script.write_text(EDITOR_THAT_RACES)
    (script.parent / "repo.txt").write_text(str(repo))
    result = subprocess.run(
        [sys.executable, "-m", "dprk_records", "update", "2023-11-21-race", "--edit"],
        cwd=repo,
        capture_output=True,
        text=True,
        env={**env(), "EDITOR": f'"{sys.executable}" "{script}"', "VISUAL": ""},
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 1, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "changed while you were editing it" in result.stderr
    kept = result.stderr.split("kept in ", 1)[1].split(" ", 1)[0]
    assert kept.startswith(".dprk-cache/unsaved/2023-11-21-race-") and kept.endswith(".yaml")
    assert "title: Edited title" in (repo / kept).read_text()
    data = yamlread.load_file(path)
    assert data["count"] == 7 and data["title"] == "Two short-range ballistic missiles"  # the other change stands
    validate(repo)


def test_update_racing_fmt_loses_nothing(unformatted):
    repo = unformatted
    launches = sorted((repo / "records" / "launches").glob("*.yaml"))[:PROCESSES]
    formatter = start(["fmt"], repo)
    updaters = [start(["update", p.stem, "--summary", f"Updated {p.stem}."], repo) for p in launches]
    results = finish([formatter, *updaters])
    assert [r.returncode for r in results] == [0] * (PROCESSES + 1), [r.stderr for r in results]
    for p in launches:
        assert yamlread.load_file(p)["summary"] == f"Updated {p.stem}.", p
    validate(repo)
    assert Runner(repo)("fmt", "--check", env={"DPRK_REPO": ""}).exit_code == 0


STATEMENT_FLAGS = [
    "--date",
    "2023-11-21",
    "--title",
    "Race",
    "--summary",
    "s.",
    "--type",
    "national",
    "--status",
    "issued",
    "--source",
    json.dumps(SOURCE),
]


def test_one_id_added_as_two_kinds_at_once_is_taken_once(repo):
    for trial in range(3):
        record_id = f"2023-11-21-cross-kind-{trial}"
        procs = []
        for n in range(PROCESSES // 2):
            procs.append(
                start(["add", "launch", *FLAGS, "--id", record_id, "--summary", f"Launch {n} of trial {trial}."], repo)
            )
            procs.append(
                start(
                    ["add", "statement", *STATEMENT_FLAGS, "--id", record_id, "--summary", f"Statement {trial}."], repo
                )
            )
        results = finish(procs)
        assert sum(r.returncode == 0 for r in results) == 1, [r.stderr for r in results]
        assert all(r.returncode == 1 and len(r.stderr.splitlines()) == 1 for r in results if r.returncode), [
            r.stderr for r in results
        ]
        made = [p for p in (repo / "records").rglob(f"{record_id}.yaml")]
        assert len(made) == 1, made
    validate(repo)
