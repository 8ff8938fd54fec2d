"""Changing what you mean: one part of a record by its path, a rename, sources known by their
quote, allowed values in any case, and a query that finds nothing saying so."""

from __future__ import annotations

import json

import pytest

from conftest import SOURCE, commit_all, git, sample, write_record
from dprk_records.records import yamlread

LAUNCH = "2023-08-30-srbm"
OBSERVATIONS = [
    {"actor": "KCNA", "actor_type": "state-media", "actor_state": "PRK", "stance": "claim", "apogee_km": 480},
    {"actor": "JCS", "actor_type": "military", "actor_state": "KOR", "stance": "assessment", "range_km": 350},
]


@pytest.fixture
def launch(repo):
    return write_record(repo, "launch", sample("launch", observations=OBSERVATIONS, tags=["srbm"]))


def data(path):
    return yamlread.load_file(path)


# --- --set, --append, --remove --------------------------------------------------------------------


def test_set_one_element_of_a_list_by_the_path_diff_prints(run, launch):
    result = run("update", LAUNCH, "--set", "observations[actor=KCNA].apogee_km=490")
    assert result.exit_code == 0, result.output
    assert "~ observations[actor=KCNA].apogee_km: 480 -> 490" in result.stdout
    observations = data(launch)["observations"]
    assert observations[0]["apogee_km"] == 490 and observations[1] == OBSERVATIONS[1]


def test_set_by_index_and_nested_and_typed_by_the_schema(run, launch):
    assert (
        run(
            "update",
            LAUNCH,
            "--set",
            "sources[0].url=https://example.org/a",
            "--set",
            "observations[1].approximate=true",
            "--set",
            "name=123",
        ).exit_code
        == 0
    )
    record = data(launch)
    assert record["sources"][0]["url"] == "https://example.org/a"
    assert record["observations"][1]["approximate"] is True
    assert record["name"] == "123"  # the schema says text


def test_append_and_remove(run, launch):
    result = run(
        "update",
        LAUNCH,
        "--append",
        "tags=east-sea",
        "--append",
        'observations={"actor": "Japan\'s Ministry of Defense", "actor_type": "military", "stance": "assessment"}',
        "--remove",
        "observations[actor=JCS]",
    )
    assert result.exit_code == 0, result.output
    record = data(launch)
    assert record["tags"] == ["srbm", "east-sea"]
    assert [o["actor"] for o in record["observations"]] == ["KCNA", "Japan's Ministry of Defense"]
    assert "- observations[actor=JCS]:" in result.stdout
    assert run("update", LAUNCH, "--remove", "tags").exit_code == 0
    assert "tags" not in data(launch)


def test_set_append_and_remove_apply_in_command_line_order(run, launch):
    result = run(
        "update", LAUNCH, "--remove", "tags", "--append", "tags=x", "--append", "tags=y", "--remove", "tags[0]"
    )
    assert result.exit_code == 0, result.output
    assert data(launch)["tags"] == ["y"]
    result = run("update", LAUNCH, "--append", "tags=z", "--remove", "tags", "--append", "tags=w")
    assert result.exit_code == 0, result.output
    assert data(launch)["tags"] == ["w"]
    result = run(
        "update",
        LAUNCH,
        "--set",
        'observations[actor=JCS]={"actor": "JCS", "actor_type": "military", "stance": "assessment"}',
        "--set",
        "observations[actor=JCS].range_km=400",
    )
    assert result.exit_code == 0, result.output
    assert data(launch)["observations"][1] == {
        "actor": "JCS",
        "actor_type": "military",
        "stance": "assessment",
        "range_km": 400,
    }


@pytest.mark.parametrize(
    "args",
    [
        ["--title", "A", "--set", "title=B"],
        ["--set", "title=B", "--title", "A"],
        ["--set", "title=A", "--set", "title=B"],
        ["--set", "observations[actor=KCNA].apogee_km=1", "--set", "observations[actor=KCNA].apogee_km=2"],
        ["--tags", "a", "--append", "tags=b"],
        ["--unset", "tags", "--append", "tags=b"],
        ["--observation", json.dumps(OBSERVATIONS[0]), "--remove", "observations[actor=JCS]"],
    ],
)
def test_two_values_for_one_field_are_refused(run, launch, args):
    before = launch.read_bytes()
    result = run("update", LAUNCH, *args)
    assert result.exit_code == 2, result.output
    assert len(result.stderr.strip().splitlines()) == 1 and "dprk: error:" in result.stderr, result.stderr
    assert launch.read_bytes() == before


