"""How the cost of `dprk diff` and `dprk validate --changed-since` grows with the repository.

Builds repositories of N launch records in a temporary folder, commits them, changes
one record, and times (best of 3):
  diff       history.diff_revisions (git finds the change; one blob pair parsed)
  changed    validation.validate_changed (one record checked, plus referrer search)
  parse-all  reading and parsing every record once, which a Python tree walk would need
             (and would need twice, once per side)

Run: python benchmarks/diff_scaling.py [N ...]
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from conftest import make_repo, sample, write_record  # noqa: E402

from cli import yamlio  # noqa: E402
from cli.history import diff_revisions  # noqa: E402
from cli.repository import Repository  # noqa: E402
from cli.validation import validate_changed  # noqa: E402


def best(func, rounds: int = 3) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times)


def build(root: Path, n: int) -> Repository:
    make_repo(root)
    for i in range(n):
        day = f"2023-{1 + i % 12:02d}-{1 + i % 28:02d}"
        write_record(root, "launch", sample("launch", id=f"{day}-launch-{i}", date=day, count=1 + i % 5))
    for args in (["config", "gc.auto", "0"], ["add", "-A"], ["commit", "-q", "-m", "records"]):
        subprocess.run(["git", *args], cwd=root, check=True)
    write_record(root, "launch", sample("launch", id="2023-01-01-launch-0", date="2023-01-01", count=9))
    return Repository(root)


def main(sizes: list[int]) -> None:
    print(f"{'records':>8} {'diff ms':>9} {'changed ms':>11} {'parse-all ms':>13} {'parse-all/diff':>15}")
    for n in sizes:
        with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as folder:
            repo = build(Path(folder) / "repo", n)
            diff = best(lambda: diff_revisions(repo))
            changed = best(lambda: validate_changed(repo, "HEAD"))
            files = sorted((repo.root / "records").rglob("*.yaml"))
            parse_all = best(lambda: [yamlio.load_file(f) for f in files], rounds=1)
            print(f"{n:>8} {diff * 1000:>9.1f} {changed * 1000:>11.1f} {parse_all * 1000:>13.1f} {parse_all / diff:>15.1f}")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [500, 2000, 8000])
