"""Everything git, through GitPython (imported only inside the functions that need it).

Two parts: committing the one record file that `dprk add/update --commit` wrote, and
which records changed between two revisions and the history of one (`dprk diff`,
`dprk log`, `dprk validate --changed-since`). Git itself finds what changed
(`git diff --raw`, `git log --follow --raw`), and only the blobs of changed records
are read (through GitPython's object database, one long-lived `git cat-file --batch`)
and parsed with cli.yamlio: the cost follows the change, not the size of the
repository. `dprk --help` and a plain `dprk validate` never load GitPython.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

from cli.errors import DataError, UsageError, YamlError
from cli.repository import RECORD_SUFFIX, RECORDS, SCHEMA, RecordFile, Repository, Stray

# --- committing one record file (dprk add/update --commit) -----------------------------

_IN_PROGRESS = {
    "MERGE_HEAD": "a merge",
    "rebase-merge": "a rebase",
    "rebase-apply": "a rebase (or git am)",
    "CHERRY_PICK_HEAD": "a cherry-pick",
    "REVERT_HEAD": "a revert",
}


def import_git(needed_for: str) -> Any:
    """GitPython, or a one-line UsageError when git itself is missing (GitPython needs the git program)."""
    try:
        import git
    except ImportError:
        raise UsageError(f"git is not installed or not on PATH, and {needed_for} needs it", hint="install git") from None
    return git


def open_git_repo(root: Path, needed_for: str = "--commit", hint: str = "run 'git init' there, or leave out --commit") -> Any:
    """The git repository holding `root`, or a UsageError saying there is none."""
    git = import_git(needed_for)
    try:
        return git.Repo(root, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise UsageError(f"{root} is not in a git repository, and {needed_for} needs one", hint=hint) from None


def check_can_commit(root: Path, path: Path | None = None) -> None:
    """Refuse, before anything is written, a commit git could not make: no git, a bare
    repository, a merge or rebase under way, no user identity, or a path outside the
    git work tree."""
    repo = open_git_repo(root)
    git_dir = Path(repo.git_dir)
    for name, what in _IN_PROGRESS.items():
        if (git_dir / name).exists():
            raise UsageError(f"the git repository at {repo.working_tree_dir} is in the middle of {what}; --commit will not commit now", hint="finish or abort it first, or leave out --commit")
    if repo.bare or repo.working_tree_dir is None:
        raise UsageError(f"{repo.git_dir} is a bare git repository; --commit needs a work tree")
    if path is not None:
        work_tree = Path(repo.working_tree_dir).resolve()
        target = Path(os.path.realpath(path))
        if target != work_tree and work_tree not in target.parents:
            raise UsageError(f"{path} is outside the git work tree at {work_tree}, so --commit cannot commit it", hint="leave out --commit")
    git = import_git("--commit")
    for variable in ("GIT_AUTHOR_IDENT", "GIT_COMMITTER_IDENT"):
        try:
            repo.git.var(variable)
        except git.GitCommandError:
            raise UsageError("git does not know who you are, so --commit cannot commit",
                             hint="set it with git config user.name and git config user.email, or leave out --commit") from None


def commit_file(root: Path, path: Path, message: str) -> str:
    """Commit exactly the file at `path` with `message`; return the new commit's short id.

    Other staged and unstaged changes are left as they were: the file is added to
    the index, then committed with `git commit --only -- PATH`, which records that
    path alone. Works on a detached HEAD and on a branch with no commits yet. When git
    refuses (a failing hook, say), the DataError says what is left: the file written
    and staged, not committed.
    """
    git = import_git("--commit")
    repo = open_git_repo(root)
    rel = Path(os.path.realpath(path)).relative_to(Path(repo.working_tree_dir).resolve()).as_posix()
    try:
        repo.git.add("--", rel)
    except git.GitCommandError as exc:
        raise DataError(f"{rel} is written, but not staged or committed: git add failed: {_git_detail(exc)}",
                        hint=f"commit it by hand: git add {rel} && git commit") from None
    try:
        repo.git.commit("--quiet", "--only", "-m", message, "--", rel)
    except git.GitCommandError as exc:
        raise DataError(f"{rel} is written and staged, but not committed: git commit failed: {_git_detail(exc)}",
                        hint=f"fix that and run: git commit -m '{message}' -- {rel}") from None
    return repo.head.commit.hexsha[:10]


def _git_detail(exc: Any) -> str:
    text = " ".join(str(exc.stderr or exc.stdout or "").replace("stderr:", "").split()).strip(" '")
    return text or f"exit status {exc.status}"


# --- review: diff, log, changed-since ----------------------------------------------

if TYPE_CHECKING:
    from cli.recorddiff import Diff, RecordChange

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


@dataclass(frozen=True)
class PathChange:
    """One changed path as git reports it, relative to the repository root."""

    status: str  # A, D, M, R (renamed), T (type changed), C (copied)
    old_path: str | None
    new_path: str | None
    old_blob: str | None
    new_blob: str | None
    old_mode: str | None = None  # 100644, 100755, 120000 (a symbolic link), ...
    new_mode: str | None = None


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
        self.gitrepo = open_git_repo(repo.root, "reading git history", "this command compares git revisions; run 'git init' or work in a clone")
        if self.gitrepo.bare or self.gitrepo.working_tree_dir is None:
            raise UsageError(f"{repo.root} is in a bare git repository", hint="run it in a work tree")
        # Commands run from the dprk repository's root with --relative paths.
        self.cmd = self._git.Git(str(repo.root))
        self._schemas: dict[str, Any] = {}

    def close(self) -> None:
        self.gitrepo.close()

    def run(self, *args: str, env: dict[str, str] | None = None, ok_codes: tuple[int, ...] = (0,)) -> str:
        """Run a git command from the repository root; stdout as text (surrogate-escaped)."""
        try:
            status, out, err = self.cmd.execute(["git", *args], with_extended_output=True, with_exceptions=False,
                                                strip_newline_in_stdout=False, env=env, stdout_as_string=False)
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
            raise UsageError(f"unknown revision {rev!r}", hint="check the name with 'git log --oneline' or 'git branch -a'")
        return sha

    def has_head(self) -> bool:
        return len(self.run("rev-parse", "--verify", "--quiet", "HEAD^{commit}", ok_codes=(0, 1, 128)).strip()) in (40, 64)

    def sides(self, spec: str | None) -> tuple[Side, Side]:
        """The two sides named by a revision spec: none, REV, A..B or A...B."""
        if spec is None or spec == "":
            if not self.has_head():
                return Side(EMPTY_TREE, "empty repository"), Side(WORKTREE, "working tree")
            return Side(self.commit("HEAD"), "HEAD"), Side(WORKTREE, "working tree")
        if "..." in spec:
            left, _, right = spec.partition("...")
            left, right = left or "HEAD", right or "HEAD"
            a, b = self.commit(left), self.commit(right)
            base = self.run("merge-base", a, b, ok_codes=(0, 1)).strip()
            if not base:
                raise UsageError(f"{left} and {right} have no common ancestor", hint=f"compare them directly with {left}..{right}")
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
        if tree not in self._schemas:
            from cli.errors import DprkError
            from cli.kinds import Schemas

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

    def changes(self, old: Side, new: Side, pathspec: tuple[str, ...] = ()) -> list[PathChange]:
        """Paths that differ between two sides, renames detected, relative to the dprk root."""
        args = ["diff", "--raw", "--no-abbrev", "-z", RENAME, "--relative", "--no-ext-diff", "--no-textconv", "--ignore-submodules"]
        if new.rev is not None:
            return _parse_raw(self.run(*args, old.rev, new.rev, "--", *pathspec))
        # Untracked files count only under records/ (and the other paths asked for), as
        # new records; elsewhere they are not part of a comparison, as in `git diff`.
        untracked = [p for p in self.run("ls-files", "-z", "--others", "--exclude-standard", "--", *(pathspec or (RECORDS,))).split("\0") if p]
        if not untracked:
            return _parse_raw(self.run(*args, old.rev, "--", *pathspec))
        # Untracked files join the comparison through a throw-away copy of the index in which
        # they are marked intent-to-add, so that git's rename detection sees them too. The
        # real index is never touched and no object is written.
        with self._scratch_index() as env:
            # the paths go through a file, so that any number of them fits (no argument list limit)
            listing = os.path.join(os.path.dirname(env["GIT_INDEX_FILE"]), "untracked")
            with open(listing, "wb") as handle:
                handle.write(b"".join(os.fsencode(path) + b"\0" for path in untracked))
            self.run("add", "--intent-to-add", f"--pathspec-from-file={listing}", "--pathspec-file-nul", env=env)
            return _parse_raw(self.run(*args, old.rev, "--", *pathspec, env=env))

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
            from cli import yamlio

            full = self.repo.root / path
            if os.path.islink(full):
                raise YamlError("is a symbolic link; records are regular files, and a link is not followed", path=path)
            if not self.repo.inside(full.parent):
                raise YamlError("is in a folder that links outside the repository; it is not read", path=path)
            return yamlio.read_bytes(full, path)
        if blob and blob != _NULL_SHA:
            stream = self.gitrepo.odb.stream(bytes.fromhex(blob))
            return stream.read()
        return self.run_bytes("cat-file", "blob", f"{side.rev}:./{path}")

    def run_bytes(self, *args: str) -> bytes:
        status, out, err = self.cmd.execute(["git", *args], with_extended_output=True, with_exceptions=False,
                                            strip_newline_in_stdout=False, stdout_as_string=False)
        if status != 0:
            raise DataError(f"git {args[0]} failed: {_last_line(err) or 'exit status ' + str(status)}")
        return out

    def snapshot(self, side: Side, path: str, blob: str | None, mode: str | None = None) -> Snapshot:
        """A record's parsed data on one side; a broken file gives an error, never an exception."""
        from cli import yamlio

        where = "the working tree" if side.rev is None else side.label
        if mode == "120000" and side.rev is not None:
            return Snapshot(path, side, error=f"is a symbolic link in {where}; records are regular files, and a link is not followed")
        try:
            data = self.read(side, path, blob)
            if len(data) > yamlio.MAX_BYTES:
                raise YamlError("file is over the 1 MiB limit for a record", path=path)
            return Snapshot(path, side, yamlio.load_bytes(data, path))
        except YamlError as exc:
            return Snapshot(path, side, error=f"does not parse in {where}: {exc}")
        except DataError as exc:
            return Snapshot(path, side, error=f"cannot be read in {where}: {exc}")

    # --- history of one path -----------------------------------------------------------

    def log(self, path: str) -> list[Commit]:
        """Commits that touched `path`, newest first, following renames."""
        out = self.run("log", "--follow", RENAME, "--raw", "--no-abbrev", "-z", "--relative", "--no-ext-diff",
                       "--date=short", "--format=%x1e%H%x1f%ad%x1f%an%x1f%s", "--", path)
        commits: list[Commit] = []
        for chunk in out.split("\x1e")[1:]:
            head, _, rest = chunk.partition("\0")
            hash_, date, author, subject = (head.split("\x1f") + ["", "", "", ""])[:4]
            subject = subject.rstrip("\n")
            commit = Commit(hash_, hash_[:7], date, author, subject.strip())
            commit.changes = _parse_raw(rest.lstrip("\n"))
            commits.append(commit)
        return commits

    def renamed_away(self, commit: str, path: str) -> PathChange | None:
        """If `commit` renamed `path` (rather than deleting it), that rename."""
        out = self.run("diff-tree", "-r", RENAME, "--raw", "--no-abbrev", "-z", "--relative", "--no-ext-diff",
                       commit + "^", commit, "--", RECORDS)
        for change in _parse_raw(out):
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
            out = self.run("grep", "--untracked", "-l", "-z", "-F", "--no-color", "-f", patterns, "--", pathspec, ok_codes=(0, 1))
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return [p for p in out.split("\0") if p]


