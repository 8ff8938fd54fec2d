"""The pre-commit hooks and the example workflow name commands that exist and work."""

from __future__ import annotations

import os
import shlex
import shutil
from pathlib import Path
from typing import Any

import pytest
from yaml.nodes import MappingNode, SequenceNode

from conftest import PROJECT, Runner, commit_all, sample, write_record
from dprk_records.records import yamlread


def plain(node: Any) -> Any:
    if isinstance(node, MappingNode):
        return {k.value: plain(v) for k, v in node.value}
    if isinstance(node, SequenceNode):
        return [plain(item) for item in node.value]
    return node.value


def test_pre_commit_hooks_run_real_commands(repo: Path, run: Runner) -> None:
    hooks = plain(yamlread.compose((PROJECT / ".pre-commit-hooks.yaml").read_text()))
    assert {"dprk-validate", "dprk-fmt-check"} <= {hook["id"] for hook in hooks}
    record = write_record(repo, "launch", sample("launch"))
    for hook in hooks:
        program, *args = shlex.split(hook["entry"])
        assert program == "dprk"
        files = [] if hook.get("pass_filenames") == "false" else [str(record)]
        result = run(*args, *files)
        assert result.exit_code == 0, (hook["id"], result.output)


def test_example_workflow_runs_the_documented_commands(repo: Path, run: Runner) -> None:
    text = (PROJECT / "docs" / "pull-request-workflow.yml").read_text()
    steps = plain(yamlread.compose(text))["jobs"]["records"]["steps"]
    commands = "\n".join(step.get("run", "") for step in steps)
    for expected in (
        'dprk validate --changed-since "$BASE..." --format github',
        "dprk fmt --check",
        'dprk diff "$BASE...HEAD" --format markdown',
    ):
        assert expected in commands
    fmt_step = next(step for step in steps if step.get("run") == "dprk fmt --check")
    assert fmt_step.get("if") == "always()"  # every problem at once, even when validate failed
    # the same commands, against a base branch, on a real repository
    write_record(repo, "launch", sample("launch"))
    commit_all(repo, "base")
    write_record(repo, "statement", sample("statement"))
    commit_all(repo, "pull request")
    assert run("validate", "--changed-since", "HEAD~1...", "--format", "github").exit_code == 0
    assert run("fmt", "--check").exit_code == 0
    assert "| added | statement |" in run("diff", "HEAD~1...HEAD", "--format", "markdown").output


def readme_pre_commit_config() -> str:
    import re

    text = (PROJECT / "docs" / "reviewers.md").read_text(encoding="utf-8")
    section = text.split("\n## Pull requests\n", 1)[1].split("\n## ", 1)[0]
    [block] = [m.group(1) for m in re.finditer(r"```yaml\n(.*?)```", section, re.S) if "repos:" in m.group(1)]
    return block


def test_the_project_uses_the_readme_snippet():
    assert readme_pre_commit_config() in (PROJECT / ".pre-commit-config.yaml").read_text(encoding="utf-8")


def test_the_validate_hook_runs_on_every_commit():
    hooks = {hook["id"]: hook for hook in plain(yamlread.compose((PROJECT / ".pre-commit-hooks.yaml").read_text()))}
    assert hooks["dprk-validate"].get("always_run") == "true"


