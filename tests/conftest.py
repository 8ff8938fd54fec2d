"""Shared test helpers: real repositories in temporary folders, real git, the real CLI."""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from dprk_records.main import cli
from dprk_records.records import yamlwrite
from dprk_records.records.schemas import Schemas

PROJECT = Path(__file__).resolve().parent.parent


def _keep_rewritten_modules() -> None:
    """With PYTHONDONTWRITEBYTECODE set, pytest rewrote the asserts of every test module, and of
    every module of its plugins' packages (hypothesis, anyio, xdist), in every run and in each
    xdist worker: about 4 s of CPU per process, two thirds of a collection. This process (only
    it: the processes the tests start keep the caller's setting) writes its bytecode under the
    virtual environment instead, outside the source tree, as the setting asks.

    Nothing the tests run is edited in place and imported again in this process: the tests that
    edit the tool's code run it in a subprocess, which writes no bytecode."""
    if not sys.dont_write_bytecode or sys.prefix == sys.base_prefix or not os.access(sys.prefix, os.W_OK):
        return
    sys.pycache_prefix = str(Path(sys.prefix) / "pycache")
    sys.dont_write_bytecode = False


_keep_rewritten_modules()

# The second step of .ci/run sets DPRK_TEST_FULL=1 and runs the property tests at full size.
FULL = os.environ.get("DPRK_TEST_FULL") == "1"


def examples(full: int) -> int:
    """How many examples a property test tries: `full` when DPRK_TEST_FULL=1 (the second step
    of .ci/run, which runs every property test), a tenth of it otherwise (the default run, which
    only has to catch a plain regression quickly)."""
    return full if FULL else max(20, full // 10)


SOURCE = {
    "publisher": "Security Council Report",
    "title": "November 2023 Monthly Forecast",
    "date": "2023-11",
    "quote": "the DPRK fired two short-range ballistic missiles into waters off its east coast",
}

SAMPLES: dict[str, dict[str, Any]] = {
    "launch": {
        "id": "2023-08-30-srbm",
        "date": "2023-08-30",
        "title": "Two short-range ballistic missiles",
        "summary": "The DPRK fired two short-range ballistic missiles into waters off its east coast.",
        "category": "SRBM",
        "count": 2,
        "landing_area": "waters off its east coast",
        "sources": [SOURCE],
    },
    "meeting": {
        "id": "2023-08-25-open-briefing",
        "date": "2023-08-25",
        "title": "Open briefing on the failed satellite launch",
        "summary": "The Council held an open briefing on the failed satellite launch.",
        "format": "open-briefing",
        "status": "held",
        "requested_by": ["ALB", "USA"],
        "sources": [SOURCE],
    },
    "statement": {
        "id": "2023-08-24-sg-statement",
        "date": "2023-08-24",
        "title": "Secretary-General condemns the launch",
        "summary": "The Secretary-General condemned the launch.",
        "type": "secretary-general",
        "status": "issued",
        "sources": [SOURCE],
    },
    "sanctions-report": {
        "id": "2023-09-12-panel-midterm",
        "date": "2023-09-12",
        "title": "Panel of Experts midterm report",
        "summary": "The Panel of Experts issued its midterm report.",
        "type": "panel-midterm",
        "body": "panel-of-experts",
        "symbol": "S/2023/656",
        "sources": [SOURCE],
    },
    "nuclear-test": {
        "id": "2017-09-03-sixth-nuclear-test",
        "date": "2017-09-03",
        "title": "Sixth nuclear test",
        "summary": "The DPRK conducted its sixth nuclear test.",
        "sequence": 6,
        "observations": [
            {
                "actor": "KCNA",
                "actor_type": "state-media",
                "actor_state": "PRK",
                "stance": "claim",
                "device": "a hydrogen bomb",
            },
            {
                "actor": "USGS",
                "actor_type": "monitoring",
                "actor_state": "USA",
                "stance": "assessment",
                "magnitude": 6.3,
            },
        ],
        "sources": [SOURCE],
    },
}


def sample(kind: str, **changes: Any) -> dict[str, Any]:
    """A valid record of `kind`, with `changes` applied (a value of None removes a field)."""
    record = copy.deepcopy(SAMPLES[kind])
    for key, value in changes.items():
        if value is None:
            record.pop(key, None)
        else:
            record[key] = value
    return record


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout


_TEMPLATES: dict[bool, Path] = {}
_CONTENTS: dict[bool, tuple[list[str], list[tuple[str, bytes, int]]]] = {}


def git_work_tree(path: Path) -> Path:
    """An empty git work tree at `path` (a dprk repository may be made in a folder below it)."""
    path.mkdir(parents=True)
    git(path, "init", "-q", "-b", "main")
    git(path, "config", "user.email", "test@example.org")
    git(path, "config", "user.name", "Test User")
    return path


def make_repo(path: Path, *, git_init: bool = True) -> Path:
    """A fresh repository at `path`: the project's schemas, empty kind folders, optionally git.

    Made once per test session by real `git init` and `git config` in a template folder,
    whose folders and files (the .git folder with them) are read once and written out again
    for each test: a fraction of four git processes, and of shutil.copytree's stat and
    copystat of every file."""
    template = _TEMPLATES.get(git_init)
    if template is None or not template.is_dir():
        import tempfile

        template = Path(tempfile.mkdtemp(prefix="dprk-test-template-")) / "repo"
        _build_repo(template, git_init=git_init)
        _TEMPLATES[git_init] = template
        _CONTENTS[git_init] = _contents(template)
    folders, files = _CONTENTS[git_init]
    for folder in folders:  # into an existing folder too, as before
        os.makedirs(path / folder, exist_ok=True)
    for rel, data, mode in files:
        with os.fdopen(os.open(path / rel, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode), "wb") as out:
            out.write(data)
        if mode & 0o111:  # as written whatever the umask: an executable stays one
            os.chmod(path / rel, mode)
    return path


def _contents(template: Path) -> tuple[list[str], list[tuple[str, bytes, int]]]:
    """The template's folders (parents first) and its files with their bytes and permissions."""
    import stat

    folders, files = [], []
    for root, _, names in os.walk(template):
        folders.append(os.path.relpath(root, template))
        for name in names:
            full = os.path.join(root, name)
            assert not os.path.islink(full), full  # the template holds no links
            mode = stat.S_IMODE(os.lstat(full).st_mode)
            files.append((os.path.relpath(full, template), Path(full).read_bytes(), mode))
    return folders, files


def _build_repo(path: Path, *, git_init: bool) -> None:
    path.mkdir(parents=True, exist_ok=True)
    shutil.copytree(PROJECT / "schema", path / "schema")
    schemas = Schemas(path / "schema")
    for kind in schemas.kinds.values():
        (path / "records" / kind.folder).mkdir(parents=True, exist_ok=True)
    if git_init:
        git(path, "init", "-q", "-b", "main")
        git(path, "config", "user.email", "test@example.org")
        git(path, "config", "user.name", "Test User")
        git(path, "config", "commit.gpgsign", "false")
        for sample_hook in (path / ".git" / "hooks").glob("*.sample"):  # git's sample hooks, never run
            sample_hook.unlink()


@pytest.fixture(scope="session", autouse=True)
def _remove_templates():
    yield
    for template in _TEMPLATES.values():
        shutil.rmtree(template.parent, ignore_errors=True)


def ref(name: str, **extra: Any) -> dict[str, Any]:
    """A `$ref` to a shared definition, with sibling keywords (a description, say)."""
    return {"$ref": f"definitions.schema.json#/$defs/{name}", **extra}


def add_kind(repo: Path, name: str, folder: str, properties: dict[str, Any], required: list[str]) -> None:
    """Add a fifth kind to `repo`: one schema file (and its empty folder), nothing else."""
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": name.title(),
        "description": f"A {name}.",
        "x-kind": name,
        "x-folder": folder,
        "type": "object",
        "additionalProperties": False,
        "required": required,
        "properties": properties,
    }
    (repo / "schema" / f"{name}.schema.json").write_text(json.dumps(schema))
    (repo / "records" / folder).mkdir(parents=True, exist_ok=True)


