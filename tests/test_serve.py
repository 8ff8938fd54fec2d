"""`dprk serve`: the real datasette, started on a free port of 127.0.0.1, read over HTTP, then stopped."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from conftest import Runner, make_repo, sample, write_record

pytest.importorskip("datasette")

LAUNCH = "2022-05-25-icbm"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")


class Served(str):
    """The base URL of the server, knowing the repository it serves."""

    def __new__(cls, base: str, repo):
        made = super().__new__(cls, base)
        made.repo = repo
        return made


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """One server for the tests of this module that only read from it: a repository with a
    launch, the meeting that took it up and a statement, served by `dprk serve`."""
    repo = make_repo(tmp_path_factory.mktemp("served") / "repo")
    write_record(repo, "launch", sample("launch", id=LAUNCH, date="2022-05-25", category="ICBM"))
    write_record(
        repo,
        "meeting",
        sample(
            "meeting",
            id="2022-05-26-veto",
            date="2022-05-26",
            format="adoption",
            launches=[LAUNCH],
            outcomes=[
                {
                    "type": "resolution",
                    "status": "vetoed",
                    "responds_to": [LAUNCH],
                    "vote": {"in_favour": 13, "against": 2, "against_states": ["CHN", "RUS"]},
                }
            ],
        ),
    )
    write_record(repo, "statement", sample("statement", id="2022-05-25-sg", date="2022-05-25", responds_to=[LAUNCH]))
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "DPRK_REPO"}
    process = subprocess.Popen(
        [sys.executable, "-m", "dprk_records", "serve", "--port", str(port)],
        cwd=repo,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            if process.poll() is not None:
                pytest.fail(f"dprk serve stopped: {process.stderr.read()}")
            try:
                if get(f"{base}/dprk.json")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("datasette did not answer within 90 seconds")
            time.sleep(0.3)
        yield Served(base, repo)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def test_a_record_page_shows_what_points_at_it(served):
    status, body = get(f"{served}/dprk/launch/{LAUNCH}.json?_shape=object")
    assert status == 200
    assert json.loads(body)[LAUNCH]["category"] == "ICBM"
    status, html = get(f"{served}/dprk/launch/{LAUNCH}")
    assert status == 200
    assert f"meeting_launches?launch_id={LAUNCH}" in html  # the meetings that took it up, through the foreign key
    status, html = get(f"{served}/dprk/records/{LAUNCH}")  # references to several kinds point at `records`
    assert status == 200 and f"statement_responds_to?record_id={LAUNCH}" in html


def test_the_canned_queries(served):
    status, body = get(f"{served}/dprk/reactions_by_event.json?_shape=array")
    assert status == 200
    [row] = json.loads(body)
    assert row["id"] == LAUNCH and row["first_meeting"] == "2022-05-26-veto" and row["days_to_meeting"] == 1
    assert (
        "resolution vetoed: 2022-05-26-veto" in row["responses"]
        and "secretary-general issued: 2022-05-25-sg" in row["responses"]
    )
    assert row["response"] == "product-not-agreed" and row["days_to_response"] == 1
    # the same row as `dprk reactions`, which the table behind the query is written from
    [printed] = json.loads(Runner(served.repo)("reactions", "--json").stdout)
    assert row == {**printed, "responses": "; ".join(printed["responses"])}
    status, body = get(f"{served}/dprk/records_by_date.json?_shape=array")
    assert status == 200 and [r["id"] for r in json.loads(body)] == [
        "2022-05-25-icbm",
        "2022-05-25-sg",
        "2022-05-26-veto",
    ]
    status, body = get(f"{served}/dprk/votes_by_state.json?_shape=array")
    assert status == 200 and [(r["state"], r["against"], r["vetoes"]) for r in json.loads(body)] == [
        ("CHN", 1, 1),
        ("RUS", 1, 1),
    ]


def test_no_canned_query_hides_a_table_or_view(served):
    status, body = get(f"{served}/-/metadata.json")
    queries = set(json.loads(body)["databases"]["dprk"]["queries"])
    status, body = get(f"{served}/dprk.json")
    assert status == 200
    listed = json.loads(body)
    names = {t["name"] for t in listed["tables"]} | {
        v["name"] if isinstance(v, dict) else v for v in listed.get("views", [])
    }
    assert {"timeline", "reactions", "votes"} <= names and queries and not queries & names
    status, body = get(f"{served}/dprk/timeline.json?_shape=array")  # the view itself, every kind's common columns
    assert status == 200 and {r["kind"] for r in json.loads(body)} == {"launch", "meeting", "statement"}


def test_metadata_comes_from_the_schema(served):
    status, body = get(f"{served}/-/metadata.json")
    assert status == 200
    tables = json.loads(body)["databases"]["dprk"]["tables"]
    assert tables["launch"]["columns"]["category"].startswith("What was launched")
    assert "category" in tables["launch"]["facets"]


def test_without_datasette_one_line_says_how_to_install_it(repo):
    code = "import sys; sys.modules['datasette'] = None; sys.argv = ['dprk', 'serve']; from dprk_records.main import main; main()"
    env = {k: v for k, v in os.environ.items() if k != "DPRK_REPO"}
    done = subprocess.run([sys.executable, "-c", code], cwd=repo, capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 2
    assert (
        done.stderr.strip()
        == "dprk: error: dprk serve needs datasette, which is not installed (pip install 'dprk-records[serve]')"
    )
