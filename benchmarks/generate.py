"""Write a synthetic, valid dprk-records repository of N records, for benchmarks.

    python benchmarks/generate.py 10000 /tmp/repo-10k [--seed 1] [--git]

The schema files are copied from this project; the records are spread over the four
kinds (launches 40%, meetings 30%, statements 20%, sanctions reports 10%), with
sources, observations, briefers, outcomes and references between records, and are
written in canonical form. The same N and seed give the same files.
"""

from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from dprk_records.records.repository import Repository  # noqa: E402

STATES = ["ALB", "CHE", "CHN", "DNK", "ECU", "FRA", "GBR", "JPN", "KOR", "MLT", "PRK", "RUS", "SVN", "USA", "ARE"]
WORDS = (
    "satellite missile council briefing sanctions panel report launch ballistic statement press elements "
    "consultations dialogue resolution regime peninsula tensions exercises cooperation transfers arms"
).split()
CATEGORIES = ["SRBM", "MRBM", "IRBM", "ICBM", "SLBM", "satellite-launch-vehicle", "cruise", "hypersonic", "unknown"]


def sentence(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def date(rng: random.Random) -> str:
    return f"{rng.randint(2006, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def source(rng: random.Random) -> dict:
    return {
        "publisher": "Security Council Report",
        "title": f"{rng.choice(['February', 'May', 'November'])} {rng.randint(2006, 2025)} Monthly Forecast",
        "date": date(rng)[:7],
        "quote": sentence(rng, rng.randint(15, 40)),
    }


def plan(n: int, rng: random.Random) -> dict[str, list[str]]:
    counts = {"launch": int(n * 0.4), "meeting": int(n * 0.3), "statement": int(n * 0.2)}
    counts["sanctions-report"] = n - sum(counts.values())
    ids: dict[str, list[str]] = {}
    serial = 0
    for kind, count in counts.items():
        ids[kind] = []
        for _ in range(count):
            serial += 1
            ids[kind].append(f"{date(rng)}-{kind.split('-')[0]}-{serial:06d}")
    return ids


_SERIALS: dict[str, int] = {}


def serial(year: str) -> int:
    """The next number of a document of `year`, so that symbols are unique and N has at
    most four digits, as the schema asks, while a year has fewer than 9,900 reports
    (100,000 records make about 500 a year)."""
    _SERIALS[year] = _SERIALS.get(year, -1) + 1
    return _SERIALS[year]


def build(kind: str, record_id: str, index: int, ids: dict[str, list[str]], rng: random.Random) -> dict:
    record = {
        "id": record_id,
        "date": record_id[:10],
        "title": sentence(rng, 6)[:-1],
        "summary": sentence(rng, rng.randint(30, 70)),
        "tags": sorted(set(rng.sample(WORDS, 2))),
        "sources": [source(rng) for _ in range(rng.randint(1, 2))],
    }
    if kind == "launch":
        record.update(
            category=rng.choice(CATEGORIES),
            count=rng.randint(1, 4),
            landing_area="waters off its east coast",
            observations=[
                {
                    "actor": "KCNA",
                    "actor_type": "state-media",
                    "actor_state": "PRK",
                    "stance": "claim",
                    "range_km": rng.randint(100, 1500),
                    "outcome": "success",
                },
                {
                    "actor": "ROK Joint Chiefs of Staff",
                    "actor_type": "military",
                    "actor_state": "KOR",
                    "stance": "assessment",
                    "apogee_km": rng.randint(20, 7000),
                    "flight_minutes": rng.randint(3, 90),
                    "approximate": True,
                },
            ],
        )
    elif kind == "meeting":
        record.update(
            format=rng.choice(["open-briefing", "closed-consultations"]),
            status="held",
            requested_by=sorted(rng.sample(STATES, 4)),
            briefers=[
                {
                    "name": "Mohamed Khaled Khiari",
                    "office": "Assistant Secretary-General for the Middle East, Asia and the Pacific",
                }
            ],
            rule_37_participants=["KOR", "PRK"],
            launches=sorted(set(rng.sample(ids["launch"], min(2, len(ids["launch"]))))),
            record_symbol=f"S/PV.{10000 + index}",
        )
        if ids["sanctions-report"] and rng.random() < 0.2:
            record["reports"] = [rng.choice(ids["sanctions-report"])]
        if rng.random() < 0.3:
            record["outcomes"] = [
                {"type": "press-elements", "status": "not-agreed", "proposed_by": ["USA"], "opposed_by": ["CHN", "RUS"]}
            ]
    elif kind == "statement":
        record.update(
            type=rng.choice(["secretary-general", "joint-statement", "national"]),
            issued_by="Secretary-General",
            status="issued",
            responds_to=[rng.choice(ids["launch"])] if ids["launch"] else [],
            quotes=[sentence(rng, 20)],
        )
        if not record["responds_to"]:
            del record["responds_to"]
    else:
        record.update(
            type=rng.choice(["panel-midterm", "panel-final", "committee-90-day"]),
            body="panel-of-experts",
            symbol=f"S/{record_id[:4]}/{100 + serial(record_id[:4])}",
            key_findings=[sentence(rng, 25), sentence(rng, 25)],
        )
        if ids["meeting"]:
            record["presented_at"] = rng.choice(ids["meeting"])
    return record


def generate(n: int, target: Path, seed: int = 1, use_git: bool = False) -> None:
    rng = random.Random(seed)
    _SERIALS.clear()
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    shutil.copytree(PROJECT / "schema", target / "schema")
    (target / "records").mkdir()
    (target / ".gitignore").write_text(".dprk-cache/\n")
    repo = Repository(target)
    ids = plan(n, rng)
    for kind_name, kind_ids in ids.items():
        kind = repo.kind(kind_name)
        (target / "records" / kind.folder).mkdir(parents=True, exist_ok=True)
        for index, record_id in enumerate(kind_ids):
            data = build(kind_name, record_id, index, ids, rng)
            repo.path_for(kind, record_id).write_text(repo.render(kind, data), encoding="utf-8")
    if use_git:

        def git(*args: str) -> None:
            subprocess.run(["git", *args], cwd=target, check=True, capture_output=True)

        git("init", "-q", "-b", "main")
        git("-c", "user.name=Bench", "-c", "user.email=bench@example.org", "add", "-A")
        git("-c", "user.name=Bench", "-c", "user.email=bench@example.org", "commit", "-qm", "Generated records")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, help="number of records")
    parser.add_argument("dir", type=Path, help="target folder (replaced if it exists)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--git", action="store_true", help="make it a git repository with one commit")
    args = parser.parse_args()
    generate(args.n, args.dir, args.seed, args.git)
    print(f"wrote {args.n} records to {args.dir}")


if __name__ == "__main__":
    main()