COMMON = {"id": ref("id"), "date": ref("date"), "title": ref("title"), "summary": ref("summary")}


_SCHEMAS: dict[tuple[Any, ...], Schemas] = {}


def _schemas(folder: Path) -> Schemas:
    """The kinds of a schema folder, parsed once per version of its files (their names, sizes and mtimes)."""
    key = (
        str(folder),
        *sorted((e.name, e.stat().st_size, e.stat().st_mtime_ns, e.stat().st_ino) for e in os.scandir(folder)),
    )
    if key not in _SCHEMAS:
        _SCHEMAS[key] = Schemas(folder)
    return _SCHEMAS[key]


def write_record(
    repo: Path, kind: str, record: dict[str, Any], *, raw: str | None = None, name: str | None = None
) -> Path:
    """Write a record in canonical form (or `raw` text) to its place in `repo`."""
    k = _schemas(repo / "schema").get(kind)
    path = repo / "records" / k.folder / ((name or record.get("id", "x")) + ".yaml")
    path.parent.mkdir(parents=True, exist_ok=True)
    text = raw if raw is not None else yamlwrite.dumps(record, k.root, k.header)
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


class Runner:
    """Runs the CLI in-process with CliRunner, from a chosen folder."""

    def __init__(self, cwd: Path):
        self.cwd = cwd

    def __call__(
        self, *args: str, input: str | bytes | None = None, cwd: Path | None = None, env: dict[str, str] | None = None
    ):
        runner = CliRunner()
        old = Path.cwd()
        os.chdir(cwd or self.cwd)
        try:
            return runner.invoke(cli, list(args), input=input, env=env, catch_exceptions=False)
        finally:
            os.chdir(old)


