"""Allowed values follow one rule wherever they are typed, a near miss gets the value,
field or id that was meant (and nothing when nothing is near), and a list of codes can be
typed as codes."""

from __future__ import annotations

import json

import pytest

from conftest import sample, write_record
from dprk_records.records import yamlread
from dprk_records.records.suggest import nearest, nearest_ids

LAUNCH = "2023-08-30-srbm"
MEETING = "2023-08-25-open-briefing"


@pytest.fixture
def records(repo):
    write_record(repo, "launch", sample("launch"))
    write_record(repo, "meeting", sample("meeting"))
    return repo


def stored(repo, folder, name):
    return yamlread.load_file(repo / "records" / folder / f"{name}.yaml")


# --- one rule for the case of allowed values -------------------------------------------------


@pytest.mark.parametrize(
    "args, field, expected",
    [
        (["update", LAUNCH, "--overflew", "jpn"], "overflew", ["JPN"]),
        (["update", MEETING, "--requested-by", "usa", "--requested-by", "Gbr"], "requested_by", ["USA", "GBR"]),
        (["update", LAUNCH, "--set", 'overflew=["kor"]'], "overflew", ["KOR"]),
        (["update", LAUNCH, "--append", "overflew=jpn"], "overflew", ["JPN"]),
        (["update", LAUNCH, "--set", "category=icbm"], "category", "ICBM"),
        (["update", LAUNCH, "--category", "icbm"], "category", "ICBM"),
        (
            [
                "update",
                LAUNCH,
                "--observation",
                '{"actor": "KCNA", "actor_type": "STATE-MEDIA", "actor_state": "prk", "stance": "claim"}',
            ],
            "observations",
            [{"actor": "KCNA", "actor_type": "state-media", "actor_state": "PRK", "stance": "claim"}],
        ),
    ],
)
def test_allowed_values_match_in_any_case_in_every_option(records, run, args, field, expected):
    result = run(*args)
    assert result.exit_code == 0, result.output
    folder = "launches" if args[1] == LAUNCH else "meetings"
    assert stored(records, folder, args[1])[field] == expected


def test_from_file_values_match_in_any_case_too(records, run, tmp_path):
    changes = tmp_path / "changes.yaml"
    changes.write_text("overflew: [jpn, Kor]\ncategory: irbm\n", encoding="utf-8")
    result = run("update", LAUNCH, "--from-file", str(changes))
    assert result.exit_code == 0, result.output
    data = stored(records, "launches", LAUNCH)
    assert data["overflew"] == ["JPN", "KOR"] and data["category"] == "IRBM"


def test_where_matches_in_any_case_and_a_record_file_must_spell_values_exactly(records, run):
    result = run("query", "meetings", "--where", "requested_by=usa", "--csv", "--fields", "id")
    assert result.output.split() == ["id", MEETING]
    write_record(records, "meeting", sample("meeting", requested_by=["usa"]))
    result = run("validate")
    assert result.exit_code == 1
    assert "$.requested_by[0]: 'usa' is not an allowed value; did you mean 'USA' (United States)?" in result.output
    assert "'dprk schema --values requested_by'" in result.output


@pytest.mark.parametrize("typed", ["JAP", "japan", "Japan"])
def test_a_state_code_that_is_not_one_suggests_the_nearest_with_its_name(records, run, typed):
    result = run("update", LAUNCH, "--overflew", typed)
    assert result.exit_code == 2
    message = result.output.strip()
    assert message.startswith(
        f"dprk: error: --overflew: '{typed}' is not an allowed value; did you mean 'JPN' (Japan)?"
    )
    assert "'dprk schema --values overflew'" in message and len(message.splitlines()) == 1
    assert "dprk schema --values overflew" in message
    listed = run("schema", "--values", "overflew", "--csv").output.splitlines()
    assert listed[0] == "value,name" and "JPN,Japan" in listed and len(listed) == 196


def test_the_same_typo_gets_the_same_answer_in_set_append_and_where(records, run):
    for args in (["update", LAUNCH, "--set", "overflew=JAP"], ["update", LAUNCH, "--append", "overflew=JAP"]):
        result = run(*args)
        assert result.exit_code == 2 and "'JAP' is not an allowed value; did you mean 'JPN' (Japan)?" in result.output
    result = run("query", "launches", "--where", "overflew=JAP")
    assert result.exit_code == 0 and "'JAP' is not an allowed value; did you mean 'JPN' (Japan)?" in result.stderr


