"""One registry of output formats: a format is one writer class, offered by every command
that writes what it can write, and no command lists format names of its own."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys

from conftest import PROJECT, sample, write_record

# A format of the test's own: pipe-separated values. One class, and nothing else changes.
PIPE_FORMAT = """
import sys
from dprk_records.output.registry import Writer

class PipeWriter(Writer):
    name = "psv"
    help = "pipe-separated values, one row a line"

    def write_rows(self, out, columns, rows, *, drop_empty=False):
        out.write("|".join(columns) + "\\n")
        count = 0
        for row in rows:
            out.write("|".join("" if v is None else str(v) for v in row) + "\\n")
            count += 1
        return count

# each command line given is run in turn, in this one process, through click's CliRunner
import json
from click.testing import CliRunner
from dprk_records.main import cli

answers = []
for args in json.loads(sys.argv[1]):
    result = CliRunner().invoke(cli, args, prog_name="dprk", catch_exceptions=False)
    answers.append([result.exit_code, result.stdout, result.stderr])
print(json.dumps(answers))
"""


def dprk_with_pipe_format(repo, tmp_path, *commands: list[str]) -> list[subprocess.CompletedProcess]:
    """Each command run by dprk with the pipe format defined: one process (the class stays
    out of the test's own), each command through CliRunner in it, in turn."""
    script = tmp_path / "dprk_psv.py"
    script.write_text(PIPE_FORMAT, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(script), json.dumps(commands)], cwd=repo, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    return [
        subprocess.CompletedProcess(args, code, out, err)
        for args, (code, out, err) in zip(commands, json.loads(done.stdout))
    ]


def test_a_writer_class_is_offered_and_used_by_every_command_that_writes_rows(repo, tmp_path):
    write_record(repo, "launch", sample("launch"))
    helps = [[command, "--help"] for command in ("query", "schema", "stats", "export")]
    *shown_all, queried, schema, exported = dprk_with_pipe_format(
        repo,
        tmp_path,
        *helps,
        ["query", "launches", "--format", "psv", "--fields", "id,date"],
        ["schema", "--psv"],
        ["export", "launches", "--psv", "--fields", "id", "-o", "ids.psv"],
    )
    for (command, _), shown in zip(helps, shown_all):
        assert shown.returncode == 0, shown.stderr
        text = re.sub(r"-\s+", "-", " ".join(shown.stdout.split()))  # a line may break after a hyphen
        assert "psv: pipe-separated values, one row a line" in text, command
        assert "--psv" in shown.stdout, command
    assert queried.returncode == 0, queried.stderr
    assert queried.stdout.splitlines() == ["id|date", f"{sample('launch')['id']}|{sample('launch')['date']}"]
    assert schema.stdout.splitlines()[0].count("|") >= 1
    assert exported.returncode == 0, exported.stderr
    assert (repo / "ids.psv").read_text(encoding="utf-8").splitlines() == ["id", sample("launch")["id"]]


def test_a_writer_of_rows_alone_is_not_offered_for_what_it_cannot_write(repo, tmp_path):
    commands = ("validate", "diff", "log", "show")
    *shown_all, refused = dprk_with_pipe_format(
        repo, tmp_path, *([command, "--help"] for command in commands), ["validate", "--format", "psv"]
    )
    for command, shown in zip(commands, shown_all):
        assert shown.returncode == 0 and "--psv" not in shown.stdout, command
    assert refused.returncode == 2 and "psv" in refused.stderr and "Traceback" not in refused.stderr


def test_each_command_offers_the_formats_it_offered_before_the_registry():
    from dprk_records.output.registry import formats

    assert formats("rows") == ["table", "csv", "tsv", "json", "jsonl", "markdown"]
    assert formats("export") == ["csv", "tsv", "json", "jsonl", "markdown", "sqlite", "datapackage"]
    assert set(formats("problems")) == {"text", "json", "jsonl", "csv", "tsv", "markdown", "github"}
    assert formats("problems")[0] == "text"
    assert formats("diff") == ["text", "json", "markdown"]
    assert formats("log") == ["text", "json", "jsonl"]
    assert formats("record") == ["text", "json"]


def test_the_bar_chart_is_a_writer_of_the_output_layer(run, repo):
    import io

    from dprk_records.output.writers import BarChart

    out = io.StringIO()
    BarChart().write_counts(out, ["year", "launch", "total"], [["2022", 4, 4], ["2023", 2, 2], ["total", 6, 6]])
    assert out.getvalue().splitlines() == ["2022 | 4 " + "#" * 50, "2023 | 2 " + "#" * 25]
    write_record(repo, "launch", sample("launch"))
    shown = run("stats", "launches").output
    assert shown.rstrip().splitlines()[-1].endswith("#" * 50)
    assert "#" not in run("stats", "launches", "--no-chart").output
    assert "#" not in run("stats", "launches", "--csv").output


def test_no_command_names_its_formats_itself():
    """The command line asks the registry (output_options(subject)); no command module
    passes format names to it, or compares a format name to choose what to write."""
    from dprk_records.output.registry import formats

    names = {name for subject in ("rows", "export", "problems", "diff", "log", "record") for name in formats(subject)}
    for path in sorted((PROJECT / "cli" / "commands").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "output_options":
                assert [type(a) for a in node.args] == [ast.Constant], path.name
                assert node.args[0].value not in names, path.name
            if isinstance(node, ast.Compare) and getattr(node.left, "id", "") == "fmt":
                raise AssertionError(f"{path.name}:{node.lineno} compares fmt itself")
