"""dprk query: selection (kinds, dates, --where, --search, --sort, --limit, --fields) and output flags."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from conftest import Runner, make_repo, sample, write_record
from dprk_records.records.dates import date_span

OBSERVATIONS = [
    {"actor": "KCNA", "actor_type": "state-media", "stance": "claim", "apogee_km": 6000, "outcome": "success"},
    {
        "actor": "Japanese officials",
        "actor_type": "government",
        "actor_state": "JPN",
        "stance": "assessment",
        "flight_minutes": 86,
        "approximate": True,
    },
]


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small repository: three launches (one dated only by month), a meeting, a statement, a report.

    Shared by this module's tests, which only read it.
    """
    repo = make_repo(tmp_path_factory.mktemp("query") / "repo", git_init=False)
    write_record(repo, "launch", sample("launch", observations=OBSERVATIONS, tags=["srbm", "east-sea"]))
    write_record(
        repo,
        "launch",
        sample(
            "launch",
            id="2023-11-satellite",
            date="2023-11",
            title="Satellite launch",
            category="satellite-launch-vehicle",
            count=None,
        ),
    )
    write_record(
        repo,
        "launch",
        sample(
            "launch",
            id="2024-01-14-irbm",
            date="2024-01-14",
            title="Solid-fuel IRBM",
            category="IRBM",
            count=1,
            summary="A hypersonic IRBM.",
        ),
    )
    write_record(repo, "meeting", sample("meeting", launches=["2023-08-30-srbm"]))
    write_record(repo, "statement", sample("statement", responds_to=["2023-08-30-srbm"]))
    write_record(
        repo, "sanctions-report", sample("sanctions-report", period={"start": "2023-02-01", "end": "2023-07-31"})
    )
    return repo


@pytest.fixture
def run(data: Path, monkeypatch: pytest.MonkeyPatch) -> Runner:
    monkeypatch.delenv("DPRK_REPO", raising=False)
    return Runner(data)


def ids(result) -> list[str]:
    assert result.exit_code == 0, result.output
    return [row["id"] for row in csv.DictReader(io.StringIO(result.stdout))]


def launch_ids(run, *args: str) -> list[str]:
    return ids(run("query", "launches", "--csv", *args))


# --- kinds and the timeline ------------------------------------------------------------------


def test_no_kind_gives_one_timeline_with_common_columns(run, data):
    result = run("query", "--csv")
    reader = csv.reader(io.StringIO(result.output))
    header = next(reader)
    assert header[:6] == ["date", "date_start", "date_end", "kind", "id", "title"]
    rows = list(reader)
    assert [r[4] for r in rows] == [
        "2023-08-24-sg-statement",
        "2023-08-25-open-briefing",
        "2023-08-30-srbm",
        "2023-09-12-panel-midterm",
        "2023-11-satellite",
        "2024-01-14-irbm",
    ]
    assert {r[3] for r in rows} == {"launch", "meeting", "statement", "sanctions-report"}


def test_kinds_singular_or_plural_and_several(run, data):
    assert launch_ids(run) == ["2023-08-30-srbm", "2023-11-satellite", "2024-01-14-irbm"]
    assert ids(run("query", "launch", "--csv")) == launch_ids(run)
    assert ids(run("query", "meeting", "statements", "--csv")) == [
        "2023-08-24-sg-statement",
        "2023-08-25-open-briefing",
    ]


def test_unknown_kind_is_a_usage_error(run, data):
    result = run("query", "ships")
    assert result.exit_code == 2
    assert "unknown kind 'ships'" in result.output and "launch" in result.output


# --- dates ----------------------------------------------------------------------------------------


def test_date_span_of_partial_dates():
    assert date_span("2023") == ("2023-01-01", "2023-12-31")
    assert date_span("2024-02") == ("2024-02-01", "2024-02-29")
    assert date_span("2023-02") == ("2023-02-01", "2023-02-28")
    assert date_span("2023-11-21") == ("2023-11-21", "2023-11-21")
    assert date_span("2023-13") is None


