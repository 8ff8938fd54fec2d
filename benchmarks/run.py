"""Time dprk's commands as whole processes on synthetic repositories, against two floors.

    python benchmarks/run.py                                  # 1k and 10k records, 5 runs each
    python benchmarks/run.py --sizes 1000,10000,100000        # the full run
    python benchmarks/run.py --sizes 100000 --runs 1          # memory and timing at 100k
    python benchmarks/run.py --sizes 1000,10000,100000 --large-runs 1   # the whole table: 5 runs, 1 at 100k

For each size a git repository is generated with benchmarks/generate.py (or reused
from an earlier run: repositories are kept under --workdir, keyed by size and seed).
Every command runs as its own process, once untimed (which also fills the parse
cache for the warm rows), then --runs times; the table gives the median and the
fastest run, the peak resident memory of the child (os.wait4), and the ratio the
issue's targets are stated in:

  parse floor     one Python process that reads every record file with
                  yaml.load(..., Loader=yaml.CSafeLoader) and does nothing else
  start-up floor  python -c "import click"

Targets (10k records): cold validate <= 0.6x the parse floor, warm validate <= 0.12x,
warm export csv <= 0.15x, warm query <= 0.25x; --version <= 1.0x the start-up floor,
--help <= 1.2x; add and diff on 10k, and diff and validate --changed-since on 100k,
<= 1.5x the same on 1k; peak RSS of validate and export csv on 100k <= 300 MB. The
table also gives each command's CPU time (user + system, its worker processes
included) against the floor's: on a shared machine it moves less than wall time.
A command that fails puts its error in the table instead of a time; the run goes on.
Output is Markdown.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
LARGE = 100_000  # sizes from this many records on take --large-runs timed runs
GENERATE = PROJECT / "benchmarks" / "generate.py"

# One process that parses every record file and nothing else.
PARSE_FLOOR = """\
import os, sys, yaml
count = 0
for folder, _, names in os.walk(os.path.join(sys.argv[1], "records")):
    for name in names:
        if name.endswith(".yaml"):
            with open(os.path.join(folder, name), encoding="utf-8") as handle:
                yaml.load(handle.read(), Loader=yaml.CSafeLoader)
            count += 1