@pytest.mark.parametrize(
    "args, words",
    [
        (["--set", "observations[actor=NOPE].apogee_km=1"], "no element has actor 'NOPE'"),
        (["--set", "observations[7].apogee_km=1"], "there is no element 7"),
        (["--set", "bogus=1"], "launch has no field at bogus"),
        (["--set", "count"], "expected PATH=VALUE"),
        (["--set", "count=many"], "'many' is not a whole number"),
        (["--remove", "observations[actor=NOPE]"], "no element has actor 'NOPE'"),
        (["--set", "observations[actor=KCNA.apogee_km=1"], "no closing ]"),
        (["--set", "observations..apogee_km=1"], "cannot read the path"),
    ],
)
def test_bad_paths_are_usage_errors_and_change_nothing(run, launch, args, words):
    before = launch.read_bytes()
    result = run("update", LAUNCH, *args)
    assert result.exit_code == 2 and words in result.stderr and len(result.stderr.strip().splitlines()) == 1, (
        result.stderr
    )
    assert launch.read_bytes() == before


def test_a_path_change_that_breaks_the_schema_is_invalid(run, launch):
    before = launch.read_bytes()
    result = run("update", LAUNCH, "--set", "observations[actor=KCNA].apogee_km=-1")
    assert result.exit_code == 1 and "must be at least 0" in result.stderr
    assert launch.read_bytes() == before


def test_two_elements_that_match_a_selector_are_refused_not_the_first_edited(run, repo):
    twins = [OBSERVATIONS[0], dict(OBSERVATIONS[0], apogee_km=500), OBSERVATIONS[1]]
    path = write_record(repo, "launch", sample("launch", observations=twins))
    before = path.read_bytes()
    for args in (
        ["--set", "observations[actor=KCNA].apogee_km=1"],
        ["--remove", "observations[actor=KCNA]"],
        ["--set", "observations[actor=KCNA]=" + json.dumps(OBSERVATIONS[1])],
    ):
        result = run("update", LAUNCH, *args)
        assert result.exit_code == 2, result.output
        assert "2 elements have actor 'KCNA'" in result.stderr and len(result.stderr.strip().splitlines()) == 1
        assert path.read_bytes() == before
    assert run("update", LAUNCH, "--set", "observations[1].apogee_km=1").exit_code == 0  # by place, either one
    assert [o.get("apogee_km") for o in data(path)["observations"]] == [480, 1, None]


def test_a_selector_value_names_a_value_not_a_missing_key(run, repo):
    meeting = sample(
        "meeting",
        briefers=[
            {"office": "Under-Secretary-General"},
            {"name": "None", "office": "A briefer named None"},
            {"name": "A. Briefer", "office": "Assistant Secretary-General"},
        ],
    )
    path = write_record(repo, "meeting", meeting)
    assert run("update", "2023-08-25-open-briefing", "--set", "briefers[name=None].office=Renamed").exit_code == 0
    assert [b["office"] for b in data(path)["briefers"]] == [
        "Under-Secretary-General",
        "Renamed",
        "Assistant Secretary-General",
    ]
    meeting["briefers"] = [
        {"office": "Under-Secretary-General"},
        {"name": "A. Briefer", "office": "Assistant Secretary-General"},
    ]
    path = write_record(repo, "meeting", meeting)
    before = path.read_bytes()
    result = run("update", "2023-08-25-open-briefing", "--set", "briefers[name=None].office=Renamed")
    assert result.exit_code == 2 and "no element has name 'None'" in result.stderr
    assert path.read_bytes() == before


HOSTILE_QUOTES = [
    '"They [North Korea] have conducted 17 launches',
    "a\\]b",
    "9030th Meeting (PM)\nSC/14887",
    "x=y] [z",
    "ends in \\",
]


@pytest.mark.parametrize("quote", HOSTILE_QUOTES)
def test_every_path_diff_prints_is_read_back_by_update(repo, run, quote):
    record = sample(
        "launch",
        sources=[dict(SOURCE, quote="another passage"), dict(SOURCE, quote="old")],
        observations=[dict(OBSERVATIONS[0], actor=quote)],
        tags=["east-sea", "srbm"],
    )
    path = write_record(repo, "launch", record)
    commit_all(repo, "hostile keys")
    record["sources"][1]["quote"] = quote
    record["observations"][0]["apogee_km"] = 481
    record["tags"] = ["east-sea", "salvo"]
    write_record(repo, "launch", record)
    changes = json.loads(run("diff", "--format", "json").output)["records"][0]["changes"]
    lines = run("diff").output.splitlines()
    assert len([line for line in lines if line[:4] in ("  + ", "  - ", "  ~ ")]) == len(
        changes
    )  # each path on one line
    field = {(c["field"].split("[")[0], c["op"]): c["field"] for c in changes}
    result = run(
        "update",
        LAUNCH,
        "--set",
        f"{field['sources', 'added']}.note=found",
        "--set",
        f"{field['observations', 'changed']}=482",
        "--remove",
        field["tags", "added"],
    )
    assert result.exit_code == 0, result.output
    after = data(path)
    assert (
        after["sources"][1] == dict(SOURCE, quote=quote, note="found") and after["observations"][0]["apogee_km"] == 482
    )
    assert after["tags"] == ["east-sea"]


# --- sources are known by their quote ------------------------------------------------------------------