def _last_line(err: Any) -> str:
    text = err.decode("utf-8", "replace") if isinstance(err, bytes) else str(err or "")
    lines = text.strip().splitlines()
    return lines[-1] if lines else ""


def _parse_raw(out: str) -> list[PathChange]:
    """Parse `git diff --raw -z` output: ':old new oldsha newsha STATUS\\0path[\\0path]\\0'."""
    tokens = out.split("\0")
    changes: list[PathChange] = []
    i = 0
    while i < len(tokens):
        token = tokens[i].strip("\n")
        i += 1
        if not token.startswith(":"):
            continue
        parts = token[1:].split()
        if len(parts) < 5:
            continue
        old_mode, new_mode, old_sha, new_sha, status = parts[0], parts[1], parts[2], parts[3], parts[4][0]
        if status in ("R", "C"):
            old_path, new_path = tokens[i], tokens[i + 1]
            i += 2
        else:
            old_path = new_path = tokens[i]
            i += 1
        if status == "A":
            old_path, old_sha, old_mode = None, None, None
        if status == "D":
            new_path, new_sha, new_mode = None, None, None
        changes.append(PathChange(status, old_path, new_path, old_sha, new_sha, old_mode, new_mode))
    return changes


@contextmanager
def open_git(repo: Repository) -> Iterator[Git]:
    handle = Git(repo)
    try:
        yield handle
    finally:
        handle.close()


