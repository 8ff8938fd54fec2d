"""One fault gets one message, whichever way the value came in: an option, a prompt, a
file given with --from-file, the editor, or a record file checked by validate. And a
pattern's message says the form wanted, never the field's description."""

from __future__ import annotations

import json

import pytest

from conftest import SOURCE, sample, write_record

LAUNCH = "2023-08-30-srbm"
DATE_FORM = "'2023-13' is not a date (YYYY, YYYY-MM or YYYY-MM-DD)"
CALENDAR = "'2023-02-30' is not a day on the calendar"
URL_FORM = "'not a url' is not a web address: http:// or https:// and no spaces"


@pytest.fixture
def launch(repo):
    write_record(repo, "launch", sample("launch"))
    return repo


@pytest.mark.parametrize("value, message", [("2023-13", DATE_FORM), ("2023-02-30", CALENDAR)])
def test_a_bad_date_reads_the_same_as_option_file_editor_and_validate(launch, run, editor, tmp_path, value, message):
    as_option = run("update", LAUNCH, "--date", value)
    assert as_option.exit_code == 2 and f"--date: {message}" in as_option.output
    changes = tmp_path / "changes.yaml"
    changes.write_text(f"date: '{value}'\n", encoding="utf-8")
    from_file = run("update", LAUNCH, "--from-file", str(changes))
    assert from_file.exit_code == 1 and f"$.date: {message}" in from_file.output
    in_editor = run("update", LAUNCH, "--edit", env=editor.env([["date: '2023-08-30'", f"date: '{value}'"]], ""))
    assert in_editor.exit_code == 1
    assert any(f"$.date: {message}" in shown for shown in editor.shown[1:])  # listed at the top when reopened
    write_record(launch, "launch", sample("launch", date=value))
    assert f"$.date: {message}" in run("validate").output
    as_since = run("query", "--since", value)
    assert as_since.exit_code == 2 and f"--since: {message}" in as_since.output


def test_a_bad_url_says_the_form_wanted_by_every_route(launch, run, editor):
    bad = dict(SOURCE, url="not a url")
    as_option = run("update", LAUNCH, "--source", json.dumps(bad))
    assert as_option.exit_code == 1 and f"$.sources[0].url: {URL_FORM}" in as_option.output
    as_set = run("update", LAUNCH, "--set", "sources[0].url=not a url")
    assert as_set.exit_code == 1 and URL_FORM in as_set.output
    write_record(launch, "launch", sample("launch", sources=[bad]))
    checked = run("validate").output
    assert URL_FORM in checked and "Where the document can be read" not in checked


def test_every_pattern_in_the_schemas_says_its_form_in_words(repo):
    """A pattern without words would fall back to printing the regular expression."""
    missing = []
    for file in sorted((repo / "schema").glob("*.schema.json")):

        def walk(node, where):
            if isinstance(node, dict):
                if "pattern" in node and not node.get("x-form") and node.get("x-role") != "date":
                    missing.append(f"{file.name}:{where}")  # noqa: B023 (walk runs within the same iteration)
                for key, value in node.items():
                    walk(value, f"{where}/{key}")
            elif isinstance(node, list):
                for index, value in enumerate(node):
                    walk(value, f"{where}/{index}")

        walk(json.loads(file.read_text(encoding="utf-8")), "")
    assert missing == []


def test_a_tag_and_an_id_name_their_form(launch, run):
    result = run("update", LAUNCH, "--append", "tags=Not A Tag")
    assert result.exit_code == 1 and "'Not A Tag' is not a tag: lowercase letters, digits and hyphens" in result.output
    result = run(
        "add",
        "launch",
        "--id",
        "Not-An-Id",
        "--date",
        "2023-08-30",
        "--title",
        "t",
        "--summary",
        "s",
        "--category",
        "SRBM",
        "--source",
        json.dumps(SOURCE),
    )
    assert (
        result.exit_code == 1
        and "'Not-An-Id' is not an id: a date (YYYY, YYYY-MM or YYYY-MM-DD), a hyphen and a slug" in result.output
    )


def test_a_final_newline_is_not_a_date_for_options_either(launch, run):
    """`$` in a Python pattern lets a final newline through; a date option must not."""
    result = run("update", LAUNCH, "--date", "2023-08-30\n")
    assert result.exit_code == 2 and "is not a date" in result.output
    assert run("query", "--since", "2023\n").exit_code == 2


def test_the_prompt_for_a_list_of_objects_uses_the_fields_title(launch, run):
    answers = (
        [
            "2023-11-21",
            "A launch",
            "s.",
            "SRBM",
            "Pub",
            "T",
            "2023-11-21",
            "",
            "",
            "q",
            "",
            "n",  # required; a source
            "y",
        ]
        + [""] * 10
        + ["n", "n", ""]
    )  # the optional fields: no observation, no attribution, no tags
    result = run("add", "launch", "--prompt", "--dry-run", input="\n".join(answers) + "\n")
    assert "Add an attribution (according_to)? [y/N]" in result.stderr
    assert "Add an according_to?" not in result.stderr
