"""The file an `--edit` session works on, and the editor run on it.

Each session of `add --edit` or `update --edit` has a file of its own in the repository's
own folder, `.dprk-cache/edit/<kind folder>/`, named after the record with a random part
(`2023-11-21-race.3f9c2a71.yaml`). It is created exclusively, so it is never written
through a link (a committed one included) and never shared with another session; its
`$schema` header points at the schema from there. The editor is run on it as often as
the edit loop asks. When the session ends normally (a valid record, or given up) the
file is removed. When it ends in an error, the file is kept and the one-line error says
where: the editor exited with an error (or could not be run), or it left bytes that are
not UTF-8 text, which are never read as a record.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shlex
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from dprk_records.errors import DataError, DprkError, UsageError, YamlError


def editor_command() -> str:
    """The editor to run: $VISUAL, else $EDITOR, else the first of sensible-editor, vim
    and nano found on the PATH, else vi (notepad on Windows)."""
    for key in ("VISUAL", "EDITOR"):
        value = os.environ.get(key)
        if value:
            return value
    if os.name == "nt":
        return "notepad"
    import shutil

    for name in ("sensible-editor", "vim", "nano"):
        if shutil.which(name):
            return name
    return "vi"


class EditorFailed(DataError):
    """The session stopped (the editor failed, or left bytes that are not text); nothing written, the work file kept."""


class WorkFile:
    """The file of one editing session, in `folder`, named `STEM.RANDOM.yaml`.

    `shown` maps the text of a record to the text as the editor shows it and `back` the
    other way (the `$schema` header differs); `display` names a path in messages.
    """

    def __init__(
        self,
        folder: Path,
        stem: str,
        display: Callable[[Path], str],
        shown: Callable[[str], str] = lambda text: text,
        back: Callable[[str], str] = lambda text: text,
    ):
        self.folder = folder
        self.stem = stem
        self.display = display
        self.shown = shown
        self.back = back
        self.path: Path | None = None

    @property
    def name(self) -> str:
        return self.display(self.path) if self.path is not None else self.display(self.folder)

    def _create(self, data: bytes) -> None:
        """Write `data` to a new file: the session's file made afresh, or a new name the first time."""
        from dprk_records.records.writing import create_file

        if self.path is not None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.path)  # removes a link itself, never what it points at
        for _ in range(100):
            path = self.path or self.folder / f"{self.stem}.{secrets.token_hex(4)}.yaml"
            try:
                create_file(path, data)
            except FileExistsError:
                self.path = None  # taken meanwhile: another name
                continue
            except OSError as exc:
                self.path = None  # nothing of the session's is there now
                raise DataError(f"cannot write {self.display(path)}: {exc.strerror or exc}; nothing written") from None
            self.path = path
            return
        raise DataError(f"cannot make a file to edit in {self.display(self.folder)}; nothing written")

    def edit(self, text: str) -> str | None:
        """Open `text` in the editor; the text saved, or None when the file was closed unsaved."""
        from dprk_records.records import yamlread
        from dprk_records.records.writing import read_own_file

        shown = self.shown(text)
        self._create(shown.encode("utf-8"))
        assert self.path is not None
        before = self._age()
        self._run()
        try:
            data = read_own_file(self.path, yamlread.MAX_BYTES)
        except FileNotFoundError:
            raise EditorFailed(f"{self.name} is gone (the editor removed it); nothing written") from None
        except OSError as exc:
            raise EditorFailed(
                f"cannot read {self.name}: {exc.strerror or exc}; nothing written, and the file is kept"
            ) from None
        try:
            after = yamlread.decode(data, self.name)
        except YamlError as exc:
            raise EditorFailed(
                f"{exc}; nothing written, and your text is kept in that file",
                hint="fix it and give it with {from_file}, or remove it",
                params={"from_file": "from_file"},
            ) from None
        if after == shown and os.stat(self.path).st_mtime_ns == before:
            return None  # closed without saving
        return self.back(after)

    def _age(self) -> int:
        """Set the new file's time two seconds back, so that a save within the same second
        (on a file system that keeps whole seconds) still changes it; returns that time."""
        assert self.path is not None
        stat = os.stat(self.path)
        back = stat.st_mtime_ns - 2_000_000_000
        with contextlib.suppress(OSError, NotImplementedError):
            os.utime(self.path, ns=(stat.st_atime_ns, back))
        return os.stat(self.path).st_mtime_ns

    def _run(self) -> None:
        editor = editor_command()
        try:
            process = subprocess.Popen([*shlex.split(editor), str(self.path)])
        except (OSError, ValueError) as exc:
            raise EditorFailed(
                f"cannot run the editor {editor!r}: {getattr(exc, 'strerror', None) or exc}; nothing written, and "
                f"your text is kept in {self.name}",
                hint="set $VISUAL or $EDITOR to an editor that waits until the file is closed",
            ) from None
        status = _wait(process)
        if status != 0:
            ended = f"was stopped by signal {-status}" if status < 0 else f"exited with status {status}"
            raise EditorFailed(
                f"the editor {editor!r} {ended}; nothing written, and your text is kept in {self.name}",
                hint="run the command again, or give the file with {from_file}",
                params={"from_file": "from_file"},
            )

    def remove(self) -> None:
        if self.path is not None:
            with contextlib.suppress(OSError):
                os.unlink(self.path)


def _wait(process: subprocess.Popen) -> int:
    """The editor's exit status. Ctrl-C and Ctrl-\\ go to the editor alone while it runs (as
    git does): a terminal editor uses them, and they must not end this process, nor the
    editor with it. The editor was started before they are ignored, so it keeps its own."""
    import signal

    ignored = []
    for name in ("SIGINT", "SIGQUIT"):
        number = getattr(signal, name, None)
        if number is None:
            continue
        try:
            ignored.append((number, signal.signal(number, signal.SIG_IGN)))
        except ValueError:  # not the main thread: signals stay as they are
            pass
    try:
        return process.wait()
    finally:
        for number, handler in ignored:
            signal.signal(number, handler)


@contextlib.contextmanager
def edit_session(repo: Any, kind: Any, stem: str) -> Iterator[Callable[[str], str | None]]:
    """An editor callback for the edit loop, working on a file of its own (see the module).

    The file lies in `.dprk-cache/edit/<kind folder>/`, or, when that folder cannot be
    used (it or a folder above it is a link, say), in a new temporary folder outside the
    repository. Leaving the block normally removes it; an error raised in the block keeps
    it, and a DprkError then says where it is.
    """
    import tempfile

    folder = repo.private_folder("edit", kind.folder)
    if folder is not None:
        there = f"{kind.header.split('$schema=')[0]}$schema=../../../schema/{kind.file.name}"
        work = WorkFile(
            folder,
            stem,
            repo.rel,
            shown=lambda text: text.replace(kind.header, there, 1),
            back=lambda text: text.replace(there, kind.header, 1),
        )
        temporary = None
    else:
        temporary = Path(tempfile.mkdtemp(prefix="dprk-edit-"))
        work = WorkFile(temporary, stem, str)
    try:
        yield work.edit
    except EditorFailed:
        raise
    except DprkError as exc:
        if work.path is None:
            if temporary is not None:
                with contextlib.suppress(OSError):
                    temporary.rmdir()
            raise
        kept = f"{exc if isinstance(exc, YamlError) else exc.message}; your text is kept in {work.name}"
        raise (UsageError if exc.exit_code == 2 else DataError)(kept, hint=exc.hint, params=exc.param_words) from None
    else:
        work.remove()
        if temporary is not None:
            with contextlib.suppress(OSError):
                temporary.rmdir()
