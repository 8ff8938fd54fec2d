"""Tables a person can read: the installed `dprk` run under a real pseudo-terminal at 80 and
120 columns, on the bundled records; and piped output, which is never cut."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import select
import shutil
import struct
import subprocess
import sys
import tempfile
import termios
from pathlib import Path

import pytest

from conftest import PROJECT, Runner, make_repo, sample, write_record

COMMANDS = [
    ("query", "launches", "--since", "2025"),
    ("query", "meetings", "--since", "2025"),
    ("query", "statements", "--since", "2023"),
    ("query", "--since", "2025"),
    ("reactions", "--since", "2025"),
    ("reactions", "--by", "year"),
    ("reactions", "--fields", "date,id,first_meeting,responses", "--since", "2022"),
    ("votes",),
    ("stats",),
    ("schema", "launches"),
]


def on_terminal(args: tuple[str, ...], columns: int, cwd: Path = PROJECT) -> tuple[str, int, str]:
    """What `dprk ARGS` prints on a terminal `columns` wide, its exit status, and its stderr
    (kept apart: a note there is a line the terminal wraps, not part of the table)."""
    dprk = shutil.which("dprk", path=str(Path(sys.executable).parent))
    if dprk is None:
        pytest.skip("the dprk entry point is not installed next to this Python")
    return _under_a_terminal([dprk, *args], columns, cwd)


def _under_a_terminal(command: list[str], columns: int, cwd: Path) -> tuple[str, int, str]:
    main, child = pty.openpty()
    fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "DPRK_REPO")}
    errors = tempfile.TemporaryFile()
    process = subprocess.Popen(command, cwd=cwd, stdin=child, stdout=child, stderr=errors, env=env, close_fds=True)
    os.close(child)
    chunks = []
    while True:
        ready, _, _ = select.select([main], [], [], 120)
        if not ready:
            process.kill()
            pytest.fail(f"{' '.join(command)} printed nothing for 120 seconds")
        try:
            data = os.read(main, 65536)
        except OSError:  # the terminal closed: the command ended
            break
        if not data:
            break
        chunks.append(data)
    os.close(main)
    status = process.wait(timeout=60)
    errors.seek(0)
    return b"".join(chunks).decode("utf-8").replace("\r\n", "\n"), status, errors.read().decode("utf-8")


# Several commands in one fresh Python process on one terminal: each is run as `dprk` runs
# it (the command line's main, which finds the terminal's width itself), between marker lines
# on stdout and stderr that carry its exit status.
SEVERAL = r"""
import json, sys
from dprk_records.main import cli
for args in json.loads(sys.argv[1]):
    for stream in (sys.stdout, sys.stderr):
        stream.write("\n@@ dprk run begins @@\n")
        stream.flush()
    code = cli.main(args, prog_name="dprk", standalone_mode=False)
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
        stream.write(f"\n@@ dprk run ended: {code} @@\n")
        stream.flush()