# Commands given as JSON, each run through CliRunner, in turn, in one fresh Python process;
# printed back as JSON: the exit status, stdout and stderr of each.
_IN_ONE_PROCESS = r"""
import json, sys
from click.testing import CliRunner
from dprk_records.main import cli

answers = []
for args in json.loads(sys.argv[1]):
    result = CliRunner().invoke(cli, args, prog_name="dprk", catch_exceptions=False)
    answers.append([result.exit_code, result.stdout, result.stderr])
print(json.dumps(answers))
"""


def in_one_process(cwd: Path, commands: list[list[str]], **options: Any) -> list[tuple[int, str, str]]:
    """Several dprk commands that need a process apart from the test's (under a limit, or one
    whose timeout turns a hang into a failure) run in one fresh process, through CliRunner in
    it: the exit status, stdout and stderr of each. `options` go to subprocess.run."""
    env = {k: v for k, v in os.environ.items() if k != "DPRK_REPO"}
    done = subprocess.run(
        [sys.executable, "-c", _IN_ONE_PROCESS, json.dumps(commands)],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
        **options,
    )
    assert done.returncode == 0, done.stderr
    return [tuple(answer) for answer in json.loads(done.stdout)]


# Variables of the caller's environment that change what dprk prints or where it works:
# a terminal's size (pytest-xdist sets COLUMNS=80 in its workers), dprk's own settings, and
# git's (a git hook sets GIT_INDEX_FILE and GIT_DIR for the repository it runs in).
CALLER_ENVIRONMENT = (
    "COLUMNS",
    "LINES",
    "DPRK_REPO",
    "DPRK_DEBUG",
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GITHUB_ACTIONS",
)


@pytest.fixture(autouse=True)
def fixed_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test, and every dprk it runs in a subprocess, starts from the same environment
    whatever the terminal or hook the suite runs from; a test that wants a width gives
    COLUMNS itself."""
    for name in CALLER_ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty repository (schemas, kind folders) in a git work tree."""
    monkeypatch.delenv("DPRK_REPO", raising=False)
    return make_repo(tmp_path / "repo")


@pytest.fixture
def run(repo: Path) -> Runner:
    return Runner(repo)


EDITOR_SCRIPT = r"""
import json, pathlib, sys
plan = pathlib.Path(__file__).with_name("plan.json")
steps = json.loads(plan.read_text(encoding="utf-8"))
shown = pathlib.Path(__file__).with_name("shown.json")
seen = json.loads(shown.read_text(encoding="utf-8")) if shown.exists() else []
target = pathlib.Path(sys.argv[-1])
seen.append(target.read_text(encoding="utf-8"))
shown.write_text(json.dumps(seen), encoding="utf-8")
places = pathlib.Path(__file__).with_name("paths.json")
places.write_text(json.dumps((json.loads(places.read_text()) if places.exists() else []) + [str(target)]), encoding="utf-8")
step = steps[min(len(seen), len(steps)) - 1]
if isinstance(step, list):  # replacements to make in what was shown
    text = seen[-1]
    for old, new in step:
        assert old in text, old
        text = text.replace(old, new, 1)
    step = text
if step is not None:
    target.write_text(step, encoding="utf-8")
"""


class ScriptedEditor:
    """An $EDITOR that writes the given texts in turn and keeps what it was shown.

    A step is the new text, a list of [old, new] replacements to make in the text
    shown, or None to close without saving.
    """

    def __init__(self, folder: Path):
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "editor.py").write_text(EDITOR_SCRIPT, encoding="utf-8")

    def env(self, *steps: Any) -> dict[str, str]:
        import json
        import sys

        (self.folder / "plan.json").write_text(json.dumps(list(steps)), encoding="utf-8")
        (self.folder / "shown.json").unlink(missing_ok=True)
        (self.folder / "paths.json").unlink(missing_ok=True)
        return {"EDITOR": f'"{sys.executable}" "{self.folder / "editor.py"}"', "VISUAL": ""}

    @property
    def paths(self) -> list[str]:
        """The files the editor was opened on."""
        import json

        file = self.folder / "paths.json"
        return json.loads(file.read_text(encoding="utf-8")) if file.exists() else []

    @property
    def shown(self) -> list[str]:
        import json

        file = self.folder / "shown.json"
        return json.loads(file.read_text(encoding="utf-8")) if file.exists() else []


@pytest.fixture
def editor(tmp_path: Path) -> ScriptedEditor:
    return ScriptedEditor(tmp_path / "editor")


def commit_all(repo: Path, message: str) -> str:
    """Stage everything in `repo` and commit it; the new commit's id."""
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--allow-empty", "-m", message)
    return git(repo, "rev-parse", "HEAD").strip()
