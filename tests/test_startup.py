"""What `dprk --help` loads: click and the group, none of the shared options of the commands,
shell completion or the modules click's own way of finding the terminal's width imports."""

from __future__ import annotations

import os
import subprocess
import sys

HELP = (
    "import sys\nfrom dprk_records.main import cli\n"
    "try:\n    cli(['--help'], prog_name='dprk')\nexcept SystemExit:\n    pass\n"
    "print(sorted(m for m in ('shutil', 'dprk_records.commands._options', 'dprk_records.commands._complete')"
    " if m in sys.modules))"
)


def run_help(columns: str | None) -> str:
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    if columns is not None:
        env["COLUMNS"] = columns
    return subprocess.run([sys.executable, "-c", HELP], capture_output=True, text=True, check=True, env=env).stdout


def click_formatter_loads_shutil() -> bool:
    """Whether click's own help formatter imports shutil (click 8.2 does, whatever width it is given)."""
    script = "import sys, click\nclick.HelpFormatter(width=78)\nprint('shutil' in sys.modules)"
    return (
        subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout.strip()
        == "True"
    )


def test_help_loads_nothing_it_does_not_show():
    # what click's own formatter imports is not ours to avoid
    expected = "['shutil']" if click_formatter_loads_shutil() else "[]"
    assert run_help(None).strip().endswith(expected)


def test_help_is_as_wide_as_the_terminal_says_within_click_bounds():
    for columns, widest in (("60", 58), ("200", 98), ("20", 50), ("nonsense", 78)):
        lines = run_help(columns).splitlines()[:-1]
        assert max(len(line) for line in lines) <= widest, columns
        assert any(len(line) > widest - 12 for line in lines), columns
