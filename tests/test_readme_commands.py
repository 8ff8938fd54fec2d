"""Every `sh` block of the README and of the command reference and reviewers' guide runs as
written, on a copy of the bundled records in a git repository with some history. A block
that cannot run there says why, in a `<!-- not run: ... -->` line just before it. The
maintainers' and analysts' guides have tests of their own (test_readme_maintainers.py,
test_readme_analysts.py), which run their blocks in the order a reader follows them."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import PROJECT
from test_help_examples import bundled  # noqa: F401  (a fixture)

RUN_HERE = ["README.md", "docs/reference.md", "docs/reviewers.md"]
RUN_ELSEWHERE = {"docs/maintainers.md": "test_readme_maintainers.py", "docs/analysts.md": "test_readme_analysts.py"}
BLOCK = re.compile(r"^(?:<!-- not run: (?P<why>[^\n]*?) -->\n)?```sh\n(?P<body>.*?)^```", re.S | re.M)


def sh_blocks(name: str) -> list[tuple[str | None, str]]:
    """(why it is not run, or None; the commands) for each `sh` block of a file."""
    text = (PROJECT / name).read_text(encoding="utf-8")
    return [(m.group("why"), m.group("body")) for m in BLOCK.finditer(text)]


def test_every_sh_block_of_the_docs_is_run_by_a_test_or_says_why_not():
    documents = ["README.md"] + sorted(str(p.relative_to(PROJECT)) for p in (PROJECT / "docs").glob("*.md"))
    for name in documents:
        blocks = sh_blocks(name)
        if name in RUN_ELSEWHERE:
            assert blocks and (PROJECT / "tests" / RUN_ELSEWHERE[name]).exists()
        elif blocks:
            assert name in RUN_HERE, f"{name} has sh blocks no test runs"
        for why, _ in blocks:
            assert why is None or len(why) > 10, (name, why)
    assert sum(why is None for name in RUN_HERE for why, _ in sh_blocks(name)) >= 12


@pytest.mark.slow  # every block, each a few runs of the installed dprk on the bundled records
@pytest.mark.parametrize("name", RUN_HERE)
def test_the_sh_blocks_run_as_written(bundled, name):  # noqa: F811
    bin_dir = Path(sys.executable).parent
    if shutil.which("dprk", path=str(bin_dir)) is None:
        pytest.skip("the dprk entry point is not installed next to this Python")
    env = {k: v for k, v in os.environ.items() if k not in ("DPRK_REPO", "DPRK_DEBUG")}
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    failed = []
    for why, body in sh_blocks(name):
        if why is not None:
            continue
        done = subprocess.run(["bash", "-e", "-c", body], cwd=bundled, env=env, capture_output=True, text=True, timeout=600)
        if done.returncode != 0:
            failed.append((body, done.returncode, done.stderr[-600:]))
        subprocess.run(["git", "checkout", "-q", "--", "."], cwd=bundled, check=True)
        subprocess.run(["git", "clean", "-fdq"], cwd=bundled, check=True)  # what a block wrote goes; the cache stays
    assert failed == []


def anchor(heading: str) -> str:
    """The anchor GitHub gives a heading: lowercase, punctuation dropped, spaces as hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_links_between_the_readme_and_the_docs_resolve():
    documents = [PROJECT / "README.md", *sorted((PROJECT / "docs").glob("*.md"))]
    broken = []
    for document in documents:
        text = re.sub(r"^```.*?^```", "", document.read_text(encoding="utf-8"), flags=re.S | re.M)
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            if re.match(r"[a-z]+:", target):
                continue
            path, _, fragment = target.partition("#")
            file = (document.parent / path).resolve() if path else document
            if not file.exists():
                broken.append((document.name, target))
            elif fragment and file.suffix == ".md":
                headings = re.findall(r"^#+ (.*)$", file.read_text(encoding="utf-8"), re.M)
                if fragment not in {anchor(h) for h in headings}:
                    broken.append((document.name, target))
    assert broken == []


def test_the_readme_is_setup_examples_and_links():
    text = (PROJECT / "README.md").read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 150
    assert re.findall(r"^## (.*)$", text, re.M) == ["Set up", "What is here", "One example each", "Documentation"]
    for guide in ("maintainers", "reviewers", "analysts", "reference"):
        assert f"(docs/{guide}.md)" in text