def record_at(repo: Repository, rel: str | None, schemas: Any = None) -> RecordFile | None:
    """The record a repository-relative path names (kind from folder, id from name), or None.

    `schemas`: the kinds to map folders with (a revision's own); the working tree's by default."""
    if rel is None:
        return None
    parts = rel.split("/")
    if len(parts) != 3 or parts[0] != RECORDS or not parts[2].endswith(RECORD_SUFFIX):
        return None
    kind = (schemas or repo.schemas).by_folder.get(parts[1])
    if kind is None:
        return None
    return RecordFile(repo.root / rel, kind, parts[2][: -len(RECORD_SUFFIX)], rel)


def diff_revisions(repo: Repository, spec: str | None = None) -> "Diff":
    """Records added, removed, modified and renamed between the two sides of `spec`.

    `spec`: None (the working tree against HEAD), `REV` (REV against the working tree),
    `A..B`, or `A...B` (B against the merge base of A and B). Only changed blobs are read.
    """
    from cli.recorddiff import Diff, OtherFile

    with open_git(repo) as handle:
        old, new = handle.sides(spec)
        diff = Diff(old.label, new.label)
        for change in handle.changes(old, new):
            entry = _record_change(repo, handle, old, new, change)
            if entry is None:
                diff.others.append(OtherFile(_STATUS_WORD.get(change.status, change.status), change.new_path or change.old_path or "",
                                             change.old_path if change.status == "R" else None))
            else:
                diff.records.append(entry)
    diff.sort()
    return diff


