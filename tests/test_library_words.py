"""The library speaks in its own words: an error names the parameter that was wrong as a
program passes it (`limit`, `output=FILE`); the command line names the flag (`--limit`,
`-o FILE`), so both messages say what, where and what to do."""

from __future__ import annotations

import re

import pytest

from conftest import sample, write_record

FLAG = re.compile(r"(?<![\w=-])--?[a-z]")  # --limit, -o: a flag, not a date or a negative number


def library_error(call):
    from dprk_records.errors import DprkError

    with pytest.raises(DprkError) as caught:
        call()
    text = str(caught.value)
    assert not FLAG.search(text), text
    assert "{" not in text, text  # no placeholder left unfilled
    return caught.value, text


def test_the_python_api_names_parameters_not_flags(repo, tmp_path):
    from dprk_records import Repository, build_selection, export, validate, write_selection

    write_record(repo, "launch", sample("launch"))
    found = Repository.find(repo)
    selection = build_selection(found, ["launch"])
    cases = [
        (lambda: build_selection(found, limit=-1), "limit", "limit -1 is negative"),
        (lambda: build_selection(found, search=" "), "search", "search needs some text"),
        (lambda: build_selection(found, sort=" "), "sort", "sort needs a field"),
        (lambda: build_selection(found, since="2023-13"), "since", "since"),
        (lambda: build_selection(found, ["launch"], where=["=1"]), "where", "where '=1': expected FIELD OP VALUE"),
        (lambda: build_selection(found, ["launch"], where=["categroy=ICBM"]), "where", "in where for launch"),
        (lambda: build_selection(found, ["launch"], sort="nope"), "sort", "in sort"),
        (lambda: export(found, selection, "sqlite", None), "output", "fmt=sqlite needs output=FILE"),
        (lambda: export(found, selection, "datapackage", "-"), "output", "fmt=datapackage needs output=FOLDER"),
        (lambda: export(found, selection, "sqlite", "x.sqlite", fields=("id",)), "fields", "do not apply"),
        (lambda: export(found, selection, "json", None, bom=True), "bom", "bom is for csv and tsv"),
        (lambda: export(found, selection, "csv", ""), "output", "output was given an empty file name"),
        (lambda: export(found, selection, "yaml", None), "fmt", "unknown fmt 'yaml'"),
        (lambda: write_selection(found, selection, None, "csv", fields=(",",)), "fields", "fields was given no"),
        (lambda: write_selection(found, selection, None, "csv", explode="title"), "explode", "not a list field"),
        (lambda: validate(found, ["records"], since="HEAD"), "since", "give either paths or since"),
        (lambda: Repository.find(tmp_path / "nowhere"), "repo", "check the folder or DPRK_REPO"),
    ]
    (repo / "taken.csv").write_text("x\n", encoding="utf-8")
    cases.append((lambda: export(found, selection, "csv", str(repo / "taken.csv")), "output", "add force to replace"))
    for call, param, words in cases:
        error, text = library_error(call)
        assert error.param == param, (text, error.params)
        assert words in text, text


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["query", "--limit", "-1"], "--limit -1 is negative (give 0 or more)"),
        (["query", "--search", " "], "--search needs some text"),
        (["query", "--since", "2023-13"], "--since: "),
        (["query", "launches", "--where", "=1"], "--where '=1': expected FIELD OP VALUE"),
        (
            ["query", "launches", "--where", "count=>2"],
            "for example --where 'count>=2' or --where 'observations.actor=KCNA'",
        ),
        (["query", "launches", "--sort", "nope"], "in --sort for launch"),
        (
            ["export", "--format", "sqlite"],
            "--format sqlite needs -o FILE (for example: --format sqlite -o dprk.sqlite)",
        ),
        (["export", "--format", "datapackage"], "--format datapackage needs -o FOLDER"),
        (["export", "--format", "sqlite", "--fields", "id", "-o", "x.sqlite"], "--fields and --explode do not apply"),
        (["export", "--json", "--bom"], "--bom is for csv and tsv, not json (leave out --bom)"),
        (["export", "-o", ""], "-o was given an empty file name"),
        (["export", "-o", "taken.csv"], "(add --force to replace it, or choose another -o)"),
        (["query", "--fields", ","], "--fields was given no field names"),
        (["query", "launches", "--explode", "title"], "--explode 'title' is not a list field"),
        (["validate", "records", "--changed-since", "HEAD"], "give either PATH arguments or --changed-since"),
        (["query", "--repo", "nowhere"], "(check --repo or DPRK_REPO)"),
        (["votes", "--chart", "taken.svg"], "(add --force to replace it, or choose another --chart)"),
        (["votes", "--chart", "votes.txt"], "(name the file FILE.svg or FILE.png)"),
    ],
)
def test_the_command_line_names_the_flags(run, repo, args, words):
    write_record(repo, "launch", sample("launch"))
    (repo / "taken.csv").write_text("x\n", encoding="utf-8")
    (repo / "taken.svg").write_text("x\n", encoding="utf-8")
    result = run(*args)
    assert result.exit_code == 2, result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("dprk: error:")]
    assert len(errors) == 1 and words in errors[0], result.stderr


def test_a_note_beside_the_output_names_the_parameter_and_the_command_line_its_flag(capsys):
    import io

    from dprk_records.errors import listen
    from dprk_records.output.formats import write_table

    columns = ["id", "title", "summary"]
    rows = [["2023-08-30-srbm", "A launch with a long title", "A summary far too long to fit the narrow width"]]
    write_table(io.StringIO(), columns, rows, width=30)
    said = capsys.readouterr().err
    assert said.startswith("dprk: left out to fit 30 columns: ") and said.endswith("(name the columns with fields)\n")
    assert not FLAG.search(said), said
    heard = []
    before = listen(heard.append)
    try:
        write_table(io.StringIO(), columns, rows, width=30)
    finally:
        listen(before)
    assert capsys.readouterr().err == ""
    assert len(heard) == 1 and heard[0].param == "fields"
    assert heard[0].worded({"fields": "--fields"}).endswith("(name the columns with --fields)")