@pytest.mark.parametrize(
    "args, expected",
    [
        (("--since", "2023-11-15"), ["2023-11-satellite", "2024-01-14-irbm"]),  # the month overlaps
        (("--since", "2023-11-30"), ["2023-11-satellite", "2024-01-14-irbm"]),  # last day of the span
        (("--since", "2023-12-01"), ["2024-01-14-irbm"]),  # the day after the span
        (("--until", "2023-11-01"), ["2023-08-30-srbm", "2023-11-satellite"]),  # first day of the span
        (("--until", "2023-10-31"), ["2023-08-30-srbm"]),  # the day before the span
        (("--since", "2023-08-30", "--until", "2023-08-30"), ["2023-08-30-srbm"]),  # a single day, both edges
        (("--since", "2023-08-31", "--until", "2023-10"), []),
        (("--since", "2024"), ["2024-01-14-irbm"]),
        (("--until", "2023"), ["2023-08-30-srbm", "2023-11-satellite"]),
    ],
)
def test_since_and_until_with_partial_dates(run, data, args, expected):
    assert launch_ids(run, *args) == expected


def test_bad_date_is_a_usage_error(run, data):
    result = run("query", "--since", "2023-13")
    assert result.exit_code == 2 and "--since: '2023-13' is not a date (YYYY, YYYY-MM or YYYY-MM-DD)" in result.output


# --- --where ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "where, expected",
    [
        ("category=IRBM", ["2024-01-14-irbm"]),
        ("category!=IRBM", ["2023-08-30-srbm", "2023-11-satellite"]),
        ("title~SATELLITE", ["2023-11-satellite"]),
        ("count<2", ["2024-01-14-irbm"]),
        ("count<=2", ["2023-08-30-srbm", "2024-01-14-irbm"]),
        ("count>1", ["2023-08-30-srbm"]),
        ("count>=1", ["2023-08-30-srbm", "2024-01-14-irbm"]),
        ("count=2", ["2023-08-30-srbm"]),
        ("count = 2.0", ["2023-08-30-srbm"]),  # numbers compare as numbers, spaces allowed
        ("count>=10", []),
    ],
)
def test_each_operator(run, data, where, expected):
    assert launch_ids(run, "--where", where) == expected


@pytest.mark.parametrize(
    "where, expected",
    [
        ("date=2023-11-15", ["2023-11-satellite"]),  # spans overlap
        ("date!=2023-11", ["2023-08-30-srbm", "2024-01-14-irbm"]),
        ("date<2023-11", ["2023-08-30-srbm"]),  # ends before November starts
        ("date<2023-11-15", ["2023-08-30-srbm"]),  # the month does not end before the 15th
        ("date<=2023-11-15", ["2023-08-30-srbm", "2023-11-satellite"]),
        ("date>2023-11-15", ["2024-01-14-irbm"]),
        ("date>=2023-11-15", ["2023-11-satellite", "2024-01-14-irbm"]),
        ("date>2023", ["2024-01-14-irbm"]),
    ],
)
def test_dates_compare_as_spans(run, data, where, expected):
    assert launch_ids(run, "--where", where) == expected


def test_nested_and_list_fields_match_any_element(run, data):
    assert launch_ids(run, "--where", "observations.actor=KCNA") == ["2023-08-30-srbm"]
    assert launch_ids(run, "--where", "observations.actor=Japanese officials") == ["2023-08-30-srbm"]
    assert launch_ids(run, "--where", "observations.apogee_km>5000") == ["2023-08-30-srbm"]
    assert launch_ids(run, "--where", "observations.approximate=true") == ["2023-08-30-srbm"]
    assert launch_ids(run, "--where", "tags=east-sea") == ["2023-08-30-srbm"]
    # != means no element equals the value
    assert launch_ids(run, "--where", "observations.actor!=KCNA") == ["2023-11-satellite", "2024-01-14-irbm"]
    assert ids(run("query", "meetings", "--csv", "--where", "requested_by=USA")) == ["2023-08-25-open-briefing"]
    assert ids(run("query", "meetings", "--csv", "--where", "requested_by=GBR")) == []


