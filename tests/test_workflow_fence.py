"""Under GitHub Actions, no line of record text is read as a workflow command.

The runner reads a line as a command when it starts with `::` after its leading whitespace,
so a block scalar's line shown in `fmt --check`'s diff context (" ::error ...") or a CSV
cell's line could forge an annotation or mask a secret. dprk fences each such line off with
`::stop-commands::TOKEN` ... `::TOKEN::`, and writes its own annotations as commands.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys

from hypothesis import given
from hypothesis import strategies as st

from conftest import commit_all, sample, write_record
from dprk_records.errors import CommandFence, GuardedStream

FORGED = "::error file=records/x.yaml,line=1::FORGED"
MASK = "::add-mask::MASK"
CI = {"GITHUB_ACTIONS": "true"}
CONTEXT = f"   {FORGED}"  # the block scalar's line (indented by 2) as a diff context line


def runner_reads(text: str) -> tuple[list[str], list[str]]:
    """The commands a GitHub Actions runner would act on in `text`, and the lines it would show.

    As the runner does: a line is a command when it starts with `::` once its leading
    whitespace is trimmed; after `::stop-commands::TOKEN` nothing is a command until a line
    `::TOKEN::`."""
    commands, shown, stopped = [], [], None
    for line in text.split("\n"):
        bare = line.lstrip()
        if stopped is not None:
            if bare.rstrip() == f"::{stopped}::":
                stopped = None
            else:
                shown.append(line)
            continue
        if bare.startswith("::"):
            name = bare[2:].split("::", 1)[0].split(" ", 1)[0]
            if name == "stop-commands":
                stopped = bare[2:].split("::", 2)[1]
            else:
                commands.append(bare)
            continue
        shown.append(line)
    return commands, shown


def hostile_record(repo):
    """A meeting whose summary's lines are workflow commands, one line off canonical form
    just above them (so that `fmt --check` shows them as diff context)."""
    summary = f"{FORGED}\n{MASK}\n  {FORGED}\nLast line."
    path = write_record(repo, "meeting", sample("meeting", summary=summary))
    text = path.read_text(encoding="utf-8")
    assert "summary: |-\n" in text  # a block scalar, each line of it a line of the file
    path.write_text(text.replace("summary: |-\n", "summary:   |-\n"), encoding="utf-8")
    return path


def test_record_lines_shown_in_ci_are_never_commands(repo, run):
    write_record(repo, "launch", sample("launch"))
    commit_all(repo, "a launch")
    hostile_record(repo)
    for args in (
        ["fmt", "--check"],
        ["show", "2023-08-25-open-briefing"],
        ["query", "meetings", "--format", "csv"],
        ["diff"],
    ):
        result = run(*args, env=CI)
        assert "Traceback" not in result.output
        commands, shown = runner_reads(result.stdout)
        assert commands == [], (args, commands)
        if args[0] != "diff":  # (diff shows a value's line feeds as escapes)
            # the lines are shown as they are, only fenced
            assert any(line.lstrip().startswith(FORGED) for line in shown), (args, result.stdout)
        if args[0] == "fmt":
            assert CONTEXT in shown


def test_outside_ci_the_output_is_unchanged(repo, run):
    hostile_record(repo)
    plain = run("fmt", "--check")
    assert plain.exit_code == 1
    assert "stop-commands" not in plain.stdout
    assert f"\n{CONTEXT}\n" in plain.stdout
    fenced = run("fmt", "--check", env=CI)
    assert fenced.exit_code == 1
    assert runner_reads(fenced.stdout)[1] == plain.stdout.split("\n")


def test_annotations_stay_commands_in_ci(repo, run):
    write_record(repo, "launch", sample("launch", count=0))
    hostile_record(repo)
    result = run("validate", "--format", "github", env=CI)
    assert result.exit_code == 1
    commands, _ = runner_reads(result.stdout)
    assert commands and all(command.startswith("::error file=records/") for command in commands)
    assert not any("FORGED" in command for command in commands)


def test_the_installed_program_fences_over_a_real_pipe(repo):
    hostile_record(repo)
    env = {k: v for k, v in os.environ.items() if k != "DPRK_REPO"} | CI
    done = subprocess.run(
        [sys.executable, "-m", "dprk_records", "fmt", "--check"], cwd=repo, capture_output=True, env=env, timeout=120
    )
    assert done.returncode == 1
    commands, shown = runner_reads(done.stdout.decode("utf-8"))
    assert commands == [] and CONTEXT in shown


@given(
    pieces=st.lists(st.text(alphabet=" \t:ab\n", max_size=12), max_size=12),
    annotation_at=st.integers(min_value=0, max_value=12),
)
def test_fence_property_any_chunking(pieces, annotation_at):
    """However text is cut into writes, no line of it acts as a command and every line is
    shown as written; a line written as a command stays the one command."""

    def write(stream):
        for i, piece in enumerate(pieces):
            if i == annotation_at:
                stream.write("\n")
                stream.write_command("::error file=a::real\n")
            stream.write(piece)
        stream.finish()

    fenced, plain = io.StringIO(), io.StringIO()
    write(GuardedStream(fenced, CommandFence()))
    write(GuardedStream(plain))
    commands, shown = runner_reads(fenced.getvalue())
    real = annotation_at < len(pieces)
    assert commands == (["::error file=a::real"] if real else [])
    expected = plain.getvalue().split("\n")
    if real:
        expected.remove("::error file=a::real")
    if expected[-1].lstrip().startswith("::"):
        expected.append("")  # a last line held back as a possible command is ended when written out
    assert shown == expected
