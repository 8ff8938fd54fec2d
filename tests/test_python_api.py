"""The analysts' guide's "Use it from Python" example (docs/analysts.md) runs as written, on the project's own records."""

from __future__ import annotations

import csv
import re
import subprocess
import sys

from conftest import PROJECT


def example() -> str:
    text = (PROJECT / "docs" / "analysts.md").read_text(encoding="utf-8")
    section = text.split("\n## Use it from Python\n", 1)[1].split("\n## ", 1)[0]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def test_the_readme_example_runs(tmp_path):
    code = example().replace('"path/to/dprk-records"', repr(str(PROJECT)))
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert re.fullmatch(r"\d+ records checked, 0 problems in 0 files", lines[0])
    launches = [line.split()[1] for line in lines[1:]]
    assert launches and all(re.fullmatch(r"20\d\d[-0-9]*-[a-z0-9-]+", i) for i in launches)
    with open(tmp_path / "icbm-launches.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["id"] for row in rows] == launches
    assert {row["category"] for row in rows} == {"ICBM"}


def test_the_library_runs_without_loading_click():
    code = (
        "import sys; from dprk_records import Repository, validate; repo = Repository.find(sys.argv[1]); validate(repo); "
        "print('click' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code, str(PROJECT)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and done.stdout.strip() == "False", done.stdout + done.stderr
