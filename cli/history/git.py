"""The git work tree holding a dprk repository, as `dprk diff`, `log` and `validate
--changed-since` need it: revisions and the two sides of a comparison, the paths git
says changed (`git diff --raw`, untracked records included), the bytes of a path on
either side (never through a link), each revision's own schema files, the history of
one path, and `git grep`. Git itself finds what changed; only changed blobs are read,
through GitPython's object database. `dprk --help` and a plain `dprk validate` never
load GitPython.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from dprk_records.errors import DataError, DprkError, UsageError, YamlError
from dprk_records.history import status
from dprk_records.history.commit import import_git, open_git_repo
from dprk_records.history.rawdiff import PathChange, parse_raw
from dprk_records.records import yamlread
from dprk_records.records.repository import RECORD_SUFFIX, RECORDS, SCHEMA, Repository
from dprk_records.records.schemas import Schemas

WORKTREE = None  # a revision of None means the working tree
EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
_NULL_SHA = "0" * 40
# How alike a removed and an added file must be for git to call it a rename. Records of
# one kind share much boilerplate (sources, publishers), so git's default of 50% would
# pair unrelated records; a renamed record usually differs in its id line alone.
RENAME = "-M80%"


@dataclass(frozen=True)
class Side:
    """One side of a comparison: a commit (or tree) id, or the working tree (rev None)."""

    rev: str | None
    label: str


@dataclass
class Snapshot:
    """A record's text on one side, or why it could not be read."""

    path: str
    side: Side
    data: dict[str, Any] | None = None
    error: str | None = None


@dataclass
class Commit:
    hash: str
    short: str
    date: str
    author: str
    subject: str
    changes: list[PathChange] = field(default_factory=list)


