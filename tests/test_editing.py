"""The core of add and update (dprk_records.editing), used as a library without the command line."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import sample
from dprk_records.editing.options import option_specs, values_from_options
from dprk_records.editing.prompting import Question, prompt_missing
from dprk_records.editing.record import SLUG_MAX, merge, missing, slugify, with_id
from dprk_records.errors import UsageError
from dprk_records.records.repository import Repository


@pytest.fixture
def kinds(repo: Path):
    return Repository(repo).schemas


@pytest.mark.parametrize(
    "title, slug",
    [
        ("Malligyong-1 satellite launch", "malligyong-1-satellite-launch"),
        ("Hwasong-19 ICBM: “longest flight” yet!", "hwasong-19-icbm-longest-flight-yet"),
        ("Réunion à São Tomé", "reunion-a-sao-tome"),
        ("word " * 30, "-".join(["word"] * 10)),
    ],
)
def test_slugify(title, slug):
    assert slugify(title) == slug
    assert len(slugify(title)) <= SLUG_MAX


def test_id_from_date_and_title(kinds):
    launch = kinds.get("launch")
    assert with_id(launch, {"title": "Two SRBMs", "date": "2023-08"})["id"] == "2023-08-two-srbms"
    assert with_id(launch, {"id": "2023-08-mine", "title": "Two SRBMs", "date": "2023-08"})["id"] == "2023-08-mine"
    assert "id" not in with_id(launch, {"title": "No date"})
    assert [f.name for f in missing(launch, {"title": "No date"})] == ["date", "summary", "category", "sources"]


def test_options_follow_the_schema(kinds):
    specs = {spec.name: spec for spec in option_specs(kinds.get("meeting"), reserved=["--edit"])}
    assert specs["requested_by"].flags == ["--requested-by"] and specs["requested_by"].multiple
    assert specs["briefers"].flags == ["--briefer", "--briefers"] and specs["briefers"].metavar == "JSON"
    assert specs["format"].choices[0] == "open-briefing"
    assert specs["requested_by"].choices is None  # 193 state codes: checked, not listed
    assert list(specs) == list(kinds.get("meeting").fields)
    params = {specs["requested_by"].param: ("USA", "GBR"), specs["briefers"].param: ('{"office": "x"}',)}
    values = values_from_options(list(specs.values()), params)
    assert values == {"requested_by": ["USA", "GBR"], "briefers": [{"office": "x"}]}


def test_a_field_clashing_with_a_command_option_gets_a_prefixed_flag(kinds):
    specs = option_specs(kinds.get("launch"), reserved=["--count"])
    assert next(s for s in specs if s.name == "count").flags == ["--launch-count"]


def test_prompt_answers_are_checked_against_the_schema(kinds):
    launch = kinds.get("launch")
    question = Question(launch, launch.fields["category"], "category", ("category",), True, {})
    assert question.parse("7") == "satellite-launch-vehicle"
    assert question.parse("srbm") == "SRBM"
    with pytest.raises(UsageError, match="is not one of"):
        question.parse("rocket")
    count = Question(launch, launch.fields["count"], "count", ("count",), False, {})
    assert count.parse("") is None
    with pytest.raises(UsageError, match="must be at least"):
        count.parse("0")


def test_prompting_walks_the_missing_fields(kinds):
    launch = kinds.get("launch")
    answers = iter(
        [
            "2023-08-30",
            "Two missiles",
            "s",
            "1",
            "SCR",
            "Forecast",
            "2023-11",
            "",
            "",
            "q",
            "",
            "SCR",
            "Other",
            "2023-12",
            "",
            "",
            "r",
            "",
        ]
    )
    asked = []

    def ask(question):
        asked.append(question.label)
        return question.parse(next(answers))

    confirms = iter([True, False, False])  # another source: yes, then no; optional fields: no
    data = prompt_missing(launch, {}, ask, lambda message: next(confirms))
    assert data["id"] == "2023-08-30-two-missiles" and data["category"] == "SRBM"
    assert [s["title"] for s in data["sources"]] == ["Forecast", "Other"]
    assert asked[:5] == [
        "date",
        "title",
        "summary",
        "category",
        "sources[0].publisher",
    ]  # numbered from 0, as paths are
    assert "sources[1].publisher" in asked


def test_update_changes_name_fields_and_keyed_elements(kinds):
    from dprk_records.history.recorddiff import compare
    from dprk_records.history.render import change_line

    launch = kinds.get("launch")
    old = sample(
        "launch",
        observations=[
            {"actor": "A", "actor_type": "other", "stance": "claim"},
            {"actor": "B", "actor_type": "other", "stance": "assessment"},
        ],
    )
    new = merge(
        launch,
        old,
        {"count": None, "observations": [{"actor": "A", "actor_type": "other", "stance": "claim", "apogee_km": 5}]},
    )
    assert [change_line(c) for c in compare(launch, old, new)] == [
        "- count: 2",
        "+ observations[actor=A].apogee_km: 5",
        '- observations[actor=B]: {"actor": "B", "actor_type": "other", "stance": "assessment"}',
    ]
    assert compare(launch, old, dict(old)) == []