def test_repeated_where_is_and(run, data):
    assert launch_ids(run, "--where", "count>=1", "--where", "category=SRBM") == ["2023-08-30-srbm"]
    assert launch_ids(run, "--where", "count>=1", "--where", "category=ICBM") == []


def test_where_on_kind_across_the_timeline(run, data):
    assert ids(run("query", "--csv", "--where", "kind=meeting")) == ["2023-08-25-open-briefing"]


@pytest.mark.parametrize(
    "where, message",
    [
        ("nope=1", "unknown field 'nope' in --where"),
        ("count=>2", "expected FIELD OP VALUE"),
        ("count==2", "expected FIELD OP VALUE"),
        ("count 2", "expected FIELD OP VALUE"),
        ("count>two", "count is a number"),
        ("date>soon", "is not a date"),
        ("observations=KCNA", "holds nested fields"),
    ],
)
def test_bad_where_exits_2_with_one_line(run, data, where, message):
    result = run("query", "launches", "--where", where)
    assert result.exit_code == 2
    assert message in result.output
    assert len(result.output.strip().splitlines()) == 1
    if "unknown field" in message:
        assert "valid fields: kind, id, date" in result.output and "observations.actor" in result.output


# --- search, sort, limit, fields -------------------------------------------------------------------


def test_search_over_all_text(run, data):
    assert launch_ids(run, "--search", "HYPERSONIC") == ["2024-01-14-irbm"]
    assert launch_ids(run, "--search", "japanese") == ["2023-08-30-srbm"]  # inside observations
    assert ids(run("query", "--csv", "--search", "monthly forecast")) != []  # inside sources
    assert launch_ids(run, "--search", "no such words") == []


def test_sort_ascending_descending_and_by_number(run, data):
    assert launch_ids(run, "--sort", "-date") == ["2024-01-14-irbm", "2023-11-satellite", "2023-08-30-srbm"]
    # numbers sort as numbers; a record without the field comes last
    assert launch_ids(run, "--sort", "count") == ["2024-01-14-irbm", "2023-08-30-srbm", "2023-11-satellite"]
    assert launch_ids(run, "--sort", "-count") == ["2023-08-30-srbm", "2024-01-14-irbm", "2023-11-satellite"]
    assert launch_ids(run, "--sort", "category,date") == ["2024-01-14-irbm", "2023-08-30-srbm", "2023-11-satellite"]
    assert ids(run("query", "--csv", "--sort", "kind,-date"))[0] == "2024-01-14-irbm"
    result = run("query", "launches", "--sort", "colour")
    assert result.exit_code == 2 and "unknown field 'colour' in --sort" in result.output


def test_limit_with_and_without_sort(run, data):
    assert launch_ids(run, "--limit", "1") == ["2023-08-30-srbm"]
    assert launch_ids(run, "--sort", "-date", "--limit", "2") == ["2024-01-14-irbm", "2023-11-satellite"]
    assert launch_ids(run, "--limit", "0") == []


def test_fields_choose_and_order_columns(run, data):
    result = run("query", "launches", "--csv", "--fields", "count,id", "--fields", "observations.actor")
    rows = list(csv.reader(io.StringIO(result.output)))
    assert rows[0] == ["count", "id", "observations.actor"]
    assert rows[1] == ["2", "2023-08-30-srbm", '["KCNA", "Japanese officials"]']


def test_unknown_fields_exit_2_and_name_valid_fields(run, data):
    result = run("query", "launches", "--fields", "id,colour")
    assert result.exit_code == 2
    assert "unknown field 'colour' in --fields" in result.output and "valid fields: id, date" in result.output


