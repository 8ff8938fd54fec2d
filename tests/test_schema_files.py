"""Broken or hostile schema files give one clear line, never an internal error."""

from __future__ import annotations

import json

import pytest

from conftest import PROJECT, sample, write_record


def edit_schema(repo, name, change):
    path = repo / "schema" / f"{name}.schema.json"
    schema = json.loads(path.read_text())
    change(schema)
    path.write_text(json.dumps(schema, indent=2))


def one_line_error(result, code=1):
    assert result.exit_code == code, result.output
    assert "internal error" not in result.output
    assert len(result.output.strip().splitlines()) == 1, result.output
    return result.output


@pytest.mark.parametrize("folder", ["../../escaped", "Launches", "a/b", ""])
def test_x_folder_must_be_a_plain_folder_name(repo, run, folder):
    edit_schema(repo, "launch", lambda s: s.update({"x-folder": folder}))
    for args in (["validate"], ["add", "launch", "--help"], ["query"]):
        output = one_line_error(run(*args))
        assert "launch.schema.json: x-folder must be lowercase letters" in output
    assert not (repo.parent / "escaped").exists()


def test_x_kind_must_be_a_string(repo, run):
    edit_schema(repo, "launch", lambda s: s.update({"x-kind": ["launch"]}))
    assert "x-kind must be lowercase letters" in one_line_error(run("validate"))


def test_a_ref_to_nothing(repo, run):
    edit_schema(
        repo, "launch", lambda s: s["properties"].update({"count": {"$ref": "definitions.schema.json#/$defs/nothing"}})
    )
    output = one_line_error(run("validate"))
    assert "launch.schema.json: $ref 'definitions.schema.json#/$defs/nothing' points at nothing" in output


def test_a_pattern_that_is_not_a_regular_expression(repo, run):
    write_record(repo, "launch", sample("launch"))
    edit_schema(
        repo,
        "launch",
        lambda s: s["properties"].update({"name": {"type": "string", "pattern": "[", "description": "x"}}),
    )
    output = one_line_error(run("validate", "--no-cache"))
    assert "launch.schema.json: not a valid JSON Schema" in output


def test_a_schema_the_meta_schema_refuses(repo, run):
    write_record(repo, "launch", sample("launch"))
    edit_schema(
        repo,
        "launch",
        lambda s: s["properties"].update({"count": {"type": "integer", "minimum": "one", "description": "x"}}),
    )
    assert "not a valid JSON Schema" in one_line_error(run("validate"))


def test_every_schema_has_its_file_name_as_id_and_resolves_by_ids_alone():
    """ajv, check-jsonschema and the YAML language server find the definitions through `$id`:
    with only the ids to go on (no file paths, nothing fetched), every record validates."""
    import json

    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource
    from referencing.exceptions import NoSuchResource

    from dprk_records.records import yamlread

    def refuse(uri: str):
        raise NoSuchResource(ref=uri)

    documents = {
        path.name: json.loads(path.read_text(encoding="utf-8")) for path in (PROJECT / "schema").glob("*.schema.json")
    }
    for name, document in documents.items():
        assert document.get("$id") == name, name
    registry = Registry(retrieve=refuse).with_resources(
        (document["$id"], Resource.from_contents(document)) for document in documents.values()
    )
    checked = 0
    for document in documents.values():
        if "x-folder" not in document:
            continue
        validator = Draft202012Validator(document, registry=registry)
        for path in sorted((PROJECT / "records" / document["x-folder"]).glob("*.yaml"))[:40]:
            errors = list(validator.iter_errors(yamlread.load_file(path)))
            assert errors == [], (path, errors[0].message)
            checked += 1
    assert checked > 100
