"""Nothing outside the repository is read or written through a link, and nothing hangs on a
file that is not a regular file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import Runner, commit_all, git, in_one_process, sample, write_record

SECRET = "top-secret-value-of-the-runner"


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder beside the repository, holding a record-shaped file with a secret in it."""
    folder = tmp_path / "outside"
    folder.mkdir()
    record = sample("launch", id="2023-01-01-secret", summary=SECRET)
    from dprk_records.records import yamlwrite
    from dprk_records.records.schemas import Schemas

    kind = Schemas(Path(__file__).resolve().parent.parent / "schema").get("launch")
    (folder / "2023-01-01-secret.yaml").write_text(yamlwrite.dumps(record, kind.root, kind.header))
    return folder


def no_secret(result) -> None:
    assert SECRET not in result.output and SECRET not in result.stderr


# --- a record file that links out -------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["text", "json", "markdown"])
def test_diff_does_not_print_a_linked_file(repo, run, outside, fmt):
    write_record(repo, "launch", sample("launch"))
    commit_all(repo, "one record")
    (repo / "records/launches/2023-01-01-secret.yaml").symlink_to(outside / "2023-01-01-secret.yaml")
    result = run("diff", "--format", fmt)
    no_secret(result)
    assert "2023-01-01-secret" in result.output
    assert "symbolic link" in result.output


def test_diff_of_a_committed_link_does_not_read_its_target(repo, run, outside):
    write_record(repo, "launch", sample("launch"))
    commit_all(repo, "one record")
    (repo / "records/launches/2023-01-01-secret.yaml").symlink_to(outside / "2023-01-01-secret.yaml")
    commit_all(repo, "a link")
    result = run("diff", "HEAD~1..HEAD", "--format", "json")
    no_secret(result)
    [change] = json.loads(result.output)["records"]
    assert change["errors"] and "symbolic link" in change["errors"][0]


# --- a folder that links out ---------------------------------------------------------------------


@pytest.mark.parametrize("which", ["records/launches", "records"])
def test_a_folder_linked_outside_is_neither_read_nor_rewritten(repo, run, outside, which, tmp_path):
    write_record(repo, "meeting", sample("meeting"))
    target = outside
    if which == "records":
        # records/ itself leads out: a copy of a whole records tree beside the repository
        target = tmp_path / "outside-records"
        (target / "launches").mkdir(parents=True)
        os.replace(outside / "2023-01-01-secret.yaml", target / "launches" / "2023-01-01-secret.yaml")
        for folder in (repo / "records").iterdir():
            if folder.name != "launches":
                (target / folder.name).mkdir(exist_ok=True)
        import shutil

        shutil.rmtree(repo / "records")
    else:
        (repo / "records/launches").rmdir()
    (repo / which).symlink_to(target, target_is_directory=True)
    secret_file = next(target.rglob("2023-01-01-secret.yaml"))
    secret_file.write_text(secret_file.read_text().replace("summary: ", "summary:   "))  # not canonical
    before = secret_file.read_bytes()

    validated = run("validate")
    assert validated.exit_code == 1
    assert f"{which}: is a link to a folder outside the repository" in validated.output
    no_secret(validated)
    for args in (["query", "launches"], ["query", "--json"], ["export", "--format", "csv"], ["fmt"], ["stats"]):
        result = run(*args)
        assert result.exit_code == 1, (args, result.output)
        assert "is a link to a folder outside the repository" in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
        no_secret(result)
    assert secret_file.read_bytes() == before
    assert run("show", "2023-01-01-secret").exit_code != 0
    assert run("update", "2023-01-01-secret", "--title", "x").exit_code != 0
    assert secret_file.read_bytes() == before


def test_a_folder_linked_inside_the_repository_is_fine(repo, run):
    write_record(repo, "launch", sample("launch"))
    (repo / "records/launches").rename(repo / "launch-store")
    (repo / "records/launches").symlink_to(repo / "launch-store", target_is_directory=True)
    assert run("validate").exit_code == 0
    assert "2023-08-30-srbm" in run("query", "launches").output


# --- the cache folder ---------------------------------------------------------------------------------


@pytest.mark.parametrize("what", ["folder", "database"])
def test_a_cache_that_links_outside_is_not_used(repo, run, tmp_path, what):
    write_record(repo, "launch", sample("launch"))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "records.sqlite3").write_bytes(b"precious, not a database")
    (elsewhere / "notes.txt").write_text("keep me")
    if what == "folder":
        (repo / ".dprk-cache").symlink_to(elsewhere, target_is_directory=True)
    else:
        (repo / ".dprk-cache").mkdir()
        (repo / ".dprk-cache/records.sqlite3").symlink_to(elsewhere / "records.sqlite3")
    for args in (["validate"], ["query", "--json"], ["export", "--format", "csv"]):
        assert run(*args).exit_code == 0
    assert sorted(p.name for p in elsewhere.iterdir()) == ["notes.txt", "records.sqlite3"]
    assert (elsewhere / "records.sqlite3").read_bytes() == b"precious, not a database"


# --- paths through a link to the repository ---------------------------------------------------------------


def test_an_absolute_path_through_a_link_to_the_repository_works(repo, tmp_path):
    write_record(repo, "launch", sample("launch"))
    alias = tmp_path / "alias"
    alias.symlink_to(repo.parent, target_is_directory=True)  # as /tmp is a link to /private/tmp on macOS
    run = Runner(alias / repo.name)
    through = alias / repo.name / "records/launches/2023-08-30-srbm.yaml"
    result = run("validate", str(through))
    assert result.exit_code == 0, result.output
    assert run("validate", str(alias / repo.name / "records/launches")).exit_code == 0
    assert run("fmt", "--check", str(through)).exit_code == 0
    assert Runner(repo)("validate", str(through)).exit_code == 0