def test_empty_result_still_has_a_header(run, data):
    result = run("query", "launches", "--csv", "--where", "category=ICBM")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0].startswith("id,date,")
    assert len(result.stdout.splitlines()) == 1
    assert result.stderr == "dprk: no record matches\n"  # said on stderr, so the output stays clean
    assert json.loads(run("query", "launches", "--json", "--where", "category=ICBM").stdout) == []
    assert run("query", "launches", "--jsonl", "--where", "category=ICBM").stdout == ""
    assert run("query", "--where", "kind=launch", "--since", "2030").exit_code == 0


def test_empty_repository(repo):
    result = Runner(repo)("query", "--csv")
    assert result.exit_code == 0 and result.stdout.startswith("date,date_start,date_end,kind,id,title")


# --- output flags -------------------------------------------------------------------------------


def test_table_is_the_default_and_fmt_takes_tabulate_styles(run, data):
    table = run("query", "launches")
    assert table.exit_code == 0
    assert "2023-11-satellite" in table.output and "category" in table.output.splitlines()[0]
    # nested columns are left out of the terminal table
    assert "observations" not in table.output
    grid = run("query", "launches", "--style", "grid")
    assert grid.output.startswith("+--")
    bad = run("query", "--style", "fancy_nonsense")
    assert bad.exit_code == 2 and "unknown table style" in bad.output


def test_json_gives_records_as_stored_and_jsonl_one_per_line(run, data):
    stored = json.loads(run("query", "launches", "--json", "--where", "count=2").output)
    assert stored == [sample("launch", observations=OBSERVATIONS, tags=["srbm", "east-sea"])]
    lines = run("query", "launches", "--jsonl").output.splitlines()
    assert [json.loads(line)["id"] for line in lines] == ["2023-08-30-srbm", "2023-11-satellite", "2024-01-14-irbm"]
    rows = json.loads(run("query", "launches", "--json", "--fields", "id,count").output)
    assert rows == [
        {"id": "2023-08-30-srbm", "count": 2},
        {"id": "2023-11-satellite", "count": None},
        {"id": "2024-01-14-irbm", "count": 1},
    ]


def test_tsv_and_markdown(run, data):
    tsv = run("query", "launches", "--tsv", "--fields", "id,category")
    assert list(csv.reader(io.StringIO(tsv.output), delimiter="\t"))[1] == ["2023-08-30-srbm", "SRBM"]
    md = run("query", "launches", "--markdown", "--fields", "id,category").output.splitlines()
    assert md[0] == "| id | category |" and md[2] == "| 2023-08-30-srbm | SRBM |"


def test_output_flags_are_exclusive(run, data):
    result = run("query", "--csv", "--json")
    assert result.exit_code == 2 and "choose one output format: --csv, --json" in result.output


def test_explode_gives_one_row_per_element(run, data):
    result = run(
        "query",
        "launches",
        "--jsonl",
        "--explode",
        "observations",
        "--fields",
        "id,observations.actor,observations.apogee_km",
    )
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert rows == [
        {"id": "2023-08-30-srbm", "observations.actor": "KCNA", "observations.apogee_km": 6000},
        {"id": "2023-08-30-srbm", "observations.actor": "Japanese officials", "observations.apogee_km": None},
        {"id": "2023-11-satellite", "observations.actor": None, "observations.apogee_km": None},
        {"id": "2024-01-14-irbm", "observations.actor": None, "observations.apogee_km": None},
    ]
    bad = run("query", "launches", "--explode", "category")
    assert bad.exit_code == 2 and "not a list field" in bad.output and "observations" in bad.output


def test_help_documents_partial_dates(run):
    result = run("query", "--help")
    assert "2023-11" in result.output and "span" in result.output


def test_nested_dates_compare_as_spans(run, data):
    reports = lambda where: ids(run("query", "sanctions-reports", "--csv", "--where", where))  # noqa: E731
    assert reports("period.start>=2023-02") == ["2023-09-12-panel-midterm"]
    assert reports("period.end<2023-07") == []
    assert reports("period.end<=2023-07") == ["2023-09-12-panel-midterm"]
    # sources.date is 2023-11 in every sample: a list of nested dates
    assert launch_ids(run, "--where", "sources.date=2023-11-30") == [
        "2023-08-30-srbm",
        "2023-11-satellite",
        "2024-01-14-irbm",
    ]


