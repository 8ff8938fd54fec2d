"""The work tree against HEAD from one `git status` agrees with `git diff --raw`, path for path,
in every state a work tree can be in; where it could not, git diff is asked."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import Runner, commit_all, git, git_work_tree, make_repo, sample, write_record
from dprk_records.history import status
from dprk_records.history.git import WORKTREE, Side, open_git
from dprk_records.records.repository import Repository

LAUNCH = "2023-08-30-srbm"
MEETING = "2023-08-25-open-briefing"
STATEMENT = "2023-08-24-sg-statement"


def seed(repo: Path) -> None:
    write_record(repo, "launch", sample("launch"))
    write_record(repo, "meeting", sample("meeting", launches=[LAUNCH]))
    write_record(repo, "statement", sample("statement"))
    (repo / "README.md").write_text("about\n")
    commit_all(repo, "seed")


def record(repo: Path, folder: str, name: str) -> Path:
    return repo / "records" / folder / f"{name}.yaml"


def modified(repo):
    write_record(repo, "launch", sample("launch", count=4))


def staged(repo):
    write_record(repo, "launch", sample("launch", count=4))
    git(repo, "add", "records")


def staged_then_changed_again(repo):  # a dirty index: the index and the work tree differ from HEAD and each other
    write_record(repo, "launch", sample("launch", count=4))
    git(repo, "add", "records")
    write_record(repo, "launch", sample("launch", count=5))


def staged_then_changed_back(repo):  # the index differs from HEAD, the work tree is HEAD's again
    path = record(repo, "launches", LAUNCH)
    text = path.read_bytes()
    write_record(repo, "launch", sample("launch", count=4))
    git(repo, "add", "records")
    path.write_bytes(text)


def untracked(repo):
    write_record(repo, "statement", sample("statement", id="2023-10-01-new"))
    write_record(repo, "launch", sample("launch", count=3))


def untracked_kind_folder(repo):  # a folder git does not track at all
    git(repo, "rm", "-q", "-r", "--cached", "records/statements")
    write_record(repo, "statement", sample("statement", id="2023-10-01-new"))


def added_to_the_index(repo):
    write_record(repo, "statement", sample("statement", id="2023-10-01-new"))
    git(repo, "add", "records")


def deleted(repo):
    record(repo, "statements", STATEMENT).unlink()


def removed_with_git_rm(repo):
    git(repo, "rm", "-q", f"records/statements/{STATEMENT}.yaml")


def removed_from_the_index_only(repo):
    git(repo, "rm", "-q", "--cached", f"records/statements/{STATEMENT}.yaml")


def renamed_in_the_work_tree(repo):
    path = record(repo, "launches", LAUNCH)
    path.rename(path.with_name("2023-08-30-two-srbms.yaml"))


def renamed_and_staged(repo):
    git(repo, "mv", f"records/launches/{LAUNCH}.yaml", "records/launches/2023-08-30-two-srbms.yaml")


def outside_records(repo):
    (repo / "README.md").write_text("changed\n")
    (repo / "notes.txt").write_text("untracked, outside records\n")
    (repo / "site").mkdir()
    (repo / "site" / "index.html").write_text("<p>an untracked folder outside records</p>\n")


def ignored(repo):
    (repo / ".gitignore").write_text("*.tmp\nrecords/launches/ignored-*\n")
    (repo / "records/launches/draft.tmp").write_text("x\n")
    write_record(repo, "launch", sample("launch", id="ignored-launch"), name="ignored-launch")


def executable_and_link(repo):
    path = record(repo, "launches", LAUNCH)
    path.chmod(0o755)
    os.symlink(f"../launches/{LAUNCH}.yaml", record(repo, "statements", "2023-10-02-link"))


def type_changed(repo):
    path = record(repo, "statements", STATEMENT)
    path.unlink()
    os.symlink(f"../launches/{LAUNCH}.yaml", path)


def staged_and_untracked_apart(repo):
    write_record(repo, "meeting", sample("meeting", launches=[]))
    git(repo, "add", "records")
    write_record(repo, "statement", sample("statement", id="2023-10-01-new"))
    write_record(repo, "launch", sample("launch", count=7))


STATES = {
    # state: whether one git status can tell it (False: git diff must, to pair renames or compare content)
    modified: True,
    staged: True,
    staged_then_changed_again: False,
    staged_then_changed_back: False,
    untracked: True,
    untracked_kind_folder: False,  # gone from the index and back untracked: git diff pairs them
    added_to_the_index: True,
    deleted: True,
    removed_with_git_rm: True,
    removed_from_the_index_only: False,
    renamed_in_the_work_tree: False,
    renamed_and_staged: False,
    outside_records: True,
    ignored: True,
    executable_and_link: True,
    type_changed: True,
    staged_and_untracked_apart: True,
}


@pytest.mark.parametrize("make", list(STATES), ids=[make.__name__ for make in STATES])
@pytest.mark.parametrize("pathspec", [(), ("records", "schema")], ids=["whole", "records"])
def test_status_tells_what_git_diff_tells(repo: Path, make, pathspec) -> None:
    seed(repo)
    make(repo)
    with open_git(Repository(repo)) as handle:
        head = Side(handle.head(), "HEAD")
        work = Side(WORKTREE, "working tree")
        expected = handle.diff_changes(head, work, pathspec)
        found = status.worktree(handle, pathspec, pathspec or ("records",))
        assert handle.changes(head, work, pathspec) == expected
    assert (found is not None) == STATES[make]
    if found is not None:
        assert found.changes == expected
        for change in expected:
            assert {change.old_path, change.new_path} - {None} <= found.moved


def test_ignored_files_are_named_when_asked(repo: Path) -> None:
    seed(repo)
    ignored(repo)
    with open_git(Repository(repo)) as handle:
        found = status.worktree(handle, ("records",), ("records",), ignored=True)
    assert found is not None and found.changes == []
    assert found.moved == {"records/launches/draft.tmp", "records/launches/ignored-launch.yaml"}


def test_the_index_is_not_written(repo: Path) -> None:
    """git status refreshes the index it keeps when it may; dprk diff runs it without that lock."""
    seed(repo)
    index = repo / ".git" / "index"
    path = record(repo, "launches", LAUNCH)
    os.utime(path, ns=(1_577_836_800_000_000_000,) * 2)  # stat changed, content not: git would refresh its entry
    before = index.stat().st_mtime_ns, index.read_bytes()
    assert Runner(repo)("diff", "--exit-code").exit_code == 0
    assert (index.stat().st_mtime_ns, index.read_bytes()) == before


def test_in_a_subfolder_of_the_git_work_tree(tmp_path: Path) -> None:
    outer = git_work_tree(tmp_path / "outer")
    inner = make_repo(outer / "data", git_init=False)
    seed(inner)
    (outer / "elsewhere.txt").write_text("outside the dprk repository\n")
    (outer / "records").mkdir()
    (outer / "records" / "x.yaml").write_text("a records folder outside the dprk repository\n")
    modified(inner)
    untracked(inner)
    with open_git(Repository(inner)) as handle:
        head = Side(handle.head(), "HEAD")
        for pathspec in ((), ("records", "schema")):
            found = status.worktree(handle, pathspec, pathspec or ("records",))
            assert found is not None
            assert found.changes == handle.diff_changes(head, Side(WORKTREE, "working tree"), pathspec)
            assert {c.new_path for c in found.changes} == {
                f"records/launches/{LAUNCH}.yaml",
                "records/statements/2023-10-01-new.yaml",
            }


def test_a_status_started_early_gives_what_one_run_then_gives(repo: Path) -> None:
    seed(repo)
    untracked(repo)
    pathspec = ("records", "schema")
    early = status.Early(repo, *status.status_args(pathspec, True))
    other = status.Early(repo, *status.status_args((), False))
    try:
        with open_git(Repository(repo)) as handle:
            assert other.output(*status.status_args(pathspec, True)) is None  # another command's output is not used
            later = status.worktree(handle, pathspec, pathspec, True)
            found = status.worktree(handle, pathspec, pathspec, True, early)
            assert early.process is None  # it was read
    finally:
        early.close()
        other.close()
    assert found is not None and later is not None
    assert (found.changes, found.moved) == (later.changes, later.moved)


def test_a_status_that_could_not_run_early_is_run_again(tmp_path: Path) -> None:
    plain = make_repo(tmp_path / "plain", git_init=False)  # no git repository: git status fails
    early = status.Early(plain, *status.status_args((), False))
    assert early.output(*status.status_args((), False)) is None
    result = Runner(plain)("diff")
    assert result.exit_code == 2 and "not in a git repository" in result.output
