"""Hostile record files: each gets a defined verdict naming the file, in bounded time and memory."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import make_repo, sample, write_record

NAME = "2023-01-01-hostile"
REL = f"records/launches/{NAME}.yaml"


def alias_bomb() -> bytes:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 12):
        prev, name = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    return ("\n".join(lines) + "\n").encode()


HOSTILE = {
    "alias bomb": (alias_bomb(), "anchors (&name) are not allowed", "1:4"),
    "deep nesting": (b"a: " + b"[" * 10000 + b"]" * 10000 + b"\n", "nesting is deeper than 64 levels", "1:"),
    # deeper than the nesting limit of recent libyaml builds, which stop with a message of their own
    "very deep block nesting": (b"a:\n  " + b"- " * 3000 + b"x\n", "nesting is deeper than 64 levels", "2:"),
    "very deep flow nesting in a list": (
        b"a:\n  - " + b"{b: " * 3000 + b"1" + b"}" * 3000 + b"\n",
        "nesting is deeper than 64 levels",
        "2:",
    ),
    "deep block nesting": (
        "".join("  " * i + f"k{i}:\n" for i in range(300)).encode() + b"  " * 300 + b"x: 1\n",
        "nesting is deeper",
        "",
    ),
    "50 MB file": (b"a: " + b"x" * (50 * 1024 * 1024) + b"\n", "over the 1 MiB limit", ""),
    "binary garbage": (bytes(range(256)) * 4, "", ""),
    "invalid UTF-8": (b"id: caf\xe9\n", "not valid UTF-8", "1:8"),
    "UTF-16 with BOM": ("id: x\n".encode("utf-16"), "UTF-16", "1:1"),
    "UTF-8 BOM": (b"\xef\xbb\xbfid: x\n", "byte-order mark", "1:1"),
    "tabs for indentation": (b"id: x\nsources:\n\t- a\n", "", "3:1"),  # PyYAML's wording; the place is ours
    "python tag": (b"id: !!python/object/apply:os.system ['echo pwned']\n", "is not allowed in records", "1:5"),
    "other tag": (b"id: !!set {a, b}\n", "is not allowed in records", "1:5"),
    "duplicate keys": (b"id: a\ntitle: t\nid: b\n", "duplicate key 'id'", "3:1"),
    "merge keys": (b"base: {a: 1}\n<<: {title: x}\n", "merge keys (<<) are not allowed", "2:1"),
    "several documents": (b"id: a\n---\nid: b\n", "several YAML documents", "2:1"),
    "empty file": (b"", "file is empty", "1:1"),
    "only a comment": (b"# nothing here\n", "file is empty", "1:1"),
    "NUL bytes": (b"id: a\x00b\n", "binary", "1:"),
}


def limit_memory():
    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))


# One fresh interpreter, under the memory limit, runs dprk (through click's CliRunner) once
# in each of the given repositories and prints what each run gave: exit status, stdout and
# stderr, with the traceback of anything dprk let escape.
VERDICTS = r"""
import json, sys, traceback
from click.testing import CliRunner
from dprk_records.main import cli

answers = []
for folder, args in json.loads(sys.stdin.read()):
    import os
    os.chdir(folder)
    result = CliRunner().invoke(cli, args, prog_name="dprk")
    stderr = result.stderr
    if result.exc_info and not isinstance(result.exception, SystemExit):
        stderr += "".join(traceback.format_exception(*result.exc_info))
    answers.append([result.exit_code, result.stdout, stderr])