def test_default_order_is_the_date_field_not_the_id(tmp_path):
    repo = make_repo(tmp_path / "fresh")
    run = Runner(repo)
    # a record whose date was corrected after its id was made sorts by the corrected date
    write_record(repo, "launch", sample("launch", id="2023-01-05-a", date="2023-01-05"))
    write_record(repo, "launch", sample("launch", id="2023-01-01-corrected", date="2023-03-01"))
    write_record(repo, "launch", sample("launch", id="2023-02-01-b", date="2023-02"))
    expected = ["2023-01-05-a", "2023-02-01-b", "2023-01-01-corrected"]
    for args in ([], ["--no-cache"], []):  # cold, without the cache, warm
        result = run("query", "launches", "--json", *args)
        assert [r["id"] for r in json.loads(result.output)] == expected, args
    limited = run("query", "launches", "--json", "--limit", "2")
    assert [r["id"] for r in json.loads(limited.output)] == expected[:2]
    exported = run("export", "launches", "--format", "jsonl")
    assert [json.loads(line)["id"] for line in exported.output.splitlines()] == expected


def test_integers_of_any_size_sort_and_compare(tmp_path):
    repo = make_repo(tmp_path / "fresh")
    run = Runner(repo)
    huge = int("9" * 400)
    write_record(repo, "launch", sample("launch", id="2023-01-01-huge", count=huge))
    write_record(repo, "launch", sample("launch", id="2023-01-02-small", count=3))
    result = run("query", "launches", "--sort", "-count", "--fields", "id")
    assert result.exit_code == 0, result.output
    assert result.output.split()[2:] == ["2023-01-01-huge", "2023-01-02-small"]
    found = run("query", "launches", "--where", f"count>={'9' * 399}", "--fields", "id", "--csv")
    assert found.exit_code == 0 and found.output.split() == ["id", "2023-01-01-huge"]


def test_the_table_fits_its_width_wraps_text_and_never_cuts_an_id():
    import io

    from dprk_records.output.formats import write_table

    long_id = "2023-08-30-a-launch-whose-id-is-much-longer-than-forty-eight-characters"
    title = "A title " * 12
    rows = [[long_id, "2023-08-30", title.strip(), 12], ["2023-08-31-short", "2023-08-31", "Short", 3]]
    for width in (110, 150):
        out = io.StringIO()
        write_table(out, ["id", "date", "title", "count"], rows, width=width)
        lines = out.getvalue().splitlines()
        assert max(len(line) for line in lines) <= width, (width, lines)
        assert long_id in out.getvalue()  # pasted into show, update or log, it still works
        assert "…" not in out.getvalue()
        assert out.getvalue().split().count("title") == 1 + 12  # the header, and the long title wrapped whole
        assert len(lines) > 4  # on more than one line
        header, rule, first = lines[:3]
        end = header.index("count") + len("count")
        assert first[:end].endswith("12") and [text for text in lines if "2023-08-31-short" in text][0][:end].endswith(
            " 3"
        )  # numbers align right
    wide = io.StringIO()
    write_table(
        wide, ["id", "date", "title", "count"], rows, width=None
    )  # no width (not a terminal): nothing is fitted
    assert title.strip() in wide.getvalue()


def test_stats_lists_years_with_no_records_as_zero(tmp_path):
    repo = make_repo(tmp_path / "fresh")
    write_record(repo, "launch", sample("launch", id="2019-05-04-a", date="2019-05-04"))
    write_record(repo, "launch", sample("launch", id="2022-01-05-b", date="2022-01-05"))
    rows = list(csv.reader(io.StringIO(Runner(repo)("stats", "launches", "--csv").output)))
    assert [r[0] for r in rows[1:]] == ["2019", "2020", "2021", "2022", "total"]
    assert rows[2][1:] == ["0", "0"] and rows[3][1:] == ["0", "0"]