def test_schema_values_lists_codes_with_names_by_field_or_by_title(records, run):
    by_title = run("schema", "--values", "state", "--csv")
    assert by_title.exit_code == 0
    assert by_title.output == run("schema", "--values", "states", "--csv").output
    assert "KOR,Republic of Korea" in by_title.output.splitlines()
    kinds = run("schema", "launch", "--values", "category", "--csv").output.split()
    assert kinds[0] == "value" and "ICBM" in kinds and "satellite-launch-vehicle" in kinds
    wrong = run("schema", "--values", "catgory")
    assert wrong.exit_code == 2 and "did you mean 'category'?" in wrong.output
    listed = run("schema", "launch").output
    assert "dprk schema --values overflew" in listed  # the fields list says where the codes are


# --- did you mean ------------------------------------------------------------------------------


def test_where_with_a_misspelt_field_suggests_it_instead_of_listing_all(records, run):
    result = run("query", "--where", "categroy=ICBM")
    assert result.exit_code == 2
    assert "unknown field 'categroy' in --where" in result.output and "(did you mean 'category'?)" in result.output
    assert "valid fields" not in result.output
    assert "did you mean 'observations.actor'" in run("query", "launches", "--where", "actor=KCNA").output
    for option in ("--sort", "--fields"):
        assert "did you mean 'category'?" in run("query", "launches", option, "categroy").output


def test_set_on_a_misspelt_path_suggests_the_field(records, run):
    result = run("update", LAUNCH, "--set", "observatons[0].apogee_km=3")
    assert (
        result.exit_code == 2
        and "launch has no field at observatons[0].apogee_km (did you mean 'observations'?)" in result.output
    )
    result = run("update", LAUNCH, "--remove", "observations[0].apogee")
    assert result.exit_code == 2 and "did you mean 'apogee_km'?" in result.output
    result = run("update", LAUNCH, "--unset", "categroy")
    assert result.exit_code == 2 and "did you mean 'category'?" in result.output


@pytest.mark.parametrize("command", ["show", "update", "log"])
def test_an_unknown_id_suggests_the_record_meant(records, run, command):
    args = [command, "2023-08-30-srmb"] + (["--count", "1"] if command == "update" else [])
    result = run(*args)
    assert result.exit_code == 2
    assert f"did you mean '{LAUNCH}'?" in result.output


def test_an_id_on_another_day_is_not_suggested(records, run):
    for wrong in ("2023-09-14-srbm", "2024-08-30-srbm-launch", "2023-08-30-missile-barrage"):
        result = run("show", wrong)
        assert result.exit_code == 2 and "did you mean" not in result.output
        assert "list ids with 'dprk query'" in result.output


def test_a_dangling_reference_suggests_only_a_near_id(records, run):
    write_record(records, "launch", sample("launch", id="2022-03-24-icbm-launch", date="2022-03-24"))
    write_record(records, "meeting", sample("meeting", launches=["2022-11-03-icbm-launch"]))
    result = run("validate")
    assert "refers to '2022-11-03-icbm-launch', which is not a record" in result.output
    assert "did you mean" not in result.output
    write_record(records, "meeting", sample("meeting", launches=["2022-03-24-icbm-lanch"]))
    assert "did you mean '2022-03-24-icbm-launch'?" in run("validate").output


@pytest.mark.parametrize(
    "typed, ids, expected",
    [
        ("2022-11-03-icbm-launch", ["2022-03-24-icbm-launch", "2022-11-02-missile-barrage"], []),
        ("2022-11-03-icbm-launch", ["2022-11-30-icbm-launch"], ["2022-11-30-icbm-launch"]),  # two digits swapped
        ("2022-11-03-icbm-launch", ["2022-11-03-icbm-launch-failure"], ["2022-11-03-icbm-launch-failure"]),
        ("2022-11-03-icbm-launch", ["2022-11-icbm-launch"], ["2022-11-icbm-launch"]),  # the same date, less precise
        (
            "2023-11-21-malligyong-1-satellite-launch",
            ["2023-11-21-malligyong-1-satellite", "2023-11-22-ballistic-missile"],
            ["2023-11-21-malligyong-1-satellite"],
        ),
        (
            "2023-11-21-launch",
            ["2023-11-21-a-launch", "2023-11-21-b-launch", "2023-11-21-c-launch", "2023-11-21-d-launch"],
            [],
        ),
        ("srbm", ["2023-08-30-srbm"], ["2023-08-30-srbm"]),  # a slug alone finds its id
        ("srbm", ["2023-08-30-srbm", "2022-01-05-srbm", "2021-03-25-srbm", "2020-03-02-srbm"], []),
    ],
)
def test_nearest_ids_rank_date_and_slug_apart(typed, ids, expected):
    assert nearest_ids(typed, ids) == expected


