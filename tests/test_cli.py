"""The command group: help, version, lazy imports, `dprk schema`."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from dprk_records import __version__
from dprk_records.main import COMMANDS

PROBE = """
import sys
from dprk_records.main import cli
try:
    cli({args!r}, prog_name="dprk")
except SystemExit:
    pass
HEAVY = ("jsonschema", "git", "tabulate", "matplotlib", "frictionless", "datasette", "pandas", "jinja2", "selenium")
print("LOADED:" + ",".join(m for m in HEAVY if m in sys.modules), file=sys.stderr)
"""


def loaded_modules(args, cwd):
    done = subprocess.run([sys.executable, "-c", PROBE.format(args=args)], cwd=cwd, capture_output=True, text=True)
    line = [text for text in done.stderr.splitlines() if text.startswith("LOADED:")][-1]
    return set(filter(None, line[len("LOADED:") :].split(","))), done


@pytest.mark.parametrize(
    "args",
    [["--help"], ["--version"], ["validate", "--help"], ["chart", "--help"], ["serve", "--help"], ["export", "--help"]],
)
def test_start_up_loads_no_heavy_library(repo, args):
    loaded, done = loaded_modules(args, repo)
    assert loaded == set(), done.stderr


def test_validate_does_not_load_git(repo):
    loaded, _ = loaded_modules(["validate"], repo)
    assert "git" not in loaded and "tabulate" not in loaded


def test_help_lists_every_command(run):
    result = run("--help")
    assert result.exit_code == 0
    for name in COMMANDS:
        assert name in result.output


def test_version(run):
    result = run("--version")
    assert result.output.strip() == f"dprk {__version__}"


def test_python_dash_m_cli(repo):
    done = subprocess.run([sys.executable, "-m", "dprk_records", "--version"], cwd=repo, capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.strip() == f"dprk {__version__}"


ENTRY = """
import atexit, sys
sys.argv = ["dprk"] + {args!r}
atexit.register(lambda: print("LOADED:" + ",".join(m for m in ("click", "typing", "dprk_records.main") if m in sys.modules), file=sys.stderr))
from dprk_records.__main__ import run
run()
"""


@pytest.mark.parametrize("args", [["--version"], ["-V"]])
def test_version_is_answered_before_click_is_loaded(repo, args):
    """The script's entry point answers `dprk --version` itself: no click, no typing, no dprk_records.main."""
    done = subprocess.run([sys.executable, "-c", ENTRY.format(args=args)], cwd=repo, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"dprk {__version__}\n"
    assert done.stderr.strip().splitlines()[-1] == "LOADED:"


def test_the_entry_point_hands_everything_else_to_click(repo):
    done = subprocess.run(
        [sys.executable, "-c", ENTRY.format(args=["--version", "--help"])], cwd=repo, capture_output=True, text=True
    )
    assert done.returncode == 0 and done.stdout == f"dprk {__version__}\n"  # click's eager --version, as before
    assert "click" in done.stderr.strip().splitlines()[-1]
    done = subprocess.run(
        [sys.executable, "-c", ENTRY.format(args=["--help"])], cwd=repo, capture_output=True, text=True
    )
    assert done.returncode == 0 and "Commands:" in done.stdout
    assert (
        "click.shell_completion"
        not in subprocess.run(
            [
                sys.executable,
                "-c",
                "import sys; from dprk_records.main import cli\ntry:\n    cli(['validate', '--help'])\nexcept SystemExit:\n    pass\n"
                "print(sorted(sys.modules))",
            ],
            cwd=repo,
            capture_output=True,
            text=True,
        ).stdout
    )


def test_the_installed_script_runs_the_entry_point():
    from conftest import PROJECT

    text = (PROJECT / "pyproject.toml").read_text(encoding="utf-8")
    assert '\n[project.scripts]\ndprk = "dprk_records.__main__:run"\n' in text


def test_unknown_command_is_a_usage_error(run):
    result = run("frobnicate")
    assert result.exit_code == 2
    assert "No such command" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_schema_lists_kinds(run):
    result = run("schema")
    assert result.exit_code == 0
    for name in ("launch", "meeting", "statement", "sanctions-report"):
        assert name in result.output


@pytest.mark.parametrize("name", ["launch", "launches", "LAUNCHES"])
def test_schema_accepts_singular_and_plural(run, name):
    result = run("schema", name, "--format", "json")
    assert result.exit_code == 0
    rows = json.loads(result.output)
    by_field = {row["field"]: row for row in rows}
    assert by_field["category"]["required"] == "yes"
    assert "ICBM" in by_field["category"]["allowed values"]
    assert by_field["observations.stance"]["allowed values"] == "claim, assessment"
    assert by_field["sources.quote"]["description"].startswith("The passage")


def test_schema_fields_follow_schema_order(repo, run):
    schema = json.loads((repo / "schema" / "meeting.schema.json").read_text())
    rows = json.loads(run("schema", "meeting", "--format", "json").output)
    top = [row["field"] for row in rows if "." not in row["field"]]
    assert top == list(schema["properties"])


def test_schema_unknown_kind(run):
    result = run("schema", "speech")
    assert result.exit_code == 2
    assert "unknown kind 'speech'" in result.output and "kinds are: launch" in result.output


def test_every_property_has_a_description(repo):
    from dprk_records.records.schemas import Schemas

    schemas = Schemas(repo / "schema")
    for kind in schemas.kinds.values():
        for field in kind.root.walk():
            if field.path and not field.is_item:
                assert field.description, f"{kind.name}.{field.dotted} has no description"


def test_state_names_cover_the_enum(repo):
    definitions = json.loads((repo / "schema" / "definitions.schema.json").read_text())
    state = definitions["$defs"]["member_state"]
    assert sorted(state["x-names"]) == state["enum"]
    assert state["x-names"]["PRK"] == "Democratic People's Republic of Korea"


@pytest.mark.parametrize("args", [[], ["add"]])
def test_a_group_with_nothing_to_do_shows_its_help(run, args):
    result = run(*args)
    assert result.exit_code == 2
    assert result.stderr.startswith("Usage: dprk")
    assert "error" not in result.stderr.splitlines()[0]


def test_a_closed_pipe_exits_141_quietly(repo):
    from conftest import sample, write_record

    for i in range(300):
        write_record(repo, "launch", sample("launch", id=f"2023-08-30-srbm-{i:03d}", title=f"Launch {i}"))
    done = subprocess.run(
        f'{sys.executable} -m dprk_records query --csv | head -1; echo "rc=${{PIPESTATUS[0]}}"',
        shell=True,
        executable="/bin/bash",
        cwd=repo,
        capture_output=True,
        text=True,
    )
    assert done.stdout.splitlines()[-1] == "rc=141"
    assert done.stderr == ""


def test_input_ending_at_a_prompt_writes_nothing(run, repo):
    result = run("add", "launch", "--prompt", input="2023-11-21\n")
    assert result.exit_code == 2
    assert "nothing was written" in result.stderr
    assert list((repo / "records" / "launches").iterdir()) == []


@pytest.mark.slow  # 2,100 records, validated and exported twice
def test_progress_bar_only_on_a_terminal(repo):
    import os
    import pty

    from conftest import sample, write_record

    for i in range(2100):
        write_record(repo, "launch", sample("launch", id=f"2023-08-30-srbm-{i:04d}", title=f"Launch {i}"))
    for args in (["validate", "--no-cache", "--jobs", "1"], ["export", "--no-cache", "-o", "out.csv", "--force"]):
        piped = subprocess.run([sys.executable, "-m", "dprk_records", *args], cwd=repo, capture_output=True, text=True)
        assert piped.returncode == 0, piped.stderr
        assert "Validating" not in piped.stderr and "Exporting" not in piped.stderr
        leader, follower = pty.openpty()
        process = subprocess.Popen(
            [sys.executable, "-m", "dprk_records", *args], cwd=repo, stdout=subprocess.DEVNULL, stderr=follower
        )
        os.close(follower)
        seen = b""
        try:
            while chunk := os.read(leader, 65536):  # read as it comes, or the child blocks on a full terminal
                seen += chunk
        except OSError:  # the child has closed the terminal
            pass
        os.close(leader)
        assert process.wait(timeout=120) == 0, seen[-500:]
        assert (b"Validating" if args[0] == "validate" else b"Exporting") in seen
