"""`dprk serve` on a hostile checkout: nothing from the repository is imported, nothing is
written through a link, and a busy port or a linked database is one line and exit 1."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import sample, write_record

pytest.importorskip("datasette")

# Modules a pull request could add beside the records, hoping that the datasette started by
# `dprk serve` imports them: datasette itself, what it imports, and what Python's start-up
# imports from its path (sitecustomize, usercustomize; a .pth file in a folder on the path).
HOSTILE_MODULES = (
    "datasette.py",
    "sitecustomize.py",
    "usercustomize.py",
    "uvicorn.py",
    "click.py",
    "runpy.py",
    "json.py",
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def dprk_program() -> str:
    found = shutil.which("dprk", path=str(Path(sys.executable).parent))
    if found is None:
        pytest.skip("the dprk program is not installed beside this Python")
    return found


def plant(folder: Path, markers: Path) -> None:
    """Files that, if Python ever ran them, would leave a file in `markers` saying so."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in HOSTILE_MODULES:
        marker = markers / f"{folder.name}-{name}"
        (folder / name).write_text(
            f"import pathlib\npathlib.Path({str(marker)!r}).write_text('ran')\n", encoding="utf-8"
        )
    package = folder / "datasette"  # a package of the same name, as well as the module
    package.mkdir(exist_ok=True)
    (package / "__init__.py").write_text(
        f"open({str(markers / (folder.name + '-datasette-package'))!r}, 'w').write('ran')\n"
    )
    (package / "__main__.py").write_text(
        f"open({str(markers / (folder.name + '-datasette-main'))!r}, 'w').write('ran')\n"
    )
    (folder / "hostile.pth").write_text(
        f"import os; open({str(markers / (folder.name + '-pth'))!r}, 'w').write('ran')\n"
    )


def serve(args: list[str], cwd: Path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k not in ("DPRK_REPO", "PYTHONPATH", "PYTHONSTARTUP")}
    return subprocess.Popen(
        args,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def answered(process: subprocess.Popen, port: int) -> bool:
    """Whether datasette answered on `port` before the process stopped (it is stopped either way)."""
    try:
        deadline = time.monotonic() + 90
        while process.poll() is None and time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/dprk.json", timeout=10) as response:
                    if response.status == 200:
                        return True
            except OSError:
                time.sleep(0.3)
        return False
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


@pytest.mark.parametrize("where", ["root", "subfolder"])
def test_nothing_in_the_repository_or_the_current_folder_is_imported(repo, tmp_path, where):
    write_record(repo, "launch", sample("launch"))
    markers = tmp_path / "markers"
    markers.mkdir()
    plant(repo, markers)
    cwd = repo if where == "root" else repo / "docs"
    if where == "subfolder":
        plant(cwd, markers)
    port = free_port()
    process = serve([dprk_program(), "serve", "--port", str(port)], cwd)
    ok = answered(process, port)
    assert sorted(p.name for p in markers.iterdir()) == []
    assert ok, process.stderr.read()


def test_a_python_module_run_from_the_repository_does_not_reach_datasette(repo, tmp_path):
    """`python -m dprk_records serve` puts the current folder first on its own path; the datasette it
    starts still never sees that folder."""
    write_record(repo, "launch", sample("launch"))
    markers = tmp_path / "markers"
    markers.mkdir()
    for name in ("datasette.py", "uvicorn.py"):
        (repo / name).write_text(f"open({str(markers / name)!r}, 'w').write('ran')\n")
    port = free_port()
    ok = answered(serve([sys.executable, "-m", "dprk_records", "serve", "--port", str(port)], repo), port)
    assert sorted(p.name for p in markers.iterdir()) == []
    assert ok


def run_serve(repo: Path, *args: str) -> subprocess.CompletedProcess:
    """`dprk serve` that must stop by itself (a refusal); one that starts serving is stopped and fails."""
    process = serve([sys.executable, "-m", "dprk_records", "serve", *args], repo)
    try:
        out, err = process.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGTERM)
        out, err = process.communicate(timeout=30)
        pytest.fail(f"dprk serve started serving instead of refusing: {err}")
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


@pytest.mark.parametrize("name", ["metadata.json", "dprk.sqlite", "dprk.sqlite-journal"])
def test_a_committed_link_in_the_serve_folder_is_refused(repo, tmp_path, name):
    write_record(repo, "launch", sample("launch"))
    precious = tmp_path / "precious.txt"
    precious.write_text("keep me")
    (repo / ".dprk-cache" / "serve").mkdir(parents=True)
    (repo / ".dprk-cache" / "serve" / name).symlink_to(precious)
    done = run_serve(repo, "--port", str(free_port()))
    assert precious.read_text() == "keep me"
    assert done.returncode == 1, done.stderr
    [line] = done.stderr.strip().splitlines()
    assert line.startswith("dprk: error: ") and f".dprk-cache/serve/{name}" in line and "link" in line
    assert "-o" not in line.split()  # serve has no -o; the message says what to do instead
    assert done.stdout == ""


@pytest.mark.parametrize("what", [".dprk-cache", ".dprk-cache/serve"])
def test_a_linked_serve_folder_is_refused(repo, tmp_path, what):
    write_record(repo, "launch", sample("launch"))
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "serve").mkdir(parents=True)
    if what == ".dprk-cache/serve":
        (repo / ".dprk-cache").mkdir()
        (repo / what).symlink_to(elsewhere / "serve", target_is_directory=True)
    else:
        (repo / what).symlink_to(elsewhere, target_is_directory=True)
    done = run_serve(repo, "--port", str(free_port()))
    assert done.returncode == 1 and len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert list((elsewhere / "serve").iterdir()) == []


def test_a_busy_port_is_one_line_and_exit_1(repo):
    write_record(repo, "launch", sample("launch"))
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = run_serve(repo, "--port", str(port))
    assert done.returncode == 1, done.stderr
    [line] = done.stderr.strip().splitlines()
    assert line.startswith("dprk: error: ") and str(port) in line
    assert done.stdout == ""
    assert not (repo / ".dprk-cache" / "serve" / "dprk.sqlite").exists()  # stopped before any work
