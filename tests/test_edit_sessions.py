"""`add --edit` and `update --edit`: the work file each editor session opens, and what
happens to the user's text when the session or the save goes wrong.

Every session works on a file of its own, created without following links; the user's
text is never lost (an editor that fails, bytes that are not text, a record renamed,
deleted or taken while the editor was open), and never written anywhere but where it
belongs. Races are run with real processes: an $EDITOR that waits for the test's signal.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import SOURCE, sample, write_record
from dprk_records.records import yamlread

LAUNCH = "2023-08-30-srbm"
OTHER = "2023-08-31-other"
TITLE = "title: Two short-range ballistic missiles"

# An $EDITOR run as `python editor.py NAME FILE`, doing what NAME.json says: it replaces
# bytes in the file (before or after waiting), says where it is (NAME.ready holds the
# file's path), waits for NAME.go if asked, and exits with the status given.
WAITING_EDITOR = r"""
import json, pathlib, sys, time
here = pathlib.Path(__file__).parent
name, target = sys.argv[-2], pathlib.Path(sys.argv[-1])
plan = json.loads((here / f"{name}.json").read_text())


def edit():
    data = target.read_bytes()
    for old, new in plan["replace"]:
        assert old.encode("latin-1") in data, old
        data = data.replace(old.encode("latin-1"), new.encode("latin-1"), 1)
    if plan["replace"]:
        target.write_bytes(data)


if plan["first"] == "edit":
    edit()
(here / f"{name}.ready").write_text(str(target))
deadline = time.monotonic() + 120
while plan["wait"] and not (here / f"{name}.go").exists() and time.monotonic() < deadline:
    time.sleep(0.02)
if plan["first"] == "wait":
    edit()
