"""How the cost of `dprk add` and `dprk update` changes with the number of records.

Builds repositories of 10, 1,000 and 10,000 launch records in a temporary folder and
times an add (a meeting that refers to one launch) and an update of one record, run
in-process through the click command, several times each. Prints a table of medians
and the ratio to the smallest repository. Add and update read only the records they
refer to, so the ratios should stay near 1.

    python benchmarks/add_update.py
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from click.testing import CliRunner

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from cli import yamlio  # noqa: E402
from cli.kinds import Schemas  # noqa: E402
from cli.main import cli  # noqa: E402

SIZES = (10, 1_000, 10_000)
RUNS = 15
SOURCE = {"publisher": "Security Council Report", "title": "Monthly Forecast", "date": "2023-11", "quote": "the DPRK fired a missile"}


def build(root: Path, count: int) -> None:
    shutil.copytree(PROJECT / "schema", root / "schema")
    kind = Schemas(root / "schema").get("launch")
    folder = root / "records" / kind.folder
    folder.mkdir(parents=True)
    (root / "records" / "meetings").mkdir()
    for n in range(count):
        record = {"id": f"2020-01-01-launch-{n}", "date": "2020-01-01", "title": f"Launch {n}", "summary": "A launch.",
                  "category": "SRBM", "count": 1, "sources": [SOURCE]}
        (folder / f"{record['id']}.yaml").write_text(yamlio.dumps(record, kind.root, kind.header), encoding="utf-8")


def timed(runner: CliRunner, args: list[str], cleanup: Path | None = None) -> float:
    start = time.perf_counter()
    result = runner.invoke(cli, args, catch_exceptions=False)
    elapsed = time.perf_counter() - start
    assert result.exit_code == 0, result.output
    if cleanup is not None:
        cleanup.unlink()
    return elapsed


def main() -> None:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in SIZES:
            root = Path(tmp) / f"repo{size}"
            build(root, size)
            runner = CliRunner()
            add = ["add", "--repo", str(root), "meeting", "--date", "2020-01-02", "--title", "Briefing", "--summary", "s",
                   "--format", "open-briefing", "--status", "held", "--launches", "2020-01-01-launch-0", "--source", json.dumps(SOURCE)]
            new = root / "records" / "meetings" / "2020-01-02-briefing.yaml"
            timed(runner, add, new)  # warm up: schemas, validators, imports
            adds = [timed(runner, add, new) for _ in range(RUNS)]
            updates = [timed(runner, ["update", "--repo", str(root), "2020-01-01-launch-5", "--count", str(2 + n)]) for n in range(RUNS)]
            rows.append((size, statistics.median(adds) * 1000, statistics.median(updates) * 1000))
    base_add, base_update = rows[0][1], rows[0][2]
    print(f"{'records':>8}  {'add ms':>8}  {'ratio':>6}  {'update ms':>9}  {'ratio':>6}")
    for size, add_ms, update_ms in rows:
        print(f"{size:>8,}  {add_ms:>8.2f}  {add_ms / base_add:>6.2f}  {update_ms:>9.2f}  {update_ms / base_update:>6.2f}")


if __name__ == "__main__":
    os.environ.pop("DPRK_REPO", None)
    main()
