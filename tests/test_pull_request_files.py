"""The pre-commit hooks and the example workflow name commands that exist and work."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any

from yaml.nodes import MappingNode, SequenceNode

from cli import yamlio
from conftest import PROJECT, Runner, commit_all, sample, write_record


def plain(node: Any) -> Any:
    if isinstance(node, MappingNode):
        return {k.value: plain(v) for k, v in node.value}
    if isinstance(node, SequenceNode):
        return [plain(item) for item in node.value]
    return node.value


def test_pre_commit_hooks_run_real_commands(repo: Path, run: Runner) -> None:
    hooks = plain(yamlio.compose((PROJECT / ".pre-commit-hooks.yaml").read_text()))
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
    steps = plain(yamlio.compose(text))["jobs"]["records"]["steps"]
    commands = "\n".join(step.get("run", "") for step in steps)
    for expected in ('dprk validate --changed-since "$BASE..."', "dprk fmt --check", 'dprk diff "$BASE...HEAD" --format markdown'):
        assert expected in commands
    # the same commands, against a base branch, on a real repository
    write_record(repo, "launch", sample("launch"))
    commit_all(repo, "base")
    write_record(repo, "statement", sample("statement"))
    commit_all(repo, "pull request")
    assert run("validate", "--changed-since", "HEAD~1...").exit_code == 0
    assert run("fmt", "--check").exit_code == 0
    assert "| added | statement |" in run("diff", "HEAD~1...HEAD", "--format", "markdown").output