_STATUS_WORD = {"A": "added", "D": "removed", "M": "modified", "T": "modified", "R": "renamed", "C": "added"}


def _record_change(repo: Repository, handle: Git, old: Side, new: Side, change: PathChange) -> "RecordChange | None":
    """One changed path in record terms, or None when neither side is a record file."""
    from cli.recorddiff import RecordChange, compare

    before = record_at(repo, change.old_path, handle.schemas_at(old)) if change.status not in ("A", "C") else None
    after = record_at(repo, change.new_path, handle.schemas_at(new))
    if before is None and after is None:
        return None
    if before is not None and after is not None:
        status = "renamed" if before.rel != after.rel else "modified"
    else:
        status = "added" if after is not None else "removed"
    shown = after or before
    assert shown is not None
    entry = RecordChange(status, shown.kind.name, shown.id, shown.rel)
    if status == "renamed" and before is not None:
        entry.old_kind, entry.old_id, entry.old_path = before.kind.name, before.id, before.rel
    old_snap = handle.snapshot(old, before.rel, change.old_blob, change.old_mode) if before is not None else None
    new_snap = handle.snapshot(new, after.rel, change.new_blob, change.new_mode) if after is not None else None
    for snap in (old_snap, new_snap):
        if snap is not None and snap.error:
            entry.errors.append(f"{snap.path} {snap.error}")
    if not entry.errors:
        entry.fields = compare(shown.kind, old_snap.data if old_snap else None, new_snap.data if new_snap else None)
    return entry