class Git:
    """A git work tree holding a dprk repository (which may be a subfolder of it)."""

    def __init__(self, repo: Repository):
        self._git = import_git("reading git history")
        self.repo = repo
        self.gitrepo = open_git_repo(
            repo.root, "reading git history", "this command compares git revisions; run 'git init' or work in a clone"
        )
        if self.gitrepo.bare or self.gitrepo.working_tree_dir is None:
            raise UsageError(f"{repo.root} is in a bare git repository", hint="run it in a work tree")
        # Commands run from the dprk repository's root with --relative paths.
        self.cmd = self._git.Git(str(repo.root))
        self._schemas: dict[str, Any] = {}
        self._head: str | None = ""  # not asked yet
        self._prefix: str | None = None

    def close(self) -> None:
        self.gitrepo.close()

    def run(self, *args: str, env: dict[str, str] | None = None, ok_codes: tuple[int, ...] = (0,)) -> str:
        """Run a git command from the repository root; stdout as text (surrogate-escaped)."""
        try:
            status, out, err = self.cmd.execute(
                ["git", *args],
                with_extended_output=True,
                with_exceptions=False,
                strip_newline_in_stdout=False,
                env=env,
                stdout_as_string=False,
            )
        except self._git.GitCommandNotFound:
            raise UsageError("git is not installed", hint="install git") from None
        if status not in ok_codes:
            raise DataError(f"git {args[0]} failed: {_last_line(err) or 'exit status ' + str(status)}")
        return out.decode("utf-8", "surrogateescape") if isinstance(out, bytes) else out

    # --- revisions ---------------------------------------------------------------------

    def commit(self, rev: str) -> str:
        """The full commit id of a revision, or a UsageError naming it."""
        if not rev or rev.startswith("-"):
            raise UsageError(f"{rev!r} is not a revision", hint="give a branch, tag or commit such as main or HEAD~1")
        out = self.run("rev-parse", "--verify", "--quiet", "--end-of-options", rev + "^{commit}", ok_codes=(0, 1, 128))
        sha = out.strip()
        if len(sha) not in (40, 64):  # SHA-1 or SHA-256 object names
            raise UsageError(
                f"unknown revision {rev!r}", hint="check the name with 'git log --oneline' or 'git branch -a'"
            )
        return sha

    def head(self) -> str | None:
        """HEAD's commit id (None in a repository without a commit), asked of git once."""
        if self._head == "":
            out = self.run("rev-parse", "--verify", "--quiet", "HEAD^{commit}", ok_codes=(0, 1, 128)).strip()
            self._head = out if len(out) in (40, 64) else None
        return self._head

    def prefix(self) -> str:
        """Where the dprk repository is in git's work tree ("" at its top, else "data/"), as
        git's paths that are not --relative begin."""
        if self._prefix is None:
            top = os.path.realpath(str(self.gitrepo.working_tree_dir))
            inner = os.path.relpath(os.path.realpath(str(self.repo.root)), top)
            if inner == ".":
                self._prefix = ""
            elif inner.startswith(".."):  # not under it as the file system sees it: git knows
                self._prefix = self.run("rev-parse", "--show-prefix").strip("\n")
            else:
                self._prefix = inner.replace(os.sep, "/") + "/"
        return self._prefix

    def has_head(self) -> bool:
        return self.head() is not None

    def sides(self, spec: str | None) -> tuple[Side, Side]:
        """The two sides named by a revision spec: none, REV, A..B or A...B."""
        if spec is None or spec == "":
            head = self.head()
            if head is None:
                return Side(EMPTY_TREE, "empty repository"), Side(WORKTREE, "working tree")
            return Side(head, "HEAD"), Side(WORKTREE, "working tree")
        if "..." in spec:
            left, _, right = spec.partition("...")
            left, right = left or "HEAD", right or "HEAD"
            a, b = self.commit(left), self.commit(right)
            base = self.run("merge-base", a, b, ok_codes=(0, 1)).strip()
            if not base:
                raise UsageError(
                    f"{left} and {right} have no common ancestor", hint=f"compare them directly with {left}..{right}"
                )
            return Side(base, f"merge-base of {left} and {right} ({base[:7]})"), Side(b, right)
        if ".." in spec:
            left, _, right = spec.partition("..")
            left, right = left or "HEAD", right or "HEAD"
            return Side(self.commit(left), left), Side(self.commit(right), right)
        return Side(self.commit(spec), spec), Side(WORKTREE, "working tree")

    # --- each revision's own schemas ----------------------------------------------------

    def schemas_at(self, side: Side) -> Any:
        """The kinds as the schema files of `side` define them (the working tree's for the
        working tree), so that a revision is read with its own folders and fields. A
        revision without readable schema files is read with the working tree's."""
        if side.rev is None:
            return self.repo.schemas
        tree = self.run("rev-parse", "--verify", "--quiet", f"{side.rev}:./{SCHEMA}", ok_codes=(0, 1, 128)).strip()
        if len(tree) not in (40, 64):
            return self.repo.schemas
        if tree not in self._schemas and self.run("cat-file", "-t", tree).strip() != "tree":
            self._schemas[tree] = (
                self.repo.schemas
            )  # a schema folder committed as a link (a blob naming its target) is never followed
        if tree not in self._schemas:
            texts: dict[str, bytes] = {}
            for entry in self.run("ls-tree", "-z", tree).split("\0"):
                meta, _, name = entry.partition("\t")
                parts = meta.split()
                if len(parts) == 3 and parts[1] == "blob" and parts[0] != "120000" and name.endswith(".json"):
                    texts[name] = self.gitrepo.odb.stream(bytes.fromhex(parts[2])).read()
            try:
                self._schemas[tree] = Schemas(self.repo.schema_dir, texts)
            except DprkError:
                self._schemas[tree] = self.repo.schemas
        return self._schemas[tree]

    # --- changed paths -----------------------------------------------------------------

    def changes(
        self, old: Side, new: Side, pathspec: tuple[str, ...] = (), early: status.Early | None = None
    ) -> list[PathChange]:
        """Paths that differ between two sides, renames detected, relative to the dprk root
        (`early`: the `git status` of the work tree, started before)."""
        if new.rev is None and old.rev == self.head():
            # HEAD against the work tree: one `git status` where it tells the same as `git diff`
            found = status.worktree(self, pathspec, pathspec or (RECORDS,), early=early)
            if found is not None:
                return found.changes
        return self.diff_changes(old, new, pathspec)

    def diff_changes(self, old: Side, new: Side, pathspec: tuple[str, ...] = ()) -> list[PathChange]:
        """`changes` as `git diff --raw` gives them (the work tree's with its untracked files)."""
        args = [
            "diff",
            "--raw",
            "--no-abbrev",
            "-z",
            RENAME,
            "--relative",
            "--no-ext-diff",
            "--no-textconv",
            "--ignore-submodules",
        ]
        if new.rev is not None:
            return parse_raw(self.run(*args, old.rev, new.rev, "--", *pathspec))
        # Untracked files count only under records/ (and the other paths asked for), as
        # new records; elsewhere they are not part of a comparison, as in `git diff`.
        untracked = [
            p
            for p in self.run(
                "ls-files", "-z", "--others", "--exclude-standard", "--", *(pathspec or (RECORDS,))
            ).split("\0")
            if p
        ]
        if not untracked:
            return parse_raw(self.run(*args, old.rev, "--", *pathspec))
        # Untracked files join the comparison through a throw-away copy of the index in which
        # they are marked intent-to-add, so that git's rename detection sees them too. The
        # real index is never touched and no object is written.
        with self._scratch_index() as env:
            # the paths go through a file, so that any number of them fits (no argument list limit)
            listing = os.path.join(os.path.dirname(env["GIT_INDEX_FILE"]), "untracked")
            with open(listing, "wb") as handle:
                handle.write(b"".join(os.fsencode(path) + b"\0" for path in untracked))
            self.run("add", "--intent-to-add", f"--pathspec-from-file={listing}", "--pathspec-file-nul", env=env)
            return parse_raw(self.run(*args, old.rev, "--", *pathspec, env=env))

    @contextmanager
    def _scratch_index(self) -> Iterator[dict[str, str]]:
        index = os.path.join(str(self.repo.root), self.run("rev-parse", "--git-path", "index").strip())
        folder = tempfile.mkdtemp(prefix="dprk-index-")
        try:
            scratch = os.path.join(folder, "index")
            if os.path.exists(index):
                # copy2 keeps the index's mtime, which git's check for files changed
                # within the same second as the index was written relies on.
                shutil.copy2(index, scratch)
            yield {"GIT_INDEX_FILE": scratch}
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    # --- reading -----------------------------------------------------------------------

    def read(self, side: Side, path: str, blob: str | None) -> bytes:
        """The bytes of `path` on `side` (a blob id from git, or the file in the work tree)."""
        if side.rev is None:
            full = self.repo.root / path
            if os.path.islink(full):
                raise YamlError("is a symbolic link; records are regular files, and a link is not followed", path=path)
            if not self.repo.inside(full.parent):
                raise YamlError("is in a folder that links outside the repository; it is not read", path=path)
            return yamlread.read_bytes(full, path)
        if blob and blob != _NULL_SHA:
            stream = self.gitrepo.odb.stream(bytes.fromhex(blob))
            return stream.read()
        return self.run_bytes("cat-file", "blob", f"{side.rev}:./{path}")

    def run_bytes(self, *args: str) -> bytes:
        status, out, err = self.cmd.execute(
            ["git", *args],
            with_extended_output=True,
            with_exceptions=False,
            strip_newline_in_stdout=False,
            stdout_as_string=False,
        )
        if status != 0:
            raise DataError(f"git {args[0]} failed: {_last_line(err) or 'exit status ' + str(status)}")
        return out

    def snapshot(self, side: Side, path: str, blob: str | None, mode: str | None = None) -> Snapshot:
        """A record's parsed data on one side; a broken file gives an error, never an exception."""

        where = "the working tree" if side.rev is None else side.label
        if mode == "120000" and side.rev is not None:
            return Snapshot(
                path,
                side,
                error=f"is a symbolic link in {where}; records are regular files, and a link is not followed",
            )
        try:
            data = self.read(side, path, blob)
            if len(data) > yamlread.MAX_BYTES:
                raise YamlError("file is over the 1 MiB limit for a record", path=path)
            return Snapshot(path, side, yamlread.load_bytes(data, path))
        except YamlError as exc:
            return Snapshot(path, side, error=f"does not parse in {where}: {exc}")
        except DataError as exc:
            return Snapshot(path, side, error=f"cannot be read in {where}: {exc}")

    # --- history of one path -----------------------------------------------------------

    def log(self, path: str) -> list[Commit]:
        """Commits that touched `path`, newest first, following renames."""
        out = self.run(
            "log",
            "--follow",
            RENAME,
            "--raw",
            "--no-abbrev",
            "-z",
            "--relative",
            "--no-ext-diff",
            "--date=short",
            "--format=%x1e%H%x1f%ad%x1f%an%x1f%s",
            "--",
            path,
        )
        commits: list[Commit] = []
        for chunk in out.split("\x1e")[1:]:
            head, _, rest = chunk.partition("\0")
            hash_, date, author, subject = (head.split("\x1f") + ["", "", "", ""])[:4]
            subject = subject.rstrip("\n")
            commit = Commit(hash_, hash_[:7], date, author, subject.strip())
            commit.changes = parse_raw(rest.lstrip("\n"))
            commits.append(commit)
        return commits

    def renamed_away(self, commit: str, path: str) -> PathChange | None:
        """If `commit` renamed `path` (rather than deleting it), that rename."""
        out = self.run(
            "diff-tree",
            "-r",
            RENAME,
            "--raw",
            "--no-abbrev",
            "-z",
            "--relative",
            "--no-ext-diff",
            commit + "^",
            commit,
            "--",
            RECORDS,
        )
        for change in parse_raw(out):
            if change.status == "R" and change.old_path == path:
                return change
        return None

    def last_path(self, record_id: str) -> str | None:
        """Where a record with this id last lived in history (for records since removed)."""
        name = record_id + RECORD_SUFFIX
        out = self.run("log", "-1", "--format=", "--name-only", "-z", "--relative", "--", f":(glob)records/*/{name}")
        for path in out.split("\0"):
            path = path.strip("\n")
            if path.endswith("/" + name):
                return path
        return None

    def grep(self, needles: list[str], pathspec: str = RECORDS) -> list[str]:
        """Files in the work tree (tracked or untracked, not ignored) containing any needle.

        The needles go to git in a file, so that any number of them fits."""
        if not needles:
            return []
        folder = tempfile.mkdtemp(prefix="dprk-grep-")
        try:
            patterns = os.path.join(folder, "patterns")
            with open(patterns, "w", encoding="utf-8", newline="\n") as handle:
                handle.write("".join(needle + "\n" for needle in needles if "\n" not in needle))
            out = self.run(
                "grep", "--untracked", "-l", "-z", "-F", "--no-color", "-f", patterns, "--", pathspec, ok_codes=(0, 1)
            )
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return [p for p in out.split("\0") if p]


def _last_line(err: Any) -> str:
    text = err.decode("utf-8", "replace") if isinstance(err, bytes) else str(err or "")
    lines = text.strip().splitlines()
    return lines[-1] if lines else ""


@contextmanager
def open_git(repo: Repository) -> Iterator[Git]:
    handle = Git(repo)
    try:
        yield handle
    finally:
        handle.close()
