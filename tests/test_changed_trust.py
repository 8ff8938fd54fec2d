"""`validate --changed-since HEAD` trusts the facts of the last `validate` of every record from
git's walk of the work tree: the first run after a validate tells by a stat of every file and
keeps what git vouched for; the runs after it need no stat. Each case names the problem that
a stale fact would hide or invent, and checks the answer against a run without the cache."""

from __future__ import annotations

import json
import os
import sqlite3

import pytest

from conftest import commit_all, git, sample, write_record
from dprk_records.checks import trust
from dprk_records.checks.incremental import LINK
from dprk_records.history.revisions import changed_since
from dprk_records.records.cache import CACHE_DIR, CACHE_FILE, open_cache
from dprk_records.records.repository import Repository

A = "records/meetings/2023-08-10-a.yaml"
B = "records/meetings/2023-08-11-b.yaml"
L1 = "records/launches/2023-08-01-srbm.yaml"


@pytest.fixture(autouse=True)
def settled(monkeypatch):
    """Files count as settled (not racy) at once, so that a test need not wait two seconds."""
    import dprk_records.records.cachekey as cachekey

    monkeypatch.setattr(cachekey, "RACY_NS", 0)


def seed(repo):
    for i in (1, 2):
        write_record(repo, "launch", sample("launch", id=f"2023-08-0{i}-srbm", date=f"2023-08-0{i}", title=f"L{i}"))
    for name, symbol, launch in (("2023-08-10-a", "S/PV.9001", "01"), ("2023-08-11-b", "S/PV.9002", "02")):
        write_record(
            repo,
            "meeting",
            sample("meeting", id=name, date=name[:10], launches=[f"2023-08-{launch}-srbm"], record_symbol=symbol),
        )
    commit_all(repo, "seed")


def edit(repo, rel, old, new):
    path = repo / rel
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def checked(run):
    """The problems of --changed-since HEAD, the same without the cache (git grep tells there)."""
    cached = run("validate", "--changed-since", "HEAD", "--format", "json")
    assert cached.output == run("validate", "--changed-since", "HEAD", "--no-cache", "--format", "json").output
    return {(p["path"], p["check"]) for p in json.loads(cached.output)}


def how(repo):
    """Which way the facts are trusted now: 'git' (no stat), 'stat', or None (none kept)."""
    root = Repository(repo)
    cache = open_cache(root.root, root.schema_dir)
    try:
        found = trust.known(root, cache, changed_since(root, "HEAD"))
    finally:
        cache.close()
    return None if found is None else ("git" if found.trusted is None else "stat")


def link(repo):
    db = sqlite3.connect(repo / CACHE_DIR / CACHE_FILE)
    try:
        row = db.execute("SELECT value FROM meta WHERE key = ?", (LINK,)).fetchone()
    finally:
        db.close()
    return json.loads(row[0]) if row else None


def test_the_runs_after_the_first_need_no_stat(repo, run):
    seed(repo)
    assert run("validate").exit_code == 0
    assert link(repo) is None
    edit(repo, B, "S/PV.9002", "S/PV.9001")
    assert checked(run) == {(B, "unique-symbol")}
    assert link(repo) == {
        "generation": link(repo)["generation"],
        "head": git(repo, "rev-parse", "HEAD").strip(),
        "untrusted": [B],  # changed: git did not vouch for it
    }
    assert how(repo) == "git"
    assert checked(run) == {(B, "unique-symbol")}


@pytest.mark.parametrize("linked_before", [False, True])
def test_a_file_back_at_head_after_the_validate_is_read_not_trusted(repo, run, linked_before):
    """A's facts were made while A differed from HEAD; A is back at HEAD's version, so git
    does not name it. Its old facts (symbol S/PV.7777) would hide the symbol B now shares."""
    seed(repo)
    assert run("validate").exit_code == 0
    if linked_before:
        checked(run)  # git's word kept before A changed; the validate below makes A's facts anew
    edit(repo, A, "S/PV.9001", "S/PV.7777")
    assert run("validate").exit_code == 0
    if not linked_before:
        checked(run)  # the stat tells, and git's word is kept with A among the files it did not vouch for
    git(repo, "checkout", "--", A)  # A is HEAD's version again: S/PV.9001
    assert how(repo) == "git"
    edit(repo, B, "S/PV.9002", "S/PV.9001")
    assert checked(run) == {(B, "unique-symbol")}


def test_a_file_changed_after_the_validate_and_before_the_command(repo, run):
    seed(repo)
    assert run("validate").exit_code == 0
    checked(run)
    edit(repo, A, "S/PV.9001", "S/PV.7777")  # named by git: read, not trusted
    edit(repo, B, "S/PV.9002", "S/PV.7777")
    assert how(repo) == "git"
    assert checked(run) == {(A, "unique-symbol"), (B, "unique-symbol")}


def test_untracked_files_then_removed(repo, run):
    seed(repo)
    copy = repo / "records/meetings/2023-08-12-c.yaml"
    copy.write_text((repo / A).read_text().replace("2023-08-10-a", "2023-08-12-c"))  # untracked, same symbol as A
    assert run("validate").exit_code == 1
    assert checked(run) == {
        ("records/meetings/2023-08-12-c.yaml", "unique-symbol"),
        (copy.relative_to(repo).as_posix(), "duplicate"),
    }
    copy.unlink()  # its facts must not make a holder of a file that is gone
    edit(repo, B, "S/PV.9002", "S/PV.9001")
    assert how(repo) == "git"
    assert checked(run) == {(B, "unique-symbol")}


