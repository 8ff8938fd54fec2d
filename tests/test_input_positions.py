"""Problems in a record given with `--from-file FILE` or `--from-file -` (stdin) name that
input as it was given, at lines and columns of that input, for `add` and `update`; and
`add` and `update` read back what they write."""

from __future__ import annotations

import json

import pytest

from conftest import SOURCE, sample, write_record
from dprk_records.records import yamlread

LAUNCH = "2023-08-30-srbm"

BAD_LAUNCH = """\
# A launch given as a file.
# (two comment lines and a blank one come first)

date: 2023-09-01
title: A launch
category: NOPE
summary: Something.
count: -5
sources:
  - publisher: Security Council Report
    title: A forecast
    date: 2023-13
    quote: q
"""


def lines_of(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if not line.startswith("dprk: error:")]


@pytest.mark.parametrize("given", ["file", "stdin"])
def test_add_names_the_input_at_its_own_lines(run, repo, tmp_path, given):
    bad = tmp_path / "bad.yaml"
    bad.write_text(BAD_LAUNCH)
    if given == "file":
        result = run("add", "launch", "--from-file", str(bad))
        name = str(bad)
    else:
        result = run("add", "launch", "--from-file", "-", input=BAD_LAUNCH)
        name = "<stdin>"
    assert result.exit_code == 1
    problems = lines_of(result.stderr)
    assert problems[0].startswith(f"{name}:6:11: $.category: 'NOPE' is not one of"), problems
    assert problems[1].startswith(f"{name}:8:8: $.count: must be at least 1"), problems
    assert problems[2].startswith(f"{name}:12:11: $.sources[0].date: "), problems
    assert len(problems) == 3 and "records/" not in result.stderr  # no file that was never written
    assert list((repo / "records/launches").iterdir()) == []


def test_add_names_the_record_for_values_given_as_options(run, repo, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(BAD_LAUNCH)
    result = run("add", "launch", "--from-file", str(bad), "--category", "SRBM", "--count", "0")
    problems = lines_of(result.stderr)
    assert [p.split(": ", 2)[1] for p in problems] == ["$.count", "$.sources[0].date"]
    assert problems[0].startswith(
        "records/launches/2023-09-01-a-launch.yaml:"
    )  # an option: no line of the file to name
    assert problems[1].startswith(f"{bad}:12:11: ")


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_update_names_the_input_at_its_own_lines(run, repo, tmp_path, suffix):
    record = write_record(repo, "launch", sample("launch"))
    before = record.read_bytes()
    changes = {"category": "NOPE", "count": -5}
    text = "category: NOPE\n\ncount: -5\n" if suffix == ".yaml" else '{"category": "NOPE",\n\n "count": -5}\n'
    bad = tmp_path / f"changes{suffix}"
    bad.write_text(text)
    result = run("update", LAUNCH, "--from-file", str(bad))
    assert result.exit_code == 1
    problems = lines_of(result.stderr)
    column = 11 if suffix == ".yaml" else 14
    assert problems[0].startswith(f"{bad}:1:{column}: $.category: 'NOPE'"), problems
    assert problems[1].startswith(f"{bad}:3:{8 if suffix == '.yaml' else 11}: $.count: "), problems
    stdin = run("update", LAUNCH, "--from-file", "-", input=json.dumps(changes))
    assert lines_of(stdin.stderr)[0].startswith("<stdin>:1:"), stdin.stderr
    assert record.read_bytes() == before


# --- add and update read back what they write ---------------------------------------------------

AWKWARD = [
    " leading space\nsecond line",
    "  two\n  lines\n",
    "line\n\n\nafter blank lines",
    "trailing space \nnext",
    "tab\there\nnext",
    "- looks like a list\n# and a comment",
    "|\n>",
    "x\n ",
    "\n starts with a newline",
]


@pytest.mark.parametrize("summary", AWKWARD)
def test_add_and_update_write_what_reads_back(run, repo, summary):
    added = run(
        "add",
        "launch",
        "--id",
        "2023-09-01-awkward",
        "--date",
        "2023-09-01",
        "--title",
        "Awkward",
        "--summary",
        summary,
        "--category",
        "SRBM",
        "--source",
        json.dumps(SOURCE),
    )
    assert added.exit_code == 0, added.output
    path = repo / "records/launches/2023-09-01-awkward.yaml"
    assert yamlread.load_file(path)["summary"] == summary
    updated = run("update", "2023-09-01-awkward", "--title", summary)
    assert updated.exit_code == 0, updated.output
    assert yamlread.load_file(path)["title"] == summary


def test_a_text_that_would_not_read_back_is_never_written(run, repo, monkeypatch):
    """The guard itself: an emitter that wrongly takes a leading space for a literal block
    (the check `text[0] in " \\n"` weakened to `"\\n"`) makes add and update refuse."""
    from dprk_records.records import yamlwrite

    record = write_record(repo, "launch", sample("launch"))
    before = record.read_bytes()
    honest = yamlwrite._literal_ok
    monkeypatch.setattr(
        yamlwrite, "_literal_ok", lambda text: honest(text) or (text[:1] == " " and "\n" in text and "\t" not in text)
    )
    added = run(
        "add",
        "launch",
        "--id",
        "2023-09-01-awkward",
        "--date",
        "2023-09-01",
        "--title",
        "Awkward",
        "--summary",
        " leading\nsecond",
        "--category",
        "SRBM",
        "--source",
        json.dumps(SOURCE),
    )
    assert added.exit_code == 1
    assert "would not read back" in added.stderr and len(added.stderr.strip().splitlines()) == 1
    assert not (repo / "records/launches/2023-09-01-awkward.yaml").exists()
    updated = run("update", LAUNCH, "--summary", " leading\nsecond")
    assert updated.exit_code == 1 and "would not read back" in updated.stderr
    assert record.read_bytes() == before
    assert [p.name for p in (repo / "records/launches").iterdir()] == [f"{LAUNCH}.yaml"]