@dataclass
class LogEntry:
    commit: Commit
    change: "RecordChange | None"

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"hash": self.commit.hash, "short": self.commit.short, "date": self.commit.date,
                                "author": self.commit.author, "subject": self.commit.subject}
        data.update({k: v for k, v in (self.change.to_dict() if self.change else {}).items()})
        return data


def record_log(repo: Repository, record_id: str) -> tuple[str, list[LogEntry]]:
    """The history of one record, newest first: each commit with the fields it changed.

    Follows renames. A record since removed is found by its id in history.
    """
    from cli.repository import check_id_text

    check_id_text(record_id)
    with open_git(repo) as handle:
        current = repo.find_record(record_id)
        has_head = handle.has_head()
        path = current.rel if current is not None else (handle.last_path(record_id) if has_head else None)
        if path is not None and not has_head:
            return path, []  # a record in a repository with no commit yet has no history
        if path is None:
            raise UsageError(f"no record with id {record_id!r}, now or in the history of this branch", hint="list ids with 'git ls-files records'")
        entries: list[LogEntry] = []
        for number, commit in enumerate(handle.log(path)):
            parent = Side(commit.hash + "^", commit.short + "^")
            this = Side(commit.hash, commit.short)
            items = commit.changes
            if number == 0 and current is None:
                # the newest commit took the record away: a rename to a new id shows as one
                renamed = handle.renamed_away(commit.hash, path)
                items = [renamed] if renamed is not None else items
            change = None
            for item in items:
                change = _record_change(repo, handle, parent, this, item)
                if change is not None:
                    break
            entries.append(LogEntry(commit, change))
    return path, entries


@dataclass
class ChangedSince:
    """What changed in the working tree since a revision, in record terms."""

    label: str
    present: list[RecordFile | Stray] = field(default_factory=list)  # added, modified or renamed-to, still on disk
    gone: list[RecordFile] = field(default_factory=list)  # removed, or renamed away (the old path)
    schema_changed: bool = False


def changed_since(repo: Repository, since: str) -> ChangedSince:
    """Records changed between `since` and the working tree (untracked records included).

    `since` is a revision; `REV...` means the merge base of REV and HEAD (what a pull
    request changed, even after REV moved on).
    """
    with open_git(repo) as handle:
        if since.endswith("...") and len(since) > 3:
            old, _ = handle.sides(since + "HEAD")
        else:
            old = Side(handle.commit(since), since)
        result = ChangedSince(old.label)
        for change in handle.changes(old, Side(WORKTREE, "working tree"), (RECORDS, SCHEMA)):
            for rel in (change.old_path, change.new_path):
                if rel is not None and rel.startswith("schema/"):
                    result.schema_changed = True
            if change.status in ("D", "R") and change.old_path:
                before = record_at(repo, change.old_path)
                if before is not None:
                    result.gone.append(before)
            if change.new_path and change.new_path.startswith("records/"):
                path = repo.root / change.new_path
                if path.exists() or path.is_symlink():
                    result.present.append(repo.classify(path))
    return result


def grep_records(repo: Repository, needles: list[str]) -> list[str]:
    """Record files in the working tree whose text contains any of `needles` (git grep)."""
    with open_git(repo) as handle:
        return handle.grep(needles)


# --- end of review block ------------------------------------------------------------------