"""
RUN = re.compile(r"\n@@ dprk run begins @@\n(.*?)\n@@ dprk run ended: (-?\d+) @@\n", re.S)


def on_one_terminal(commands: list[tuple[str, ...]], columns: int, cwd: Path = PROJECT) -> list[tuple[str, int, str]]:
    """on_terminal for each of `commands` in turn, all run by one process on one terminal."""
    text, status, errors = _under_a_terminal([sys.executable, "-c", SEVERAL, json.dumps(commands)], columns, cwd)
    assert status == 0, errors
    outs, errs = RUN.findall(text), RUN.findall(errors)
    assert len(outs) == len(errs) == len(commands), (text, errors)
    return [(out, int(code), err) for (out, code), (err, _) in zip(outs, errs)]


@pytest.mark.parametrize("columns", [80, 120])
def test_tables_fit_the_terminal_with_no_stub_cells(columns):
    ids = {r["id"] for r in json.loads(Runner(PROJECT)("query", "--json").stdout)}
    # the first command run by the installed dprk, the others by one process on one terminal
    runs = [on_terminal(COMMANDS[0], columns), *on_one_terminal(COMMANDS[1:], columns)]
    for args, (text, status, _) in zip(COMMANDS, runs):
        assert status == 0, (args, text)
        lines = text.splitlines()
        assert lines and max(len(line) for line in lines) <= columns, (
            args,
            [line for line in lines if len(line) > columns],
        )
        assert "…" not in text, args  # nothing is cut to a stub: long text wraps or its column is left out
        shown = {word for line in lines for word in line.split()}
        if args[0] in ("query", "reactions") and "--by" not in args:
            assert shown & ids, args
            for word in shown:  # a word that begins like an id is a whole one (the rows' own ids never wrap)
                if word[:4].isdigit() and word.count("-") >= 3 and not word.endswith("-") and args[-1] != "2022":
                    assert word in ids, (args, word)


def test_the_default_columns_are_the_schemas_and_fields_shows_more():
    text, _, _ = on_terminal(("query", "launches", "--since", "2024"), 120)
    header = text.splitlines()[0].split()
    launch = json.loads((PROJECT / "schema" / "launch.schema.json").read_text())
    assert header == [c for c in launch["x-table-columns"] if c in header] and header[:3] == ["date", "id", "category"]
    assert "summary" not in header
    more, _, _ = on_terminal(("query", "launches", "--since", "2024", "--fields", "date,id,summary"), 120)
    assert more.splitlines()[0].split() == ["date", "id", "summary"]
    assert all(len(line) <= 120 for line in more.splitlines())  # the summaries wrap


def test_a_column_that_cannot_fit_is_left_out_and_named(tmp_path):
    repo = make_repo(tmp_path / "fresh", git_init=False)
    long_id = "2023-08-30-a-launch-whose-id-is-longer-than-forty-eight-chars"  # 62: date and id fill 74 columns
    write_record(repo, "launch", sample("launch", id=long_id, name="Hwasong-18 with a long name"))
    text, status, errors = on_terminal(("query", "launches"), 80, cwd=repo)
    assert status == 0 and long_id in text  # the id whole, to paste into show, update or log
    assert all(len(line) <= 80 for line in text.splitlines())
    assert "dprk: left out to fit 80 columns: category, name, count (name the columns with --fields)" in errors


def test_piped_output_is_never_cut_whatever_columns_says(tmp_path):
    repo = make_repo(tmp_path / "fresh", git_init=False)
    summary = "A summary that is far longer than eighty characters, " * 4
    write_record(repo, "launch", sample("launch", summary=summary.strip()))
    for env in ({"COLUMNS": "80"}, {"COLUMNS": "40"}, {}):
        result = Runner(repo)("query", "launches", "--fields", "id,summary", env=env)  # not a terminal
        assert result.exit_code == 0 and summary.strip() in result.stdout, env
        assert "…" not in result.stdout
    dprk = shutil.which("dprk", path=str(Path(sys.executable).parent))
    if dprk is not None:
        env = {k: v for k, v in os.environ.items() if k != "DPRK_REPO"} | {"COLUMNS": "60"}
        piped = subprocess.run(
            [dprk, "query", "launches", "--fields", "id,summary"],
            cwd=repo,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert summary.strip() in piped.stdout


def test_a_default_column_the_kind_has_not_is_a_schema_error(tmp_path):
    repo = make_repo(tmp_path / "fresh", git_init=False)
    write_record(repo, "launch", sample("launch"))
    path = repo / "schema" / "launch.schema.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    schema["x-table-columns"] = ["date", "id", "rocket"]
    path.write_text(json.dumps(schema), encoding="utf-8")
    result = Runner(repo)("query", "launches")
    assert result.exit_code == 1 and "x-table-columns names 'rocket'" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert Runner(repo)("query", "launches", "--csv").exit_code == 0  # only the table reads it