print(count)
"""

SOURCE = json.dumps(
    {
        "publisher": "Security Council Report",
        "title": "Benchmark Forecast",
        "date": "2024-01",
        "quote": "The DPRK launched a ballistic missile.",
    }
)


@dataclass
class Row:
    name: str
    size: int | None  # None: does not depend on the repository
    times: list[float] = field(default_factory=list)
    cpu: list[float] = field(
        default_factory=list
    )  # user + system seconds (os.wait4: the child and its waited-for children)
    peak_kib: int = 0
    error: str | None = None

    @property
    def median(self) -> float | None:
        return statistics.median(self.times) if self.times and not self.error else None

    @property
    def fastest(self) -> float | None:
        return min(self.times) if self.times and not self.error else None

    @property
    def cpu_median(self) -> float | None:
        return statistics.median(self.cpu) if self.cpu and not self.error else None


class Bench:
    def __init__(self, dprk: list[str], python: str, runs: int, warmup: int, timeout: float):
        self.dprk, self.python, self.runs, self.warmup = dprk, python, runs, warmup
        self.timeout = timeout
        self.rows: list[Row] = []
        self.pending: list[tuple] = []
        # An installed package runs from its .pyc files; a PYTHONDONTWRITEBYTECODE set for
        # other reasons would have every run compile the tool's modules again (about 30 ms
        # for export), which no user pays. The floors get the same environment.
        self.env = {k: v for k, v in os.environ.items() if k not in ("DPRK_REPO", "PYTHONDONTWRITEBYTECODE")}
        self.out = Path(tempfile.mkdtemp(prefix="dprk-bench-out-"))
        self.last_cpu = 0.0
        self.large_runs = runs
        self.only: tuple[str, ...] = ()  # --only: the rows whose names hold one of these

    def once(self, argv: list[str], cwd: Path) -> tuple[float, int, str | None]:
        """Run argv to the end; return wall seconds, peak RSS in KiB and an error (or None).
        The CPU seconds of the run are left in self.last_cpu."""
        with open(self.out / "stdout", "wb") as out, open(self.out / "stderr", "wb") as err:
            start = time.perf_counter()
            child = subprocess.Popen(argv, cwd=cwd, env=self.env, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
            deadline = start + self.timeout
            while True:
                pid, status, usage = os.wait4(child.pid, os.WNOHANG)
                if pid:
                    break
                if time.perf_counter() > deadline:
                    child.kill()
                    _, status, usage = os.wait4(child.pid, 0)
                    child.returncode = -9
                    return time.perf_counter() - start, usage.ru_maxrss, f"timed out after {self.timeout:.0f} s"
                time.sleep(0.002)
            elapsed = time.perf_counter() - start
        self.last_cpu = usage.ru_utime + usage.ru_stime
        child.returncode = code = os.waitstatus_to_exitcode(status)
        if code != 0:
            lines = (self.out / "stderr").read_text(errors="replace").strip().splitlines() or ["(no message)"]
            return elapsed, usage.ru_maxrss, f"exit {code}: {lines[-1][:160]}"
        return elapsed, usage.ru_maxrss, None

    def stdout(self) -> str:
        return (self.out / "stdout").read_text(errors="replace")

    def case(self, name: str, size: int | None, cwd: Path, command, before=None, after=None, check=None) -> None:
        """Register a command: argv, or a function of the run number giving argv; before/after set up and
        clean up around each run; check(stdout) may return an error for output that is wrong."""
        if self.only and not any(part in name for part in self.only):
            return  # left out by --only
        row = Row(name, size)
        self.rows.append(row)
        argv_for = command if callable(command) else (lambda _n: command)
        self.pending.append((row, cwd, argv_for, before, after, check))

    def run_pending(self, title: str, runs: int | None = None) -> None:
        """Run the registered commands in rounds (each command once per round), so that a change in the
        machine's load falls on all of them alike; the first --warmup rounds are not timed. `runs`:
        the timed rounds, when not --runs."""
        cases, self.pending = self.pending, []
        runs = runs or self.runs
        for n in range(self.warmup + runs):
            label = "untimed" if n < self.warmup else f"run {n - self.warmup + 1}/{runs}"
            print(f"{title}, {label}:", end="", file=sys.stderr, flush=True)
            for row, cwd, argv_for, before, after, check in cases:
                if row.error:
                    continue
                try:
                    if before:
                        before(n)
                    elapsed, peak, error = self.once(argv_for(n), cwd)
                    if not error and check:
                        error = check(self.stdout())
                    if after:
                        after(n)
                except Exception as problem:  # a broken set-up step must not end the whole run
                    elapsed, peak, error = 0.0, 0, f"{type(problem).__name__}: {problem}"
                if error:
                    row.error = error
                    print(f"\n  {row.name}: FAILED ({error})", file=sys.stderr)
                elif n >= self.warmup:
                    row.times.append(elapsed)
                    row.cpu.append(self.last_cpu)
                    row.peak_kib = max(row.peak_kib, peak)
                print(".", end="", file=sys.stderr, flush=True)
            print(file=sys.stderr)
        for row, *_ in cases:
            if not row.error:
                print(f"  {row.name}: median {row.median:.3f} s", file=sys.stderr)

    def get(self, name: str, size: int | None) -> Row | None:
        return next((r for r in self.rows if r.name == name and r.size == size), None)


def prepare(size: int, seed: int, workdir: Path) -> Path:
    """The git repository of `size` records for `seed`, generated unless an earlier run left it complete."""
    root = workdir / f"repo-{size}-s{seed}"
    done = workdir / f"repo-{size}-s{seed}.done"
    if root.is_dir() and done.exists():
        subprocess.run(["git", "checkout", "-q", "--", "records"], cwd=root, check=False)
        subprocess.run(["git", "clean", "-qfd", "--", "records"], cwd=root, check=False)
        return root
    print(f"generating {size:,} records in {root} ...", file=sys.stderr, flush=True)
    done.unlink(missing_ok=True)
    subprocess.run(
        [sys.executable, str(GENERATE), str(size), str(root), "--seed", str(seed), "--git"],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    done.touch()
    return root


def some_records(root: Path, wanted: int) -> list[Path]:
    """`wanted` record files spread over the kind folders, found without listing every file: a list of
    100k paths would raise this process's resident set, which the next children's peak RSS would inherit."""
    folders = sorted(p for p in (root / "records").iterdir() if p.is_dir())
    chosen: list[Path] = []
    for index, folder in enumerate(folders):
        share = -(-(wanted - len(chosen)) // (len(folders) - index))  # the rest, spread evenly, rounded up
        taken = 0
        with os.scandir(folder) as entries:
            for entry in entries:
                if taken == share:
                    break
                if entry.name.endswith(".yaml"):
                    chosen.append(Path(entry.path))
                    taken += 1
    return chosen


def run_size(bench: Bench, size: int, root: Path, runs: int | None = None) -> None:
    dprk, py = bench.dprk, bench.python
    print(f"{size:,} records ({root})", file=sys.stderr)
    # The warm rows come after a cold one in each round, and the first (untimed) round fills the cache.
    bench.case("parse floor", size, root, [py, "-c", PARSE_FLOOR, str(root)])
    bench.case("validate cold (--no-cache)", size, root, [*dprk, "validate", "--no-cache"])
    bench.case("validate warm", size, root, [*dprk, "validate"])
    # the diff rows below change 10 files and restore them (their ctime changes), so the row above
    # always finds 10 files changed since the last run; this one runs right after it: nothing changed
    bench.case("validate warm, nothing changed", size, root, [*dprk, "validate"])
    query = ["query", "launches", "--where", "count>=2", "--csv"]
    bench.case("query --where cold (--no-cache)", size, root, [*dprk, *query, "--no-cache"])
    bench.case("query --where warm", size, root, [*dprk, *query])
    bench.case("export csv cold (--no-cache)", size, root, [*dprk, "export", "--format", "csv", "--no-cache"])
    bench.case("export csv warm", size, root, [*dprk, "export", "--format", "csv"])

    # 10 changed records: the title of 10 files spread over the kinds is changed before the run and
    # restored after it, with its old mtime, so the cache entries of the warm rows stay valid.
    chosen = some_records(root, 10)
    stats = {path: path.stat() for path in chosen}

    def restore_files(paths) -> None:
        subprocess.run(
            ["git", "checkout", "-q", "--", *[str(p.relative_to(root)) for p in paths]], cwd=root, check=True
        )
        for path in paths:
            os.utime(path, ns=(stats[path].st_atime_ns, stats[path].st_mtime_ns))

    def change(_n: int) -> None:
        for path in chosen:
            text = path.read_text(encoding="utf-8")
            path.write_text(text.replace("\ntitle: ", "\ntitle: Changed ", 1), encoding="utf-8")

    bench.case(
        "diff (10 records changed)",
        size,
        root,
        [*dprk, "diff"],
        before=change,
        after=lambda _n: restore_files(chosen),
        check=lambda out: None if out.count("Changed") >= 10 else "diff did not report the 10 changed titles",
    )
    bench.case(
        "validate --changed-since HEAD (10 changed)",
        size,
        root,
        [*dprk, "validate", "--changed-since", "HEAD"],
        before=change,
        after=lambda _n: restore_files(chosen),
    )

    # update: one field of one launch, a new value each run; the file is restored afterwards
    with os.scandir(root / "records" / "launches") as entries:
        launch = Path(next(e.path for e in entries if e.name.endswith(".yaml")))
    stats[launch] = launch.stat()
    bench.case(
        "update launch --count",
        size,
        root,
        lambda n: [*dprk, "update", launch.stem, "--count", str(5 + n)],
        after=lambda _n: restore_files([launch]),
    )

    # add: a new launch with a unique id each run; the file is removed afterwards
    stamp = f"{os.getpid()}-{time.time_ns() % 10**9}"

    def add_argv(n: int) -> list[str]:
        return [
            *dprk,
            "add",
            "launch",
            "--id",
            f"2024-01-01-bench-{stamp}-{n}",
            "--date",
            "2024-01-01",
            "--title",
            "Benchmark launch",
            "--summary",
            "A launch added by the benchmark.",
            "--category",
            "SRBM",
            "--count",
            "1",
            "--source",
            SOURCE,
            "--no-input",
        ]

    def remove(n: int) -> None:
        (root / "records" / "launches" / f"2024-01-01-bench-{stamp}-{n}.yaml").unlink(missing_ok=True)

    bench.case("add launch", size, root, add_argv, after=remove)
    try:
        bench.run_pending(f"{size:,} records", runs)
    finally:
        restore_files([*chosen, launch])
        for n in range(bench.warmup + (runs or bench.runs)):
            remove(n)


def fmt_s(value: float | None) -> str:
    return "—" if value is None else (f"{value:.3f}" if value < 10 else f"{value:.1f}")


def ratio(row: Row | None, base: Row | None, fastest: bool = False) -> float | None:
    if row is None or base is None or row.median is None or base.median is None or base.median == 0:
        return None
    return row.fastest / base.fastest if fastest else row.median / base.median


def cpu_ratio(row: Row | None, base: Row | None) -> float | None:
    if row is None or base is None or row.cpu_median is None or not base.cpu_median:
        return None
    return row.cpu_median / base.cpu_median


def times(value: float) -> str:
    return f"{value:.3f}x" if value < 1 else f"{value:.2f}x"


def verdict(value: float | None, limit: float) -> str:
    return "—" if value is None else ("met" if value <= limit else "**missed**")


# The targets: (row name, size or None for start-up rows) -> the highest ratio allowed. Rows of
# the start-up floor and the parse floor are judged against their floor; the rows of SCALED
# against the same command on the smallest size of the run.
START_UP_TARGETS = {"dprk --version": 1.0, "dprk --help": 1.2}
PARSE_TARGETS = {
    ("validate cold (--no-cache)", 10_000): 0.6,
    ("validate warm", 10_000): 0.12,
    ("export csv warm", 10_000): 0.15,
    ("query --where warm", 10_000): 0.25,
}
SCALED = ("diff", "add", "update", "validate --changed-since")
SCALED_TARGETS = {
    ("diff (10 records changed)", 10_000): 1.5,
    ("add launch", 10_000): 1.5,
    ("diff (10 records changed)", 100_000): 1.5,
    ("validate --changed-since HEAD (10 changed)", 100_000): 1.5,
}


def report(bench: Bench, sizes: list[int], machine: dict[str, str]) -> str:
    lines = ["Machine: " + ", ".join(f"{k} {v}" for k, v in machine.items()), ""]
    large = [f"{size:,}" for size in sizes if size >= LARGE]
    each = f"{bench.runs} run(s)" + (
        f" ({bench.large_runs} at {', '.join(large)} records)" if large and bench.large_runs != bench.runs else ""
    )
    lines += [
        f"Median and fastest of {each} after {bench.warmup} untimed run(s), the commands taken "
        "in turn in each run; peak RSS is the child's maximum resident set (os.wait4), the largest over the runs. "
        "Bytecode caching is on for every command (PYTHONDONTWRITEBYTECODE is not passed on), as in an installed "
        "package.",
        "",
    ]
    startup = bench.get("start-up floor", None)
    base_size = min(sizes)
    lines += [
        "The ratio compares medians (the target is judged on it); the ratio of the fastest runs beside it "
        "shows how much of a miss is the machine's noise, and the CPU ratio (median CPU seconds, user and "
        "system, worker processes included, against the same base's) how much of it is waiting for a core.",
        "",
        "| command | records | median s | min s | CPU s | peak RSS MB | ratio | of fastest | CPU ratio | target | |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]

    def line(row: Row, base: Row | None, unit: str, limit: float | None) -> None:
        records = "—" if row.size is None else f"{row.size:,}"
        target = "—" if limit is None else f"<= {limit}x {unit}"
        if row.error:
            lines.append(
                f"| {row.name} | {records} | failed: {row.error.replace('|', '/')} | | | | | | | {target} | missed |"
            )
            return
        value, quick, cpu = ratio(row, base), ratio(row, base, fastest=True), cpu_ratio(row, base)
        shown = "—" if value is None else f"{times(value)} {unit}"
        result = "—" if limit is None else verdict(value, limit)
        lines.append(
            f"| {row.name} | {records} | {fmt_s(row.median)} | {fmt_s(row.fastest)} | "
            f"{fmt_s(row.cpu_median)} | {row.peak_kib / 1024:.0f} | {shown} | "
            f"{'—' if quick is None else times(quick)} | {'—' if cpu is None else times(cpu)} | {target} | {result} |"
        )

    for row in bench.rows:
        if row.name in ("start-up floor", "parse floor"):
            line(row, None, "", None)
        elif row.size is None:
            line(row, startup, "start-up", START_UP_TARGETS.get(row.name))
        elif row.name.startswith(SCALED):
            base = bench.get(row.name, base_size) if row.size != base_size else None
            line(row, base, f"{base_size:,}", SCALED_TARGETS.get((row.name, row.size)) if base_size == 1_000 else None)
        else:
            line(row, bench.get("parse floor", row.size), "parse", PARSE_TARGETS.get((row.name, row.size)))

    memory = [
        r
        for r in bench.rows
        if r.size == 100_000 and r.name.startswith(("validate cold", "validate warm", "export csv"))
    ]
    if memory:
        lines += ["", "| peak RSS, 100,000 records | MB | target | |", "|---|---:|---|---|"]
        for row in memory:
            if row.error:
                lines.append(f"| {row.name} | failed | <= 300 MB | missed |")
            else:
                mb = row.peak_kib / 1024
                lines.append(f"| {row.name} | {mb:.0f} | <= 300 MB | {'met' if mb <= 300 else '**missed**'} |")
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    lines += [
        "",
        f"(The harness itself peaked at {own:.0f} MB; a child's figure cannot read below the parent's "
        "resident set at the moment it was started.)",
    ]
    return "\n".join(lines)


def machine_info(python: str) -> dict[str, str]:
    model = "unknown"
    try:
        for text in Path("/proc/cpuinfo").read_text().splitlines():
            if text.startswith("model name"):
                model = text.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    version = (
        subprocess.run(
            [python, "-c", "import platform; print(platform.python_version())"], capture_output=True, text=True
        ).stdout.strip()
        or platform.python_version()
    )
    return {
        "CPU": model,
        "cores": str(os.cpu_count()),
        "Python": version,
        "OS": platform.platform(terse=True),
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog=__doc__.split("\n\n", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--sizes", default="1000,10000", help="comma-separated repository sizes in records (default: 1000,10000)"
    )
    parser.add_argument(
        "--runs", type=int, default=5, help="timed runs per command; the median is reported (default: 5)"
    )
    parser.add_argument(
        "--warmup",
        type=int,
        default=1,
        help="untimed runs before the timed ones; at least 1 fills the cache for the warm rows (default: 1)",
    )
    parser.add_argument(
        "--large-runs",
        type=int,
        default=None,
        help=f"timed runs for sizes of {LARGE:,} records and more (default: --runs); one is enough for their "
        "targets, which compare with the smallest size, and each takes minutes",
    )
    parser.add_argument("--seed", type=int, default=1, help="generator seed (default: 1)")
    parser.add_argument(
        "--workdir",
        type=Path,
        default=Path(tempfile.gettempdir()) / "dprk-bench",
        help="where generated repositories are kept and reused, keyed by size and seed (default: %(default)s)",
    )
    parser.add_argument(
        "--dprk",
        default=None,
        help="the command to benchmark, split like a shell would (default: the project's .venv/bin/dprk "
        "if it exists, else PYTHON -m dprk_records)",
    )
    parser.add_argument(
        "--python",
        default=None,
        help="interpreter for the floors (default: the project's .venv/bin/python if it exists, "
        "else this one); it needs click and PyYAML with libyaml",
    )
    parser.add_argument(
        "--timeout", type=float, default=600, help="seconds before one run counts as failed (default: 600)"
    )
    parser.add_argument("--output", type=Path, help="also write the Markdown table to this file")
    parser.add_argument(
        "--only",
        default="",
        help="time only the rows whose names hold one of these comma-separated words, e.g. "
        "'validate warm,diff,changed-since' (a warm row needs the cache an earlier row fills: keep "
        "'validate warm' with --changed-since); a ratio whose base row is left out shows as —",
    )
    args = parser.parse_args()

    try:
        sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    except ValueError:
        parser.error(f"--sizes must be whole numbers separated by commas, not {args.sizes!r}")
    if not sizes or min(sizes) < 10 or args.runs < 1 or args.warmup < 0 or (args.large_runs or 1) < 1:
        parser.error("--sizes needs sizes of at least 10 records, --runs at least 1, --warmup at least 0")
    sizes = sorted(set(sizes))
    venv = PROJECT / ".venv" / "bin"
    python = args.python or (str(venv / "python") if (venv / "python").exists() else sys.executable)
    dprk = (
        shlex.split(args.dprk)
        if args.dprk
        else ([str(venv / "dprk")] if (venv / "dprk").exists() else [python, "-m", "dprk_records"])
    )

    args.workdir.mkdir(parents=True, exist_ok=True)
    bench = Bench(dprk, python, args.runs, args.warmup, args.timeout)
    bench.large_runs = args.large_runs or args.runs
    bench.only = tuple(part.strip() for part in args.only.split(",") if part.strip())
    machine = machine_info(python)
    roots = {}
    for size in sizes:
        try:
            roots[size] = prepare(size, args.seed, args.workdir)
        except (subprocess.CalledProcessError, OSError) as problem:
            print(f"could not generate {size:,} records: {problem}", file=sys.stderr)
    if not roots:
        sys.exit("no repository could be generated")

    first = roots[min(roots)]
    try:
        bench.case("start-up floor", None, first, [python, "-c", "import click"])
        bench.case("dprk --version", None, first, [*dprk, "--version"])
        bench.case("dprk --help", None, first, [*dprk, "--help"])
        bench.run_pending("start-up")
        for size, root in roots.items():
            run_size(bench, size, root, bench.large_runs if size >= LARGE else None)
    finally:
        shutil.rmtree(bench.out, ignore_errors=True)  # the children's output, kept only while they run

    table = report(bench, sorted(roots), machine)
    print(table)
    if args.output:
        args.output.write_text(table + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
