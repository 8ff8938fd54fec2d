"""Nothing dprk prints carries a raw control character from a file name or a value: no line
can start a GitHub workflow command (`::error`, `::add-mask::`, `::stop-commands::`), and
no terminal escape reaches the screen."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from conftest import commit_all, git, sample, write_record

# a record file name a pull request can add: line breaks, a terminal escape, workflow commands
NAME = "2023-01-02-a\n::error::NAME-ERROR\r::add-mask::NAME-MASK\x1b[2J\t::stop-commands::NAME-STOP"
# values inside a record (YAML escapes), shown by query, show, diff
TITLE = "Meeting\n::error::TITLE-ERROR\r::add-mask::TITLE-MASK\x1b]0;owned\x07\x85\u2028::warning::TITLE"
LAUNCH = "2023-08-30-srbm"

RAW = re.compile("\r(?!\n)|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")  # anything but LF, tab and CRLF
RAW_IN_CELLS = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]"
)  # CSV and TSV: line breaks in quoted cells too


def assert_safe(text: str, where: object, *, line_breaks_in_cells: bool = False, annotations: int = 0) -> None:
    """No raw control character; no line that a runner would read as a workflow command,
    but the `annotations` that `validate --format github` means to write."""
    found = (RAW_IN_CELLS if line_breaks_in_cells else RAW).search(text)
    assert found is None, (where, found and text[max(0, found.start() - 40) : found.end() + 40])
    if line_breaks_in_cells:
        return  # CSV and TSV keep a line break inside a quoted cell as data (SECURITY.md)
    commands = [line for line in re.split("\r\n|\n", text) if line.lstrip().startswith("::")]
    assert len(commands) == annotations and all(line.startswith("::error file=") for line in commands), (
        where,
        commands,
    )


@pytest.fixture
def hostile(repo, run):
    write_record(repo, "launch", sample("launch"))
    commit_all(repo, "a launch")
    meeting = sample("meeting", id="2023-01-02-a", date="2023-01-02", title=TITLE, launches=[LAUNCH])
    path = write_record(repo, "meeting", meeting, name=NAME)
    path.write_text(
        path.read_text(encoding="utf-8").replace("summary: ", "summary:   "), encoding="utf-8"
    )  # not canonical
    (repo / "records" / "launches" / f"{NAME}.yml").write_text("id: x\n")  # a stray of the same name
    return repo


def commands() -> list[list[str]]:
    found = [
        ["fmt", "--check"],
        ["diff"],
        ["diff", "--stat"],
        ["show", LAUNCH],
        ["show", LAUNCH, "--format", "json"],
        ["stats"],
        ["log", LAUNCH],
    ]
    found += [["diff", "--format", fmt] for fmt in ("text", "json", "markdown")]
    found += [["validate", "--format", fmt] for fmt in ("text", "json", "jsonl", "csv", "tsv", "markdown", "github")]
    found += [["query", "--format", fmt] for fmt in ("table", "json", "jsonl", "markdown")]
    found += [["export", "--format", fmt] for fmt in ("json", "jsonl", "markdown")]
    return found


def test_every_command_escapes_names_and_values(hostile, run):
    problems = len(json.loads(run("validate", "--format", "json").stdout))
    assert problems >= 2
    for args in commands():
        result = run(*args)
        assert "Traceback" not in result.stderr
        assert_safe(result.stdout, args, annotations=problems if args[-1] == "github" else 0)
        assert_safe(result.stderr, args)
        if args[-1] in ("json", "jsonl") and result.stdout.strip():
            text = result.stdout
            values = [json.loads(line) for line in text.splitlines()] if args[-1] == "jsonl" else [json.loads(text)]
            assert values  # still JSON, whatever was escaped


def test_csv_and_tsv_keep_a_line_break_in_a_cell_but_nothing_else(hostile, run):
    import csv
    import io

    for args in (["query", "--format", "csv"], ["query", "--format", "tsv"], ["export", "--format", "csv"]):
        result = run(*args)
        assert_safe(result.stdout, args, line_breaks_in_cells=True)
        rows = list(csv.DictReader(io.StringIO(result.stdout, newline=""), delimiter="," if "csv" in args else "\t"))
        title = next(row["title"] for row in rows if row["id"] == "2023-01-02-a")
        assert title == TITLE.replace("\x1b", "\\x1b").replace("\x07", "\\x07").replace("\x85", "\\u0085").replace(
            "\u2028", "\\u2028"
        )
    for fmt in ("csv", "tsv"):  # a file name is no cell of data: validate escapes it whole
        result = run("validate", "--format", fmt)
        assert_safe(result.stdout, fmt)


def test_fmt_names_the_file_on_one_line(hostile, run):
    result = run("fmt")
    assert result.exit_code == 1  # the stray is not formatted
    assert_safe(result.stdout + result.stderr, "fmt")
    assert "formatted records/meetings/2023-01-02-a\\n::error::NAME-ERROR\\r" in result.stdout


def test_a_commit_message_with_control_characters_is_escaped_in_log(hostile, run):
    write_record(hostile, "launch", sample("launch", summary="Changed."))
    git(hostile, "add", "-A")
    git(hostile, "commit", "-q", "-m", "change\r::error::LOG-ERROR\x1b[31m\n\n::add-mask::BODY")
    for fmt in ("text", "json", "jsonl"):
        result = run("log", LAUNCH, "--format", fmt)
        assert_safe(result.stdout + result.stderr, fmt)


def test_the_installed_program_escapes_over_real_pipes(hostile):
    env = {k: v for k, v in os.environ.items() if k != "DPRK_REPO"}
    for args in (["fmt", "--check"], ["diff"], ["validate", "--format", "github"], ["query", "--format", "csv"]):
        done = subprocess.run(
            [sys.executable, "-m", "dprk_records", *args], cwd=hostile, capture_output=True, env=env, timeout=120
        )
        assert done.returncode == (1 if args[0] in ("fmt", "validate") else 0), (args, done.stderr)
        assert_safe(
            done.stdout.decode("utf-8"),
            args,
            line_breaks_in_cells=args[0] == "query",  # bytes as written
            annotations=done.stdout.count(b"\n::error file=") + done.stdout.startswith(b"::error file="),
        )
        assert_safe(done.stderr.decode("utf-8"), args)
        if args[0] == "query":
            assert done.stdout.count(b"\r\n") == 3  # CSV's own row ends pass: a header and two rows


def test_shell_completion_escapes_record_ids(hostile):
    env = {k: v for k, v in os.environ.items() if k not in ("DPRK_REPO", "DPRK_DEBUG")}
    env.update(_DPRK_COMPLETE="bash_complete", COMP_WORDS="dprk show 2023-01", COMP_CWORD="2")
    done = subprocess.run(
        [sys.executable, "-c", "from dprk_records.main import main; main()"],
        cwd=hostile,
        env=env,
        capture_output=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout.decode("utf-8")
    assert "2023-08-30-srbm" not in out and "2023-01-02-a" not in out  # a name with a line break is no id to offer
    assert_safe(out, "completion")
    env["COMP_WORDS"] = "dprk show 2023"
    out = subprocess.run(
        [sys.executable, "-c", "from dprk_records.main import main; main()"],
        cwd=hostile,
        env=env,
        capture_output=True,
        timeout=60,
    ).stdout.decode("utf-8")
    assert "2023-08-30-srbm" in out
    assert_safe(out, "completion")