# --- not regular files ---------------------------------------------------------------------------------


def test_a_fifo_named_like_a_record_does_not_hang(repo):
    write_record(repo, "launch", sample("launch"))
    os.mkfifo(repo / "records/launches/2023-01-01-pipe.yaml")
    commands = (
        (["validate"], 1),
        (["validate", "records/launches/2023-01-01-pipe.yaml"], 1),
        (["query"], 0),
        (["fmt"], 1),
        (["show", "2023-01-01-pipe"], 2),
        (["update", "2023-01-01-pipe", "--title", "x"], 2),
    )
    # through CliRunner in one process apart: its timeout turns a hang into a failure, where a
    # hang in the test's own process would stop the test run
    answers = in_one_process(repo, [args for args, _ in commands], timeout=60, stdin=subprocess.DEVNULL)
    for (args, code), (status, stdout, stderr) in zip(commands, answers):
        assert status == code, (args, stdout, stderr)
        if args[0] == "validate":
            assert "2023-01-01-pipe.yaml: not a regular file" in stdout


# --- schemas ------------------------------------------------------------------------------------------


def secret_schemas(folder: Path, repo: Path) -> Path:
    """A copy of the repository's schema files, beside it, whose launch kind carries the secret."""
    import shutil

    shutil.copytree(repo / "schema", folder)
    launch = folder / "launch.schema.json"
    launch.write_text(
        launch.read_text().replace(
            '"description": "A DPRK launch event', f'"description": "{SECRET} A DPRK launch event', 1
        )
    )
    return folder


SCHEMA_COMMANDS = (
    ["schema"],
    ["schema", "launch"],
    ["validate"],
    ["query"],
    ["export", "--format", "csv"],
    ["fmt", "--check"],
    ["stats"],
    ["show", "2023-08-30-srbm"],
    ["add", "launch", "--help"],
    ["update", "2023-08-30-srbm", "--help"],
    ["add", "launch", "--title", "x"],
)


@pytest.mark.parametrize("which", ["schema", "schema/launch.schema.json"])
def test_schemas_linked_outside_are_not_read(repo, tmp_path, which):
    write_record(repo, "launch", sample("launch"))
    elsewhere = secret_schemas(tmp_path / "elsewhere", repo)
    target = elsewhere if which == "schema" else elsewhere / "launch.schema.json"
    if which == "schema":
        import shutil

        shutil.rmtree(repo / "schema")
    else:
        (repo / which).unlink()
    (repo / which).symlink_to(target, target_is_directory=which == "schema")
    env = {k: v for k, v in os.environ.items() if k != "DPRK_REPO"}
    run = Runner(repo)

    def in_a_process(*args: str) -> tuple[int, str, str]:
        done = subprocess.run(
            [sys.executable, "-m", "dprk_records", *args],
            cwd=repo,
            capture_output=True,
            text=True,
            timeout=60,
            env=env,
            stdin=subprocess.DEVNULL,
        )
        return done.returncode, done.stdout, done.stderr

    def in_process(*args: str) -> tuple[int, str, str]:
        result = run(*args)
        return result.exit_code, result.stdout, result.stderr

    # each command in-process through CliRunner (main's own handling of errors), and the
    # first of each list once more in a real process, as a shell runs it
    for n, args in enumerate(SCHEMA_COMMANDS):
        for ran in (in_a_process, in_process) if n == 0 else (in_process,):
            code, stdout, stderr = ran(*args)
            assert code == 1, (args, stdout, stderr)
            assert SECRET not in stdout + stderr, args
            [line] = stderr.strip().splitlines()
            assert line.startswith(f"dprk: error: {which}: ") and "link" in line and "outside the repository" in line, (
                args,
                line,
            )
    for n, args in enumerate(
        (["--help"], ["add", "--help"], ["query", "--help"])
    ):  # help that needs no schema still works
        for ran in (in_a_process, in_process) if n == 0 else (in_process,):
            code, stdout, stderr = ran(*args)
            assert code == 0 and "Traceback" not in stderr and SECRET not in stdout + stderr, args


def test_schemas_linked_inside_the_repository_work(repo, run):
    write_record(repo, "launch", sample("launch"))
    (repo / "schema").rename(repo / "schema-store")
    (repo / "schema").symlink_to(repo / "schema-store", target_is_directory=True)
    (repo / "schema-store" / "launch.schema.json").rename(repo / "launch.schema.json")
    (repo / "schema-store" / "launch.schema.json").symlink_to(repo / "launch.schema.json")
    assert run("validate").exit_code == 0
    assert "launch" in run("schema").output
    assert "2023-08-30-srbm" in run("query", "launches").output


def test_a_schema_folder_committed_as_a_link_is_not_followed(repo, run, tmp_path):
    write_record(repo, "launch", sample("launch"))
    base = commit_all(repo, "one record")
    import shutil

    elsewhere = secret_schemas(tmp_path / "elsewhere", repo)
    shutil.rmtree(repo / "schema")
    (repo / "schema").symlink_to(elsewhere, target_is_directory=True)
    write_record(repo, "launch", sample("launch", id="2023-09-01-more", date="2023-09-01"))
    head = commit_all(repo, "schema/ as a link, and a record")
    git(repo, "checkout", "-q", base)  # the reviewer's own checkout; the pull request's commit holds the link
    for fmt in ("text", "json", "markdown"):
        result = run("diff", f"{base}..{head}", "--format", fmt)
        assert result.exit_code == 0, result.output
        assert "2023-09-01-more" in result.output
        no_secret(result)
