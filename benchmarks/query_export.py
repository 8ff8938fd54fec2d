"""Time and peak memory of dprk query and export over a synthetic repository.

Usage: python benchmarks/query_export.py [N]   (N launches, default 2000)

Builds N launch records in a temporary repository, then runs each command in a
fresh process and prints wall time and peak resident memory. Streamed runs (no
--sort) should keep memory flat as N grows; sorted runs keep the selected records.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT / "tests"))
sys.path.insert(0, str(PROJECT))

from conftest import make_repo, sample, write_record  # noqa: E402

CASES = [
    ("query --csv (streamed)", ["query", "launches", "--csv"]),
    ("query --csv --sort -count", ["query", "launches", "--csv", "--sort", "-count"]),
    ("query --jsonl --where", ["query", "launches", "--jsonl", "--where", "observations.apogee_km>500"]),
    ("export csv -o", ["export", "launches", "-o", "out.csv", "--force"]),
    ("export sqlite -o", ["export", "--format", "sqlite", "-o", "out.sqlite", "--force"]),
    ("stats", ["stats", "--csv"]),
]


def build(root: Path, n: int) -> None:
    make_repo(root, git_init=False)
    for i in range(n):
        day = f"20{10 + i % 14:02d}-{1 + i % 12:02d}-{1 + i % 28:02d}"
        write_record(
            root,
            "launch",
            sample(
                "launch",
                id=f"{day}-launch-{i}",
                date=day,
                count=1 + i % 5,
                observations=[
                    {"actor": "KCNA", "actor_type": "state-media", "stance": "claim", "apogee_km": float(i % 1000)},
                    {
                        "actor": "Japanese officials",
                        "actor_type": "government",
                        "actor_state": "JPN",
                        "stance": "assessment",
                        "flight_minutes": 10 + i % 50,
                    },
                ],
            ),
        )


def measure(root: Path, args: list[str]) -> tuple[float, float]:
    code = (
        # VmHWM (peak resident set) of this process alone; ru_maxrss would carry the parent's over exec
        "import sys; from dprk_records.main import cli\n"
        "try:\n    cli(sys.argv[1:], prog_name='dprk')\nexcept SystemExit:\n    pass\n"
        "peak = [l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')][0]\n"
        "sys.stderr.write('\\n' + peak)"
    )
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=root,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(PROJECT)},
    )
    elapsed = time.perf_counter() - start
    peak_kib = float(done.stderr.strip().splitlines()[-1])
    return elapsed, peak_kib / 1024


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    with tempfile.TemporaryDirectory() as temp:
        root = Path(temp) / "repo"
        build(root, n)
        print(f"{n} launch records")
        print(f"{'command':32} {'seconds':>8} {'ms/record':>10} {'peak MiB':>9}")
        for name, args in CASES:
            seconds, mib = measure(root, args)
            print(f"{name:32} {seconds:8.2f} {1000 * seconds / n:10.3f} {mib:9.1f}")


if __name__ == "__main__":
    main()