sys.exit(plan["exit"])
"""


class Editors:
    """Scripted editors, each known by a name, that a test can hold open and release."""

    def __init__(self, folder: Path):
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "editor.py").write_text(WAITING_EDITOR, encoding="utf-8")

    def env(
        self, name: str, *, replace: list[tuple[str, str]] = (), exit: int = 0, wait: bool = False, first: str = "wait"
    ) -> dict[str, str]:
        plan = {"replace": list(replace), "exit": exit, "wait": wait, "first": first}
        (self.folder / f"{name}.json").write_text(json.dumps(plan))
        return {"EDITOR": f'"{sys.executable}" "{self.folder / "editor.py"}" {name}', "VISUAL": ""}

    def opened(self, name: str) -> Path:
        """The work file the editor NAME was opened on, once it has been (waits for it)."""
        ready = self.folder / f"{name}.ready"
        deadline = time.monotonic() + 120
        while not ready.exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        return Path(ready.read_text())

    def release(self, name: str) -> None:
        (self.folder / f"{name}.go").write_text("")


@pytest.fixture
def editors(tmp_path: Path) -> Editors:
    return Editors(tmp_path / "editors")


@pytest.fixture
def launch(repo: Path) -> Path:
    return write_record(repo, "launch", sample("launch"))


def start(repo: Path, env: dict[str, str], *args: str) -> subprocess.Popen:
    full = {k: v for k, v in os.environ.items() if k not in ("DPRK_REPO", "DPRK_DEBUG")}
    return subprocess.Popen(
        [sys.executable, "-m", "dprk_records", *args],
        cwd=repo,
        env={**full, **env},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(proc: subprocess.Popen) -> subprocess.CompletedProcess:
    out, err = proc.communicate(timeout=120)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def work_files(repo: Path) -> list[Path]:
    folder = repo / ".dprk-cache" / "edit"
    return sorted(p for p in folder.rglob("*") if not p.is_dir()) if folder.exists() else []


def one_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in stderr, stderr
    return lines[0]


# --- the work file is the session's own, created without following links -------------------


def test_update_edit_never_writes_through_a_link_at_the_work_file(run, repo, launch, editors, tmp_path):
    other = write_record(repo, "launch", sample("launch", id=OTHER, date="2023-08-31"))
    outside = tmp_path / "outside.txt"
    outside.write_text("a file of the user's\n")
    folder = repo / ".dprk-cache" / "edit" / "launches"
    folder.mkdir(parents=True)
    (folder / f"{LAUNCH}.yaml").symlink_to(
        f"../../../records/launches/{OTHER}.yaml"
    )  # as a pull request could commit it
    (folder / "new-launch.yaml").symlink_to(outside)
    before = other.read_bytes()
    result = run("update", LAUNCH, "--edit", env=editors.env("one", replace=[(TITLE, "title: Edited")]))
    assert result.exit_code == 0, result.output
    assert other.read_bytes() == before  # another record, which the lock does not even cover
    assert yamlread.load_file(launch)["title"] == "Edited"
    opened = editors.opened("one")
    assert (
        opened.parent == folder and not opened.is_symlink() and not opened.exists()
    )  # its own file, gone after success
    result = run(
        "add",
        "launch",
        "--date",
        "2023-09-01",
        "--edit",
        env=editors.env(
            "two",
            replace=[
                ("\ntitle:\n", "\ntitle: Added\n"),
                ("\nsummary:\n", "\nsummary: Added.\n"),
                ("\ncategory:\n", "\ncategory: SRBM\n"),
                ("\nsources:\n", f"\nsources:\n  - {json.dumps(SOURCE)}\n"),
            ],
        ),
    )
    assert result.exit_code == 0, result.output
    assert outside.read_text() == "a file of the user's\n"
    assert (folder / f"{LAUNCH}.yaml").is_symlink() and (folder / "new-launch.yaml").is_symlink()  # left alone
    assert yamlread.load_file(repo / "records/launches/2023-09-01-added.yaml")["title"] == "Added"


@pytest.mark.parametrize("linked", [".dprk-cache", ".dprk-cache/edit", ".dprk-cache/edit/launches"])
def test_a_linked_edit_folder_is_not_used(run, repo, launch, editors, tmp_path, linked):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (repo / linked).parent.mkdir(parents=True, exist_ok=True)
    (repo / linked).symlink_to(elsewhere, target_is_directory=True)
    result = run("update", LAUNCH, "--edit", env=editors.env("one", replace=[(TITLE, "title: Edited")]))
    assert result.exit_code == 0, result.output
    assert yamlread.load_file(launch)["title"] == "Edited"
    opened = editors.opened("one")
    assert (
        elsewhere not in opened.parents and repo not in opened.parents and not opened.parent.exists()
    )  # a folder of its own, gone
    failed = run(
        "update", LAUNCH, "--edit", env=editors.env("two", replace=[("title: Edited", "title: Again")], exit=1)
    )
    assert failed.exit_code == 1
    kept = editors.opened("two")
    assert str(kept) in one_line(failed.stderr) and "title: Again" in kept.read_text()
    assert list(elsewhere.iterdir()) == []
    shutil.rmtree(kept.parent)  # a temporary folder of the session's own


def test_unsaved_text_is_never_written_through_a_link(repo, launch, tmp_path):
    from dprk_records.editing.saving import keep_unsaved
    from dprk_records.records.repository import Repository

    outside = tmp_path / "outside.txt"
    outside.write_text("secret\n")
    repository = Repository(repo)
    folder = repo / ".dprk-cache" / "unsaved"
    folder.mkdir(parents=True)
    now = time.time()
    for second in range(-2, 120):  # every name the next two minutes could give, a link out
        stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime(now + second))
        (folder / f"{LAUNCH}-{stamp}.yaml").symlink_to(outside)
    kept = keep_unsaved(repository, LAUNCH, "title: Mine\n")
    assert outside.read_text() == "secret\n"
    assert not (repo / kept).is_symlink() and (repo / kept).read_text() == "title: Mine\n"


# --- one work file per session -------------------------------------------------------------


def test_two_sessions_on_one_record_each_keep_their_own_text(repo, launch, editors):
    # A opens the record and waits; B opens it too and saves an edit in its editor, still
    # open; A is then closed without saving, and B is closed.
    a = start(repo, editors.env("a", wait=True), "update", LAUNCH, "--edit")
    first = editors.opened("a")
    b = start(
        repo,
        editors.env("b", replace=[(TITLE, "title: B's title")], wait=True, first="edit"),
        "update",
        LAUNCH,
        "--edit",
    )
    second = editors.opened("b")  # B's edit is saved in its work file now
    assert first != second
    editors.release("a")
    gave_up = finish(a)
    assert gave_up.returncode == 1 and "given up" in one_line(gave_up.stderr)
    assert yamlread.load_file(launch)["title"] == "Two short-range ballistic missiles"  # A wrote nothing
    editors.release("b")
    saved = finish(b)
    assert saved.returncode == 0, saved.stderr
    assert yamlread.load_file(launch)["title"] == "B's title"
    assert work_files(repo) == []  # both cleaned up


# --- the editor fails, or leaves bytes that are not text -----------------------------------


def test_an_editor_that_fails_keeps_the_work_file_and_says_where(run, repo, launch, editors):
    before = launch.read_bytes()
    result = run("update", LAUNCH, "--edit", env=editors.env("failing", replace=[(TITLE, "title: Kept")], exit=3))
    assert result.exit_code == 1
    line = one_line(result.stderr)
    assert "status 3" in line and "nothing written" in line
    kept = editors.opened("failing")
    assert kept.exists() and "title: Kept" in kept.read_text()
    assert kept.relative_to(repo).as_posix() in line
    assert launch.read_bytes() == before
    added = run("add", "launch", "--edit", env=editors.env("failing-add", exit=4))
    assert added.exit_code == 1 and "status 4" in one_line(added.stderr)
    assert editors.opened("failing-add").exists()


def test_ctrl_c_while_the_editor_is_open_is_left_to_the_editor(repo, launch, editors):
    """A terminal editor takes Ctrl-C for itself (vim: leave insert mode); dprk waits on."""
    import signal

    editing = start(
        repo, editors.env("held", replace=[(TITLE, "title: After Ctrl-C")], wait=True), "update", LAUNCH, "--edit"
    )
    editors.opened("held")
    editing.send_signal(signal.SIGINT)
    editors.release("held")
    result = finish(editing)
    assert result.returncode == 0, result.stderr
    assert yamlread.load_file(launch)["title"] == "After Ctrl-C"


@pytest.mark.parametrize("bad, what", [("\xff\xfe", "not valid UTF-8"), ("\x00", "NUL")])
def test_bytes_that_are_not_text_stop_with_one_line_and_keep_the_work_file(run, repo, launch, editors, bad, what):
    before = launch.read_bytes()
    result = run("update", LAUNCH, "--edit", env=editors.env("bytes", replace=[(TITLE, "title: A" + bad)]))
    assert result.exit_code == 1
    line = one_line(result.stderr)
    kept = editors.opened("bytes")
    text = launch.read_text(encoding="utf-8")
    number = text.replace("$schema=../../", "$schema=../../../", 1).splitlines().index(TITLE) + 1
    assert f"{kept.relative_to(repo).as_posix()}:{number}:9: " in line and what in line
    assert "unicode string" not in line and "position" not in line
    assert kept.exists() and ("title: A" + bad).encode("latin-1") in kept.read_bytes()
    assert launch.read_bytes() == before


def test_a_control_character_is_shown_on_one_comment_line_with_its_place(run, repo, launch, editor):
    text = launch.read_text(encoding="utf-8")
    broken = text.replace(TITLE, TITLE + "\x01")
    result = run("update", LAUNCH, "--edit", env=editor.env(broken, text.replace(TITLE, "title: Fixed")))
    assert result.exit_code == 0, result.output
    second = editor.shown[1]
    messages = [line for line in second.splitlines() if line.startswith("# ! ")]
    assert len(messages) == 2, second  # the heading and one line for the character: nothing stray
    assert "unicode string" not in second
    place = int(messages[1].split("line ", 1)[1].split(",", 1)[0])
    assert second.splitlines()[place - 1] == TITLE + "\x01"
    assert yamlread.load_file(launch)["title"] == "Fixed"


def test_a_record_file_with_a_control_character_is_named_with_its_line_and_column(run, repo, launch):
    launch.write_bytes(launch.read_bytes().replace(b"title: Two", b"title: T\x01wo"))
    result = run("validate", "--no-cache")
    assert result.exit_code == 1
    line = result.stdout.splitlines()[0]
    number = launch.read_bytes().split(b"\n").index(b"title: T\x01wo short-range ballistic missiles") + 1
    assert line.startswith(f"records/launches/{LAUNCH}.yaml:{number}:9: ") and "unicode string" not in line


# --- the record is renamed, deleted or taken while the editor is open --------------------------


def test_update_edit_racing_rename_keeps_the_edited_text(run, repo, launch, editors):
    editing = start(
        repo,
        editors.env("slow", replace=[(TITLE, "title: Edited while renamed")], wait=True),
        "update",
        LAUNCH,
        "--edit",
    )
    editors.opened("slow")
    renamed = run("rename", LAUNCH, "2023-08-30-renamed")  # here, while the other process waits for its editor
    assert renamed.exit_code == 0, renamed.stderr
    editors.release("slow")
    result = finish(editing)
    assert result.returncode == 1
    line = one_line(result.stderr)
    assert "renamed or deleted" in line and "nothing written" in line
    kept = line.split("kept in ", 1)[1].split(" ", 1)[0]
    assert kept.startswith(f".dprk-cache/unsaved/{LAUNCH}-")
    assert yamlread.load_file(repo / kept)["title"] == "Edited while renamed"
    assert not launch.exists()
    assert (
        yamlread.load_file(repo / "records/launches/2023-08-30-renamed.yaml")["title"]
        == "Two short-range ballistic missiles"
    )
    assert work_files(repo) == []


def test_update_edit_of_a_record_deleted_meanwhile_keeps_the_edited_text(run, repo, launch, editors):
    editing = start(
        repo,
        editors.env("slow", replace=[(TITLE, "title: Edited while deleted")], wait=True),
        "update",
        LAUNCH,
        "--edit",
    )
    editors.opened("slow")
    launch.unlink()
    editors.release("slow")
    result = finish(editing)
    assert result.returncode == 1
    kept = one_line(result.stderr).split("kept in ", 1)[1].split(" ", 1)[0]
    assert yamlread.load_file(repo / kept)["title"] == "Edited while deleted"
    assert not launch.exists()


@pytest.mark.parametrize("command", ["add", "update"])
def test_a_save_refused_after_the_editor_closed_keeps_the_edited_text(repo, launch, editors, command):
    """A merge started in another terminal while the editor was open: --commit refuses, the text stays."""
    from conftest import commit_all

    commit_all(repo, "start")
    if command == "add":
        filled = [
            ("\ntitle:\n", "\ntitle: Mine\n"),
            ("\nsummary:\n", "\nsummary: Mine.\n"),
            ("\ncategory:\n", "\ncategory: SRBM\n"),
            ("\nsources:\n", f"\nsources:\n  - {json.dumps(SOURCE)}\n"),
        ]
        args = ["add", "launch", "--date", "2023-09-01", "--edit", "--commit"]
    else:
        filled = [(TITLE, "title: Mine")]
        args = ["update", LAUNCH, "--edit", "--commit"]
    editing = start(repo, editors.env("slow", replace=filled, wait=True), *args)
    editors.opened("slow")
    (repo / ".git" / "MERGE_HEAD").write_text(
        subprocess.run(["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True, check=True).stdout
    )
    editors.release("slow")
    result = finish(editing)
    assert result.returncode == 2
    line = one_line(result.stderr)
    assert "merge" in line and "nothing written" in line
    kept = line.split("kept in ", 1)[1].split(" ", 1)[0]
    assert kept.startswith(".dprk-cache/unsaved/")
    assert yamlread.load_file(repo / kept)["title"] == "Mine"
    assert yamlread.load_file(launch)["title"] == "Two short-range ballistic missiles"
    assert sorted(p.name for p in (repo / "records/launches").iterdir()) == [f"{LAUNCH}.yaml"]


def test_the_kept_text_reads_back_as_the_edited_record(run, repo, launch, editors):
    """What is kept in .dprk-cache/unsaved/ can be given back with --from-file as it is."""
    editing = start(repo, editors.env("slow", replace=[(TITLE, "title: Again")], wait=True), "update", LAUNCH, "--edit")
    editors.opened("slow")
    launch.write_text(launch.read_text().replace("count: 2", "count: 3"))
    editors.release("slow")
    kept = one_line(finish(editing).stderr).split("kept in ", 1)[1].split(" ", 1)[0]
    again = run("update", LAUNCH, "--from-file", kept)
    assert again.exit_code == 0, again.stderr
    data = yamlread.load_file(launch)
    assert data["title"] == "Again" and data["count"] == 2  # the kept text is the whole record as edited