def test_inserting_a_source_is_one_added_source_in_diff(repo, run, launch):
    commit_all(repo, "one source")
    record = data(launch)
    record["sources"].insert(0, dict(SOURCE, quote="A new first passage.", url="https://example.org/new"))
    write_record(repo, "launch", record)
    changes = json.loads(run("diff", "--format", "json").output)["records"][0]["changes"]
    assert [(c["op"], c["field"]) for c in changes] == [("added", "sources[quote=A new first passage.]")]


# --- rename ------------------------------------------------------------------------------------------------


@pytest.fixture
def linked(repo, launch):
    write_record(
        repo,
        "meeting",
        sample(
            "meeting",
            launches=[LAUNCH],
            outcomes=[{"type": "resolution", "status": "adopted", "responds_to": [LAUNCH]}],
        ),
    )
    write_record(repo, "statement", sample("statement", responds_to=[LAUNCH, "2023-08-25-open-briefing"]))
    commit_all(repo, "linked records")
    return repo


def test_rename_moves_the_file_and_every_reference_and_commits(linked, run):
    result = run("rename", LAUNCH, "2023-08-31-two-srbms", "--commit")
    assert result.exit_code == 0, result.output
    assert (
        "renamed records/launches/2023-08-30-srbm.yaml -> records/launches/2023-08-31-two-srbms.yaml" in result.stdout
    )
    assert "records/meetings/2023-08-25-open-briefing.yaml: launches[0], outcomes[0].responds_to[0]" in result.stdout
    assert not (linked / "records/launches/2023-08-30-srbm.yaml").exists()
    assert data(linked / "records/launches/2023-08-31-two-srbms.yaml")["id"] == "2023-08-31-two-srbms"
    meeting = data(linked / "records/meetings/2023-08-25-open-briefing.yaml")
    assert meeting["launches"] == ["2023-08-31-two-srbms"] and meeting["outcomes"][0]["responds_to"] == [
        "2023-08-31-two-srbms"
    ]
    assert data(linked / "records/statements/2023-08-24-sg-statement.yaml")["responds_to"][0] == "2023-08-31-two-srbms"
    assert run("validate").exit_code == 0
    assert git(linked, "status", "--porcelain").strip() == ""
    assert "Rename launch 2023-08-30-srbm to 2023-08-31-two-srbms" in git(linked, "log", "-1", "--format=%s")
    log = json.loads(run("log", "2023-08-31-two-srbms", "--format", "json").output)
    assert log[0]["status"] == "renamed"


@pytest.mark.parametrize(
    "new, code, words",
    [
        ("2023-08-25-open-briefing", 1, "already exists"),  # taken, in another kind
        ("Not An Id", 1, "'Not An Id' is not an id: a date (YYYY, YYYY-MM or YYYY-MM-DD), a hyphen and a slug"),
        ("../escape", 2, "is not a record id"),
        (LAUNCH, 2, "the new id is the old one"),
    ],
)
def test_rename_refusals_change_nothing(linked, run, new, code, words):
    before = {p: p.read_bytes() for p in (linked / "records").rglob("*.yaml")}
    result = run("rename", LAUNCH, new)
    assert result.exit_code == code and words in result.stderr, result.stderr
    assert {p: p.read_bytes() for p in (linked / "records").rglob("*.yaml")} == before


def test_rename_dry_run_writes_nothing(linked, run):
    result = run("rename", LAUNCH, "2023-08-31-x", "--dry-run")
    assert result.exit_code == 0 and result.stdout.startswith("would rename")
    assert (linked / "records/launches/2023-08-30-srbm.yaml").exists() and not (
        linked / "records/launches/2023-08-31-x.yaml"
    ).exists()


# --- allowed values in any case, and an empty result that says so --------------------------------------------


def test_allowed_values_match_without_regard_to_case(repo, run, launch):
    assert run("query", "launches", "--where", "category=srbm", "--csv", "--fields", "id").output.split() == [
        "id",
        LAUNCH,
    ]
    assert run("update", LAUNCH, "--category", "icbm").exit_code == 0
    assert data(launch)["category"] == "ICBM"
    assert run("update", LAUNCH, "--set", "observations[actor=KCNA].stance=CLAIM").exit_code == 0
    assert data(launch)["observations"][0]["stance"] == "claim"
    result = run(
        "add",
        "launch",
        "--date",
        "2023-09-01",
        "--title",
        "t",
        "--summary",
        "s",
        "--category",
        "srbm",
        "--source",
        json.dumps(SOURCE),
    )
    assert result.exit_code == 0 and data(repo / result.stdout.strip())["category"] == "SRBM"


def test_a_query_that_finds_nothing_says_so_with_a_hint(repo, run, launch):
    result = run("query", "launches", "--where", "category=rocket")
    assert result.exit_code == 0
    assert "no record matches (category: 'rocket' is not one of: SRBM, MRBM" in result.stderr
    assert run("query", "launches", "--since", "2030").stderr.strip() == "dprk: no record matches"