print(json.dumps(answers))
"""


def run_in_one_process(runs: list[tuple[Path, list[str]]], timeout: int = 120) -> list[tuple[int, str, str]]:
    """Each (repository, arguments) run by dprk in one process under a 1 GiB memory limit."""
    done = subprocess.run(
        [sys.executable, "-c", VERDICTS],
        input=json.dumps([[str(folder), args] for folder, args in runs]),
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=limit_memory,
    )
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    return [tuple(answer) for answer in json.loads(done.stdout)]


@pytest.fixture(scope="module")
def verdicts(tmp_path_factory) -> dict[str, tuple[int, str, str]]:
    """`validate --no-cache` of each hostile file, alone in a repository of its own, and
    `validate --format json` of the alias bomb: one process under the memory limit for all."""
    runs = []
    for n, (content, _, _) in enumerate(HOSTILE.values()):
        repo = make_repo(tmp_path_factory.mktemp(f"hostile-{n}") / "repo")
        (repo / REL).write_bytes(content)
        runs.append((repo, ["validate", "--no-cache"]))
    runs.append((runs[list(HOSTILE).index("alias bomb")][0], ["validate", "--format", "json"]))
    answers = run_in_one_process(runs)
    return {**dict(zip(HOSTILE, answers)), "alias bomb as json": answers[-1]}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_file_gets_one_verdict(verdicts, name):
    _, words, position = HOSTILE[name]
    code, stdout, stderr = verdicts[name]
    assert code == 1, stderr
    assert "Traceback" not in stdout + stderr
    problems = [line for line in stdout.splitlines() if line.startswith(REL)]
    assert len(problems) == 1, stdout
    assert words in problems[0]
    if position:
        assert problems[0].startswith(f"{REL}:{position}")
    assert stdout.splitlines()[-1] == "1 record checked, 1 problem in 1 file"


def test_hostile_files_in_json_output(verdicts):
    code, stdout, _ = verdicts["alias bomb as json"]
    assert code == 1
    [problem] = json.loads(stdout)
    assert problem["check"] == "yaml" and problem["line"] == 1


def test_crlf_line_ends_are_read(repo, run):
    path = write_record(repo, "launch", sample("launch", id=NAME))
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    done = run("validate")
    assert done.exit_code == 0, done.stdout


def test_id_with_path_separators_is_refused(repo, run):
    write_record(repo, "launch", sample("launch", id="../../etc/passwd"), name=NAME)
    done = run("validate")
    assert done.exit_code == 1
    assert "$.id: '../../etc/passwd' is not an id: " in done.stdout


def test_symlink_out_and_directory_named_like_a_record(repo, run, tmp_path):
    secret = tmp_path / "secret.yaml"
    secret.write_text("id: secret\n")
    (repo / "records/launches/2023-01-01-link.yaml").symlink_to(secret)
    (repo / "records/launches/2023-01-02-dir.yaml").mkdir()
    done = run("validate")
    assert done.exit_code == 1
    assert "2023-01-01-link.yaml: symbolic link to a file outside the repository" in done.stdout
    assert "2023-01-02-dir.yaml: a directory named like a record" in done.stdout
    assert "secret" not in done.stdout.replace("2023-01-01-link", "")


def test_schema_file_that_is_not_json(repo, run):
    (repo / "schema/statement.schema.json").write_text("{ not json")
    done = run("validate")
    assert done.exit_code == 1
    assert done.stdout == ""
    assert done.stderr.strip().count("\n") == 0
    assert "statement.schema.json:1:3: schema file is not valid JSON" in done.stderr


def test_show_and_update_do_not_follow_a_link_out_of_the_repository(repo, run, tmp_path):
    secret = tmp_path / "secret.yaml"
    secret.write_text("id: 2023-01-01-link\ntop: secret\n")
    (repo / "records/launches/2023-01-01-link.yaml").symlink_to(secret)
    for args in (["show", "2023-01-01-link"], ["update", "2023-01-01-link", "--title", "x"]):
        done = run(*args)
        assert done.exit_code == 1, done.stderr
        assert "symbolic link to a file outside the repository" in done.stderr
        assert "secret" not in done.stdout + done.stderr.replace(str(secret), "")
    assert secret.read_text() == "id: 2023-01-01-link\ntop: secret\n"
