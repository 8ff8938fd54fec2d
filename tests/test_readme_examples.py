"""Every other example of the README and the docs runs as written, on a copy of the
project's records in a git repository with some history, a remote `origin` and a branch to
review: the README's, the command reference's (docs/reference.md) and the reviewers'
guide's (docs/reviewers.md).

The maintainers' and analysts' guides have tests of their own (test_readme_maintainers.py,
test_readme_analysts.py), and the Python example is test_python_api.py. Left out here, and
why: the install commands of the README's "Set up" (CI's .ci/run makes exactly those
virtual environments) and the illustrations in `console` blocks, which show made-up
records. The one placeholder, the reviewer's `BRANCH`, is given a real branch.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import PROJECT, git

DOCUMENTS = ("README.md", "docs/reference.md", "docs/reviewers.md")
ELSEWHERE = {"docs/maintainers.md": "test_readme_maintainers.py", "docs/analysts.md": "test_readme_analysts.py"}
SKIPPED_SECTIONS = ("Set up",)
BRANCH = "new-launch-figures"


def examples() -> list[tuple[str, str]]:
    """(section, block) for every `sh` block of the documents, outside the sections tested elsewhere."""
    found = []
    for name in DOCUMENTS:
        text = (PROJECT / name).read_text(encoding="utf-8")
        for section in re.split(r"\n(?=## )", text):
            title = section.splitlines()[0].lstrip("# ").strip()
            if title in SKIPPED_SECTIONS:
                continue
            found += [(title, block) for block in re.findall(r"```sh\n(.*?)```", section, re.S)]
    return found


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """The project's records in a git repository: four commits on main, a remote `origin`
    that holds main, and a branch that changes a record."""
    root = tmp_path_factory.mktemp("readme") / "repo"
    root.mkdir()
    shutil.copytree(PROJECT / "schema", root / "schema")
    git(root, "init", "-q", "-b", "main")
    for key, value in (("user.email", "test@example.org"), ("user.name", "Test User"), ("commit.gpgsign", "false")):
        git(root, "config", key, value)
    git(root, "add", "schema")
    git(root, "commit", "-q", "-m", "Schemas")
    folders = sorted(p.name for p in (PROJECT / "records").iterdir() if p.is_dir())
    for group in (folders[:2], folders[2:4], folders[4:]):
        for name in group:
            shutil.copytree(PROJECT / "records" / name, root / "records" / name)
        git(root, "add", "records")
        git(root, "commit", "-q", "-m", "Records: " + ", ".join(group))
    origin = root.parent / "origin.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(root), str(origin)], check=True, capture_output=True)
    git(root, "remote", "add", "origin", str(origin))
    git(root, "fetch", "-q", "origin")
    git(root, "checkout", "-q", "-b", BRANCH)
    launch = root / "records" / "launches" / "2023-11-21-malligyong-1-satellite.yaml"
    launch.write_text(launch.read_text(encoding="utf-8").replace("title: ", "title: The ", 1), encoding="utf-8")
    git(root, "commit", "-q", "-am", "Launch title")
    git(root, "checkout", "-q", "main")
    return root


def test_the_examples_are_found():
    found = examples()
    titles = {title for title, _ in found}
    assert {"Commands", "Pull requests", "Reviewing a pull request", "One example each"} <= titles
    assert sum(block.count("dprk ") for _, block in found) >= 30


@pytest.mark.slow  # every command of the README's reference, each in a fresh copy of the records
@pytest.mark.parametrize("section,block", examples(), ids=[f"{t}: {b.split(chr(10))[0][:50]}" for t, b in examples()])
def test_every_readme_example_runs(template, tmp_path, section, block):
    dprk = shutil.which("dprk", path=str(Path(sys.executable).parent))
    if dprk is None:
        pytest.skip("the dprk entry point is not installed next to this Python")
    work = tmp_path / "repo"
    shutil.copytree(template, work, symlinks=True)
    env = {k: v for k, v in os.environ.items() if k not in ("DPRK_REPO", "DPRK_DEBUG", "COLUMNS")}
    env["PATH"] = f"{Path(dprk).parent}{os.pathsep}{env.get('PATH', '')}"
    if "_DPRK_COMPLETE=" in block:  # each line is for its own shell
        for line in block.strip().splitlines():
            shell = "zsh" if "zshrc" in line else "fish" if "fish" in line else "bash"
            source = subprocess.run(
                [dprk], env=env | {"_DPRK_COMPLETE": f"{shell}_source"}, capture_output=True, text=True, timeout=60
            )
            assert source.returncode == 0 and "complete" in source.stdout, shell
            if shutil.which(shell):
                done = subprocess.run(
                    [shell, "-c", line.split("#")[0]], cwd=work, env=env, capture_output=True, text=True, timeout=60
                )
                assert done.returncode == 0 and done.stderr == "", (shell, done.stderr)
        return
    script = block.replace("git checkout BRANCH", f"git checkout {BRANCH}")
    done = subprocess.run(
        ["bash", "-e", "-o", "pipefail", "-c", script], cwd=work, env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, (block, done.stdout[-2000:], done.stderr[-2000:])
    assert "internal error" not in done.stderr and "Traceback" not in done.stderr


def test_every_sh_block_of_the_docs_is_run_by_a_test():
    for document in sorted((PROJECT / "docs").glob("*.md")):
        name = document.relative_to(PROJECT).as_posix()
        has_blocks = "```sh\n" in document.read_text(encoding="utf-8")
        if name in ELSEWHERE:
            assert has_blocks and (PROJECT / "tests" / ELSEWHERE[name]).exists(), name
        elif has_blocks:
            assert name in DOCUMENTS, f"{name} has sh blocks no test runs"


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
