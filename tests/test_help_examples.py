"""Every example in every command's --help pastes into bash and runs, on a copy of the
bundled records (in a git repository with a little history, for diff and log)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import PROJECT, Runner
from dprk_records.main import COMMANDS


def help_texts(run: Runner, repo: Path) -> dict[str, str]:
    """The --help of `dprk`, of every command, of `add KIND` for every kind and of
    `update ID` for a record of every kind, as a person sees them."""
    from dprk_records.records.repository import Repository

    texts = {"dprk": run("--help").output}
    for name in COMMANDS:
        texts[name] = run(name, "--help").output
    found = Repository.find(str(repo))
    for kind in found.schemas.kinds.values():
        texts[f"add {kind.name}"] = run("add", kind.name, "--help").output
        record = next(iter(found.records([kind])))
        texts[f"update {kind.name}"] = run("update", record.id, "--help").output
    return texts


def examples(text: str) -> list[str]:
    """The commands shown in a help text: each line that starts with `dprk ` indented as an
    example block is (more than prose, at 2, and less than the help of options), with the
    lines it continues onto (a line ending in a backslash)."""
    found: list[str] = []
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        line = lines[index].strip()
        indent = len(lines[index]) - len(lines[index].lstrip(" "))
        if line.startswith("dprk ") and 4 <= indent <= 6:
            command = [lines[index]]
            while command[-1].endswith("\\") and index + 1 < len(lines):
                index += 1
                command.append(lines[index])
            found.append("\n".join(command))
        index += 1
    return found


@pytest.fixture
def bundled(tmp_path, monkeypatch):
    """The project's schemas and records, in four commits (HEAD~3 exists), on branch main."""
    monkeypatch.delenv("DPRK_REPO", raising=False)
    repo = tmp_path / "repo"
    repo.mkdir()
    shutil.copytree(PROJECT / "schema", repo / "schema")
    shutil.copytree(PROJECT / "records", repo / "records")
    (repo / ".gitignore").write_text(".dprk-cache/\n", encoding="utf-8")

    def git(*args):
        subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)

    git("init", "-q", "-b", "main")
    git("config", "user.email", "test@example.org")
    git("config", "user.name", "Test User")
    git("config", "commit.gpgsign", "false")
    git("add", "-A")
    git("commit", "-qm", "The records")
    for changed in sorted((repo / "records" / "launches").glob("*.yaml"))[:3]:
        changed.write_text(
            changed.read_text(encoding="utf-8").replace("\ntitle: ", "\ntitle: Changed ", 1), encoding="utf-8"
        )
        git("commit", "-qam", f"A change to {changed.stem}")
    return repo


@pytest.mark.slow  # every example of every help text, each a run of the installed dprk
def test_every_help_example_pastes_into_bash_and_runs(bundled):
    bin_dir = Path(sys.executable).parent
    if shutil.which("dprk", path=str(bin_dir)) is None:
        pytest.skip("the dprk entry point is not installed next to this Python")
    env = {k: v for k, v in os.environ.items() if k not in ("DPRK_REPO", "DPRK_DEBUG")}
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    texts = help_texts(Runner(bundled), bundled)
    commands = {(where, example) for where, text in texts.items() for example in examples(text)}
    assert {where for where, _ in commands} >= {"add", "add launch", "add meeting", "query", "export", "diff", "schema"}
    failed = []
    for where, example in sorted(commands):
        done = subprocess.run(
            ["bash", "-c", example], cwd=bundled, env=env, capture_output=True, text=True, timeout=300
        )
        if done.returncode != 0:
            failed.append((where, example, done.returncode, done.stderr[-500:]))
        subprocess.run(["git", "checkout", "-q", "--", "."], cwd=bundled, check=True)
        subprocess.run(["git", "clean", "-fdq"], cwd=bundled, check=True)  # what an example wrote goes; the cache stays
    for item in failed:
        print("FAILED", *item, sep="\n")
    assert failed == []


def test_option_help_holds_no_example_that_wrapping_would_break(bundled):
    """An example of a JSON value in an option's help is wrapped with the help text, so
    pasted it would carry a line break into the value: examples go at the end, unwrapped."""
    texts = help_texts(Runner(bundled), bundled)
    options = {where: text.split("\nOptions:\n", 1)[1] for where, text in texts.items() if "\nOptions:\n" in text}
    quoted_json = [where for where, text in options.items() if re.search(r"'\{", text.split("\n\n  Example", 1)[0])]
    assert quoted_json == []
    for kind in ("launch", "meeting", "nuclear-test", "sanctions-report", "statement"):
        assert examples(texts[f"add {kind}"])[-1].startswith(f"    dprk add {kind} --dry-run")


def test_an_apostrophe_in_an_example_is_quoted_for_bash():
    from dprk_records.editing.options import shell_word

    for text in ["Japan's Ministry of Defense", "it's", "'", "plain", "a b", "", '{"a": "b\'c"}']:
        done = subprocess.run(
            ["bash", "-c", f"printf %s {shell_word(text)}"], capture_output=True, text=True, check=True
        )
        assert done.stdout == text


FORMAT_WORDS = {
    "csv": "CSV",
    "tsv": "TSV",
    "json": "JSON",
    "jsonl": "JSON Lines",
    "markdown": "Markdown",
    "sqlite": "SQLite",
    "datapackage": "data package",
}


def test_the_help_of_dprk_and_of_export_name_every_export_format(run):
    from dprk_records.output.registry import formats

    listed = " ".join(run("--help").output.split("\n  export", 1)[1].split("\n  show", 1)[0].split())
    described = " ".join(run("export", "--help").output.split())
    for name in formats("export"):
        assert FORMAT_WORDS[name] in listed and FORMAT_WORDS[name] in described, name
    assert 'lists joined with "; "' not in described  # a list cell is a JSON array


def test_an_export_of_several_kinds_says_which_columns_it_wrote(repo, run):
    from conftest import sample, write_record

    write_record(repo, "launch", sample("launch"))
    write_record(repo, "meeting", sample("meeting"))
    result = run("export", "--format", "csv", "-o", "all.csv")
    assert result.exit_code == 0
    assert result.stderr.strip() == (
        "wrote 2 records to all.csv, with only the 7 columns every kind shares (date, date_start, "
        "date_end, kind, id, title, summary); for all of a kind's columns, name the kind: "
        "'dprk export launches -o launches.csv'"
    )
    assert (repo / "all.csv").read_text(encoding="utf-8").splitlines()[
        0
    ] == "date,date_start,date_end,kind,id,title,summary"
    to_stdout = run("export")
    assert "several kinds in one table, with only the 7 columns every kind shares" in to_stdout.stderr
    for one_kind in (
        ["export", "launches", "-o", "l.csv"],
        ["export", "--format", "json", "-o", "all.json"],
        ["export", "--fields", "id,title", "-o", "some.csv"],
    ):
        assert "columns every kind shares" not in run(*one_kind).stderr
