"""Shell completion through click's own protocol: kinds, ids, fields, state codes, paths.

The shell asks through environment variables (_DPRK_COMPLETE, COMP_WORDS, COMP_CWORD) and
reads the answer on stdout. Most cases ask in-process through CliRunner; each answer
format (bash's and zsh's) is also asked of a real process started the way the shell starts it."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from conftest import Runner, sample, write_record


def ask(cwd, shell: str, *words: str) -> tuple[int, str, str]:
    """What `dprk WORDS<TAB>` answers, in-process: the exit status, stdout and stderr."""
    env = {
        "_DPRK_COMPLETE": f"{shell}_complete",
        "COMP_WORDS": " ".join(("dprk",) + words),
        "COMP_CWORD": str(len(words)),
    }
    result = Runner(cwd)(env=env)
    return result.exit_code, result.stdout, result.stderr


def ask_a_process(cwd, shell: str, *words: str) -> tuple[int, str, str]:
    """The same, asked of a fresh `python` process as the shell's completion script does."""
    env = {k: v for k, v in os.environ.items() if k not in ("DPRK_REPO", "DPRK_DEBUG")}
    env.update(_DPRK_COMPLETE=f"{shell}_complete", COMP_WORDS=" ".join(("dprk",) + words), COMP_CWORD=str(len(words)))
    done = subprocess.run(
        [sys.executable, "-c", "from dprk_records.main import main; main()"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return done.returncode, done.stdout, done.stderr


def complete(cwd, *words: str, asked=ask) -> list[str]:
    """What `dprk WORDS<TAB>` offers (the last word is the one being completed)."""
    code, stdout, stderr = asked(cwd, "bash", *words)
    assert code == 0 and stderr == "", stderr
    return [line.split(",", 1)[1] for line in stdout.splitlines() if line.startswith(("plain,", "file,", "dir,"))]


@pytest.fixture
def records(repo):
    write_record(repo, "launch", sample("launch"))
    write_record(repo, "meeting", sample("meeting", launches=["2023-08-30-srbm"]))
    write_record(repo, "statement", sample("statement"))
    return repo


def test_kinds(records):
    assert complete(records, "query", "laun", asked=ask_a_process) == ["launch", "launches"]
    assert complete(records, "query", "laun") == ["launch", "launches"]
    assert "nuclear-test" in complete(records, "schema", "")
    assert complete(records, "add", "meet") == ["meeting"]


def test_record_ids_for_show_log_update_rename_and_references(records):
    every = ["2023-08-30-srbm", "2023-08-25-open-briefing", "2023-08-24-sg-statement"]
    for command in ("show", "log", "update", "rename"):
        assert sorted(complete(records, command, "2023")) == sorted(every), command
    assert complete(records, "add", "meeting", "--launches", "2023") == ["2023-08-30-srbm"]  # launches only
    assert complete(records, "update", "2023-08-24-sg-statement", "--meeting", "2023") == ["2023-08-25-open-briefing"]


def test_field_names(records):
    assert "id,date_start" in complete(records, "query", "launches", "--fields", "id,date_s")
    assert "observations.apogee_km" in complete(records, "query", "launches", "--where", "observations.ap")
    assert complete(records, "query", "meetings", "--explode", "requ") == ["requested_by"]
    assert "count" in complete(records, "query", "launches", "--sort", "co")
    assert "date_note" in complete(records, "update", "2023-08-30-srbm", "--unset", "date")


def test_state_codes_and_paths(records):
    assert complete(records, "add", "meeting", "--requested-by", "US") == ["USA"]
    env_words = complete(records, "validate", "rec")
    assert env_words == ["rec"]  # handed, as a file, to the shell's own file completion


def test_outside_a_repository_nothing_is_offered_or_printed(tmp_path):
    for words in (("show", "20"), ("query", "la"), ("update", "2"), ("add", "l"), ("query", "--fields", "i")):
        assert complete(tmp_path, *words) == [], words


def test_output_files_complete_as_paths_in_bash_and_zsh(records):
    for shell in ("bash", "zsh"):
        for n, words in enumerate(
            (
                ("export", "-o", "lau"),
                ("export", "--output", "lau"),
                ("chart", "-o", "lau"),
                ("votes", "--chart", "lau"),
            )
        ):
            code, stdout, stderr = (ask_a_process if n == 0 else ask)(records, shell, *words)
            assert code == 0 and stderr == ""
            # bash: "file,lau"; zsh: "file", "lau", "_": handed to the shell's own file completion
            assert stdout.splitlines()[:2] in (["file,lau"], ["file", "lau"]), (shell, words, stdout)


def test_field_names_are_those_of_the_kinds_named_before_the_option(records):
    assert complete(records, "query", "meetings", "--fields", "fo") == ["format"]
    assert complete(records, "query", "launches", "--fields", "fo") == []  # launches have no field format
    assert complete(records, "query", "launches", "--where", "fo") == []
    assert complete(records, "export", "--since", "2023", "launches", "--sort", "fo") == []
    assert "format" in complete(records, "query", "--fields", "fo")  # no kind named: every kind's fields
    assert complete(records, "reactions", "--fields", "days_to_r") == ["days_to_response"]  # the command's own columns
    assert complete(records, "votes", "--fields", "veto") == ["vetoes", "vetoed"]


def test_sort_completes_descending_fields(records):
    assert complete(records, "query", "launches", "--sort", "-co") == ["-count"]
    assert complete(records, "query", "launches", "--sort", "date,-co") == ["date,-count"]
    assert "--sort" in complete(records, "query", "launches", "--so")  # option names still complete