def test_nearest_words_say_nothing_rather_than_something_wrong():
    assert nearest("categroy", ["category", "count", "date"]) == ["category"]
    assert nearest("colour", ["category", "count", "date"]) == []
    assert nearest("id", ["ip", "if", "in"]) == []
    assert nearest("apogee", ["apogee_km", "range_km"]) == ["apogee_km"]  # the start of one name


# --- lists of values ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed, expected",
    [("JPN", ["JPN"]), ("JPN,KOR", ["JPN", "KOR"]), ("jpn, kor", ["JPN", "KOR"]), ('["JPN"]', ["JPN"])],
)
def test_a_list_of_codes_is_typed_as_codes(records, run, typed, expected):
    result = run("update", LAUNCH, "--set", f"overflew={typed}")
    assert result.exit_code == 0, result.output
    assert stored(records, "launches", LAUNCH)["overflew"] == expected


def test_a_broken_list_says_exactly_what_to_type(records, run):
    result = run("update", LAUNCH, "--set", 'overflew=["JPN"')
    assert result.exit_code == 2
    assert 'give the values separated by commas, AFG,AGO, or a JSON list, ["AFG", "AGO"]' in result.output
    assert '{"key": "value"}' not in result.output


def test_a_list_of_free_text_is_one_element_per_value(repo, run):
    write_record(repo, "sanctions-report", sample("sanctions-report"))
    result = run("update", "2023-09-12-panel-midterm", "--set", "key_findings=One finding, with a comma")
    assert result.exit_code == 0, result.output
    assert stored(repo, "sanctions-reports", "2023-09-12-panel-midterm")["key_findings"] == [
        "One finding, with a comma"
    ]


def test_json_of_objects_is_matched_in_any_case(records, run):
    element = json.dumps({"actor": "JCS", "actor_type": "MILITARY", "actor_state": "kor", "stance": "Assessment"})
    result = run("update", LAUNCH, "--append", f"observations={element}")
    assert result.exit_code == 0, result.output
    assert stored(records, "launches", LAUNCH)["observations"][-1] == {
        "actor": "JCS",
        "actor_type": "military",
        "actor_state": "KOR",
        "stance": "assessment",
    }


def test_show_paths_gives_the_path_of_every_value_and_update_takes_it(records, run):
    write_record(
        records,
        "launch",
        sample(
            "launch",
            tags=["srbm", "russia"],
            overflew=["JPN"],
            observations=[{"actor": "KCNA", "actor_type": "state-media", "stance": "claim", "apogee_km": 500}],
        ),
    )
    shown = run("show", LAUNCH, "--paths")
    assert shown.exit_code == 0
    lines = shown.output.splitlines()
    assert 'tags[=russia]: "russia"' in lines and 'overflew[=JPN]: "JPN"' in lines
    assert "observations[actor=KCNA].apogee_km: 500" in lines and "sources[quote=" in shown.output
    assert lines[0] == f'id: "{LAUNCH}"'
    as_json = json.loads(run("show", LAUNCH, "--paths", "--json").output)
    assert {"path": "tags[=russia]", "value": "russia"} in as_json
    result = run("update", LAUNCH, "--remove", "tags[=russia]", "--set", "observations[actor=KCNA].apogee_km=510")
    assert result.exit_code == 0, result.output
    data = stored(records, "launches", LAUNCH)
    assert data["tags"] == ["srbm"] and data["observations"][0]["apogee_km"] == 510
    for path, value in (
        (p["path"], p["value"]) for p in as_json if p["path"].startswith(("count", "title", "sources["))
    ):
        again = run("update", LAUNCH, "--set", f"{path}={value}", "--dry-run")
        assert again.exit_code == 0, (path, again.output)  # each path names a part update finds


def test_a_selector_names_an_allowed_value_in_any_case(records, run):
    result = run("update", MEETING, "--remove", "requested_by[=usa]")
    assert result.exit_code == 0, result.output
    assert stored(records, "meetings", MEETING)["requested_by"] == ["ALB"]