def test_deleted_and_renamed_records_still_referred_to(repo, run):
    seed(repo)
    assert run("validate").exit_code == 0
    checked(run)
    git(repo, "rm", "-q", L1)
    assert how(repo) == "git"
    assert checked(run) == {(A, "reference")}
    git(repo, "reset", "-q", "--hard")
    git(repo, "mv", L1, "records/launches/2023-08-01-other.yaml")  # a rename: git diff pairs it, the stat tells
    assert how(repo) == "stat"
    assert (A, "reference") in checked(run)


def test_a_commit_since_git_s_word_was_kept(repo, run):
    seed(repo)
    assert run("validate").exit_code == 0
    checked(run)
    edit(repo, A, "S/PV.9001", "S/PV.7777")
    commit_all(repo, "A's symbol changed")  # HEAD moved: A's facts are for the commit kept
    edit(repo, B, "S/PV.9002", "S/PV.7777")
    assert how(repo) == "git"
    assert checked(run) == {(B, "unique-symbol")}  # A's facts (S/PV.9001) are not HEAD's A


def test_a_dirty_index(repo, run):
    seed(repo)
    assert run("validate").exit_code == 0
    checked(run)
    edit(repo, A, "S/PV.9001", "S/PV.7777")
    git(repo, "add", A)  # staged only: git names it
    edit(repo, B, "S/PV.9002", "S/PV.7777")
    assert how(repo) == "git"
    assert checked(run) == {(A, "unique-symbol"), (B, "unique-symbol")}
    edit(repo, A, "S/PV.7777", "S/PV.9001")  # staged, then back at HEAD's version in the work tree
    assert how(repo) == "stat"
    assert checked(run) == set()


def test_files_outside_records_change_nothing(repo, run):
    seed(repo)
    assert run("validate").exit_code == 0
    checked(run)
    (repo / "notes.txt").write_text("untracked\n")
    (repo / "other").mkdir()
    (repo / "other" / "2023-08-10-a.yaml").write_text((repo / A).read_text())
    edit(repo, B, "S/PV.9002", "S/PV.9001")
    assert how(repo) == "git"
    assert checked(run) == {(B, "unique-symbol")}


def test_ignored_record_files_are_read(repo, run):
    """git grep (without the cache) does not read ignored files; the facts and the stat do, as
    validate does: the two ways of the cache agree."""
    seed(repo)
    (repo / ".gitignore").write_text("records/meetings/*-ignored.yaml\n")
    commit_all(repo, "ignore")
    ignored = repo / "records/meetings/2023-08-12-ignored.yaml"
    ignored.write_text((repo / B).read_text().replace("2023-08-11-b", "2023-08-12-ignored").replace("9002", "9003"))
    assert run("validate").exit_code == 0
    command = ("validate", "--changed-since", "HEAD", "--format", "json")
    assert run(*command).output == "[]\n"
    edit(repo, A, "S/PV.9001", "S/PV.9004")
    ignored.write_text(ignored.read_text().replace("9003", "9004"))  # changed after the validate, ignored by git
    assert how(repo) == "git"
    found = {(p["path"], p["check"]) for p in json.loads(run(*command).output)}
    assert (A, "unique-symbol") in found
    edit(repo, A, "S/PV.9004", "S/PV.9005")
    new = repo / "records/meetings/2023-08-13-ignored.yaml"  # made after git's word was kept: no facts
    new.write_text(ignored.read_text().replace("2023-08-12-ignored", "2023-08-13-ignored").replace("9004", "9005"))
    assert how(repo) == "git"
    found = {(p["path"], p["check"]) for p in json.loads(run(*command).output)}
    assert (A, "unique-symbol") in found


def test_files_git_is_told_not_to_look_at(repo, run):
    seed(repo)
    assert run("validate").exit_code == 0
    checked(run)
    git(repo, "update-index", "--assume-unchanged", A)
    edit(repo, A, "S/PV.9001", "S/PV.7777")  # git does not see this
    edit(repo, B, "S/PV.9002", "S/PV.7777")
    assert how(repo) == "stat"
    found = {
        (p["path"], p["check"])
        for p in json.loads(run("validate", "--changed-since", "HEAD", "--format", "json").output)
    }
    assert (B, "unique-symbol") in found


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="symbolic links")
def test_a_kind_folder_git_does_not_walk(repo, run, tmp_path):
    seed(repo)
    (repo / "records/meetings/.git").mkdir()  # a repository of its own: git's walk does not enter it
    assert run("validate").exit_code == 0
    checked(run)
    assert how(repo) == "stat"


def test_a_file_changed_while_git_walks_is_not_vouched_for(repo, run):
    """git's walk began before A changed and a validate kept A's new facts: the stat then
    matches, but git never saw that version; A must not be taken as HEAD's version later."""
    seed(repo)
    assert run("validate").exit_code == 0
    root = Repository(repo)
    changed = changed_since(root, "HEAD")  # git's walk: A is HEAD's version
    edit(repo, A, "S/PV.9001", "S/PV.7777")
    assert run("validate").exit_code == 0  # A's facts now say S/PV.7777
    cache = open_cache(root.root, root.schema_dir)
    try:
        assert trust.known(root, cache, changed).trusted is not None  # the stat told, and git's word was kept
    finally:
        cache.close()
    git(repo, "checkout", "--", A)  # back at HEAD's version, S/PV.9001
    edit(repo, B, "S/PV.9002", "S/PV.9001")
    assert how(repo) == "git"
    assert checked(run) == {(B, "unique-symbol")}