def test_pre_commit_with_the_readme_snippet_stops_a_commit_that_only_deletes_a_referenced_record(
    repo: Path, tmp_path: Path
) -> None:
    import os
    import shutil
    import subprocess
    import sys

    import pytest

    bin_dir = Path(sys.executable).parent
    if shutil.which("pre-commit", path=str(bin_dir)) is None or shutil.which("dprk", path=str(bin_dir)) is None:
        pytest.skip("pre-commit and dprk are not installed next to this Python")
    env = {k: v for k, v in os.environ.items() if k not in ("DPRK_REPO", "DPRK_DEBUG")}
    env.update(PATH=f"{bin_dir}{os.pathsep}{env.get('PATH', '')}", PRE_COMMIT_HOME=str(tmp_path / "pre-commit-home"))

    def sh(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(list(args), cwd=repo, env=env, capture_output=True, text=True, timeout=300)

    (repo / ".pre-commit-config.yaml").write_text(readme_pre_commit_config())
    (repo / ".gitignore").write_text(".dprk-cache/\n")
    write_record(repo, "launch", sample("launch"))
    write_record(repo, "meeting", sample("meeting", launches=["2023-08-30-srbm"]))
    installed = sh(str(bin_dir / "pre-commit"), "install")
    assert installed.returncode == 0, installed.stdout + installed.stderr
    sh("git", "add", "-A")
    first = sh("git", "commit", "-q", "-m", "records")
    assert first.returncode == 0, first.stdout + first.stderr

    sh("git", "rm", "-q", "records/launches/2023-08-30-srbm.yaml")
    refused = sh("git", "commit", "-q", "-m", "delete a launch the meeting takes up")
    assert refused.returncode != 0, refused.stdout + refused.stderr
    assert "refers to '2023-08-30-srbm', which is not a record" in refused.stdout + refused.stderr
    assert sh("git", "rev-list", "--count", "HEAD").stdout.strip() == "1"


def test_pre_commit_checks_what_the_commit_holds_not_the_work_tree(repo: Path, tmp_path: Path) -> None:
    """A commit that is invalid in a clean clone is stopped: a reference to a record that is not
    staged, and a record taken out with `git rm --cached` while its file stays. An invalid file
    that is not part of the commit does not stop it."""
    import os
    import shutil
    import subprocess
    import sys

    import pytest

    bin_dir = Path(sys.executable).parent
    if shutil.which("pre-commit", path=str(bin_dir)) is None or shutil.which("dprk", path=str(bin_dir)) is None:
        pytest.skip("pre-commit and dprk are not installed next to this Python")
    env = {k: v for k, v in os.environ.items() if k not in ("DPRK_REPO", "DPRK_DEBUG")}
    env.update(PATH=f"{bin_dir}{os.pathsep}{env.get('PATH', '')}", PRE_COMMIT_HOME=str(tmp_path / "pre-commit-home"))

    def sh(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(list(args), cwd=repo, env=env, capture_output=True, text=True, timeout=300)

    def commits() -> str:
        return sh("git", "rev-list", "--count", "HEAD").stdout.strip()

    (repo / ".pre-commit-config.yaml").write_text(readme_pre_commit_config())
    (repo / ".gitignore").write_text(".dprk-cache/\n")
    write_record(repo, "statement", sample("statement"))
    assert sh(str(bin_dir / "pre-commit"), "install").returncode == 0
    sh("git", "add", "-A")
    first = sh("git", "commit", "-q", "-m", "first")
    assert first.returncode == 0, first.stdout + first.stderr

    # a meeting staged, the launch it takes up left untracked: a clean clone would lack the launch
    write_record(repo, "launch", sample("launch"))
    write_record(repo, "meeting", sample("meeting", launches=["2023-08-30-srbm"]))
    sh("git", "add", "records/meetings")
    refused = sh("git", "commit", "-q", "-m", "a meeting whose launch is not staged")
    assert refused.returncode != 0 and commits() == "1", refused.stdout + refused.stderr
    assert "refers to '2023-08-30-srbm', which is not a record" in refused.stdout + refused.stderr

    sh("git", "add", "records/launches")
    both = sh("git", "commit", "-q", "-m", "the meeting and its launch")
    assert both.returncode == 0 and commits() == "2", both.stdout + both.stderr

    # the launch taken out of git, its file left on disk
    assert sh("git", "rm", "-q", "--cached", "records/launches/2023-08-30-srbm.yaml").returncode == 0
    refused = sh("git", "commit", "-q", "-m", "untrack the launch the meeting takes up")
    assert refused.returncode != 0 and commits() == "2", refused.stdout + refused.stderr
    assert "refers to '2023-08-30-srbm', which is not a record" in refused.stdout + refused.stderr
    sh("git", "reset", "-q")

    # an invalid record that is not part of the commit does not stop it
    write_record(repo, "launch", sample("launch", id="2023-09-01-draft", date="2023-09-01", count=-1))
    write_record(repo, "statement", sample("statement", summary="A corrected summary."))
    sh("git", "add", "records/statements")
    fine = sh("git", "commit", "-q", "-m", "correct the statement")
    assert fine.returncode == 0 and commits() == "3", fine.stdout + fine.stderr


# --- the workflow in a repository that holds only schema/ and records/ -----------------------------


def workflow() -> dict:
    return plain(yamlread.compose((PROJECT / "docs" / "pull-request-workflow.yml").read_text(encoding="utf-8")))


def install_script() -> str:
    [step] = [step for step in workflow()["jobs"]["records"]["steps"] if step.get("name") == "Install dprk"]
    return step["run"]


def test_the_workflow_steps_name_commands_that_exist():
    from dprk_records.main import COMMANDS

    runs = [step["run"] for step in workflow()["jobs"]["records"]["steps"] if "run" in step]
    used = [
        words[1]
        for run in runs
        for line in run.splitlines()
        if (words := shlex.split(line, comments=True))[:1] == ["dprk"]
    ]
    assert set(used) == {"validate", "fmt", "diff"} and set(used) <= set(COMMANDS)


def test_the_workflow_installs_dprk_from_its_git_url_at_the_release_tag():
    from dprk_records import __version__

    source = workflow()["jobs"]["records"]["env"]["DPRK_FROM"]
    assert source.startswith("git+https://") and source.endswith(f"@v{__version__}")


def run_install(where: Path, source: str, pip: str = 'pip() { echo "pip $*"; }') -> str:
    import subprocess

    done = subprocess.run(
        ["bash", "-c", f"{pip}\nset -e\n{install_script()}"],
        cwd=where,
        capture_output=True,
        text=True,
        env={"PATH": os.environ["PATH"], "DPRK_FROM": source},
        timeout=900,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_install_step_takes_the_git_url_in_a_repository_of_records_alone(repo: Path):
    assert not (repo / "pyproject.toml").exists()
    assert (
        run_install(repo, "git+https://example.org/dprk-records@v1").strip()
        == "pip install dprk-records @ git+https://example.org/dprk-records@v1"
    )
    assert (
        run_install(PROJECT, "git+https://example.org/dprk-records@v1").strip() == "pip install ."
    )  # a copy of this project


@pytest.mark.slow  # a real pip install from a git url at a tag, then the workflow's commands with it
def test_a_repository_of_records_alone_runs_the_workflow_with_dprk_from_a_tag(repo: Path, tmp_path: Path):
    import subprocess
    import sys

    from dprk_records import __version__

    clone = tmp_path / "dprk-records"
    subprocess.run(["git", "clone", "-q", str(PROJECT), str(clone)], check=True)
    changed = subprocess.run(
        ["git", "ls-files", "-m", "-o", "--exclude-standard"], cwd=PROJECT, capture_output=True, text=True, check=True
    )
    for name in changed.stdout.splitlines():
        if (PROJECT / name).is_file():  # the working tree as it is, uncommitted changes too
            (clone / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(PROJECT / name, clone / name)
    subprocess.run(["git", "add", "-A"], cwd=clone, check=True)
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qam", "as tested", "--allow-empty"],
        cwd=clone,
        check=True,
    )
    subprocess.run(["git", "tag", f"v{__version__}"], cwd=clone, check=True)
    target = tmp_path / "site"
    pip = f'pip() {{ "{sys.executable}" -m pip "$@" -q --no-deps --target "{target}"; }}'
    run_install(repo, f"git+file://localhost{clone}@v{__version__}", pip)
    write_record(repo, "launch", sample("launch"))
    commit_all(repo, "base")
    write_record(repo, "statement", sample("statement"))
    commit_all(repo, "pull request")
    env = dict(os.environ, PYTHONPATH=str(target))
    env.pop("DPRK_REPO", None)
    for args in (
        ["validate", "--changed-since", "HEAD~1...", "--format", "github"],
        ["fmt", "--check"],
        ["diff", "HEAD~1...HEAD", "--format", "markdown"],
    ):
        done = subprocess.run(
            [sys.executable, "-m", "dprk_records", *args], cwd=repo, env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, (args, done.stderr)
    assert (
        str(target)
        in subprocess.run(
            [sys.executable, "-c", "import dprk_records; print(dprk_records.__file__)"],
            env=env,
            capture_output=True,
            text=True,
            cwd=tmp_path,
        ).stdout
    )
