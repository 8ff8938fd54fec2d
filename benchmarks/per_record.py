"""Where the time goes, per record: the pieces of warm validate, warm export and cold
checks, each timed in one process (CPU time, the best of five passes), in µs per record.

    python benchmarks/per_record.py REPO [CODE]

REPO is a generated repository (benchmarks/generate.py) whose parse cache has been
filled by `dprk validate` and `dprk export` (so that the cache holds verdicts, data and
export lines); CODE is the folder holding the `cli` package to measure (default: this
project's). Pieces the code does not have are left out. The cold pieces take the first
2,000 files.
"""

from __future__ import annotations

import io
import json
import os
import sys
import time
from pathlib import Path


def main() -> None:
    root = Path(sys.argv[1])
    sys.path.insert(0, sys.argv[2] if len(sys.argv) > 2 else str(Path(__file__).resolve().parent.parent))
    import yaml

    from dprk_records.output.formats import write_delimited
    from dprk_records.records import yamlread
    from dprk_records.records.cache import open_cache
    from dprk_records.records.repository import Repository
    from dprk_records.selection.filters import build_selection
    from dprk_records.selection.rows import choose_columns, rows

    repo = Repository(root)
    records = list(repo.records())
    count = [len(records)]

    def timed(name: str, work) -> None:
        best = min(_cpu(work) for _ in range(5))
        print(f"{name:40s} {best * 1e6 / count[0]:7.1f} µs")

    print(f"{len(records):,} records in {root}")
    timed("list the record files (scan)", lambda: list(repo.records()))
    timed("stat every file", lambda: [os.stat(r.file) for r in records])
    cache = open_cache(repo.root, repo.schema_dir)
    rels = [r.rel for r in records]
    entries = list(cache.lookup(rels, with_data=True).values())
    field = (
        (lambda e, name, index: getattr(e, name))
        if hasattr(entries[0], "_fields")
        else (lambda e, name, index: e[index])
    )
    verdicts = [field(e, "verdict", 7) for e in entries]
    datas = [field(e, "data", 5) for e in entries]
    timed("cache lookup without data (SQLite)", lambda: cache.lookup(rels, with_data=False))
    timed("decode the verdicts (JSON)", lambda: [json.loads(v) for v in verdicts if v])
    timed("cache lookup with data (SQLite)", lambda: cache.lookup(rels, with_data=True))
    timed("decode the data (JSON)", lambda: [json.loads(d) for d in datas])
    timed("sort keys (SQLite, one query)", cache.sort_keys)
    try:
        from dprk_records.records import derived
    except ImportError:
        derived = None
    if derived is not None:
        import sqlite3

        db = sqlite3.connect(root / ".dprk-cache" / "records.sqlite3")
        key = db.execute("SELECT view FROM views WHERE view LIKE 'delimited:%' LIMIT 1").fetchone()
        db.close()
        if key is not None:
            timed("fetch the export lines (SQLite view)", lambda: derived.views(cache, key[0], rels))
        timed(
            "fingerprint of every file (stat + hash)", lambda: derived.fingerprint((r.rel, r.file, "") for r in records)
        )
    selection = build_selection(repo)
    columns = choose_columns(selection)
    pairs = [(r, json.loads(d)) for r, d in zip(records, datas)]
    made = list(rows(pairs, columns))
    timed("make the rows (timeline columns)", lambda: list(rows(pairs, columns)))
    timed("write the CSV rows (csv.writer)", lambda: write_delimited(io.StringIO(), [c.name for c in columns], made))
    cache.close()

    sample = records[:2000]
    count[0] = len(sample)
    texts = [Path(r.file).read_text(encoding="utf-8") for r in sample]
    timed("the parse floor (CSafeLoader), for scale", lambda: [yaml.load(t, Loader=yaml.CSafeLoader) for t in texts])
    timed("read the file", lambda: [yamlread.read_bytes(r.file, r.rel) for r in sample])
    timed("parse (yamlread.loads)", lambda: [yamlread.loads(t) for t in texts])
    data = [yamlread.loads(t) for t in texts]
    from dprk_records.checks import runner
    from dprk_records.checks.record import check_data

    for kind in repo.schemas.kinds.values():
        kind.fast_check  # noqa: B018 compiled before the timing
    timed("the fast schema check", lambda: [r.kind.fast_check(d) for r, d in zip(sample, data)])
    timed(
        "all of a record's own checks",
        lambda: [check_data(r.kind, r.rel, d, t, r.id) for r, d, t in zip(sample, data, texts)],
    )
    timed(
        "the data as JSON for the cache",
        lambda: [json.dumps(d, separators=(",", ":"), ensure_ascii=False) for d in data],
    )
    timed("one file's checks in all (_check_one)", lambda: [runner._check_one(r, None) for r in sample])


def _cpu(work) -> float:
    start = time.process_time()
    work()
    return time.process_time() - start


if __name__ == "__main__":
    main()
