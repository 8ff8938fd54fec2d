"""`dprk diff`: record-level changes between revisions of real git repositories."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import Runner, commit_all, git, git_work_tree, make_repo, sample, write_record

LAUNCH = "2023-08-30-srbm"
MEETING = "2023-08-25-open-briefing"
STATEMENT = "2023-08-24-sg-statement"
REPORT = "2023-09-12-panel-midterm"

OBSERVATIONS = [
    {"actor": "KCNA", "actor_type": "state-media", "stance": "claim", "apogee_km": 500},
    {
        "actor": "Japanese officials",
        "actor_type": "government",
        "actor_state": "JPN",
        "stance": "assessment",
        "apogee_km": 480,
    },
]


def seed(repo: Path) -> str:
    write_record(repo, "launch", sample("launch", observations=OBSERVATIONS))
    write_record(repo, "meeting", sample("meeting", launches=[LAUNCH]))
    write_record(repo, "statement", sample("statement"))
    write_record(repo, "sanctions-report", sample("sanctions-report"))
    return commit_all(repo, "seed")


def diff_json(run: Runner, *args: str) -> dict:
    result = run("diff", "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def by_id(data: dict) -> dict[str, dict]:
    return {r["id"]: r for r in data["records"]}


def test_add_modify_delete_rename_in_one_commit(repo: Path, run: Runner) -> None:
    seed(repo)
    write_record(repo, "launch", sample("launch", count=3))  # modify (and drop the observations)
    (repo / "records/statements" / f"{STATEMENT}.yaml").unlink()  # delete
    old = repo / "records/sanctions-reports" / f"{REPORT}.yaml"
    write_record(repo, "sanctions-report", sample("sanctions-report", id="2023-09-12-panel-report"))  # rename, id fixed
    old.unlink()
    write_record(
        repo,
        "statement",
        sample(
            "statement",
            id="2023-10-01-new-statement",
            date="2023-10-01",
            type="joint",
            title="Joint statement after the launch",
            summary="Eleven members issued a joint statement.",
        ),
    )  # add
    commit_all(repo, "four kinds of change")

    data = diff_json(run, "HEAD~1..HEAD")
    records = by_id(data)
    assert {i: r["status"] for i, r in records.items()} == {
        LAUNCH: "modified",
        STATEMENT: "removed",
        "2023-09-12-panel-report": "renamed",
        "2023-10-01-new-statement": "added",
    }
    renamed = records["2023-09-12-panel-report"]
    assert renamed["old_id"] == REPORT and renamed["old_path"] == f"records/sanctions-reports/{REPORT}.yaml"
    assert renamed["changes"] == [{"field": "id", "op": "changed", "old": REPORT, "new": "2023-09-12-panel-report"}]
    fields = {c["field"]: c for c in records[LAUNCH]["changes"]}
    assert fields["count"]["old"] == 2 and fields["count"]["new"] == 3
    assert fields["observations"]["op"] == "removed"
    assert data["counts"] == {"added": 1, "removed": 1, "modified": 1, "renamed": 1}
    assert data["old"] == "HEAD~1" and data["new"] == "HEAD"


def test_a_record_moved_to_another_kind_folder_is_a_rename_with_its_old_kind(repo: Path, run: Runner) -> None:
    seed(repo)
    git(repo, "mv", f"records/statements/{STATEMENT}.yaml", f"records/meetings/{STATEMENT}.yaml")
    record = by_id(diff_json(run))[STATEMENT]
    assert (record["status"], record["old_kind"], record["kind"]) == ("renamed", "statement", "meeting")
    assert f"renamed statement {STATEMENT} -> meeting {STATEMENT}" in run("diff").output


def test_nested_list_elements_matched_by_schema_key(repo: Path, run: Runner) -> None:
    seed(repo)
    changed = [
        dict(OBSERVATIONS[1], apogee_km=490),
        OBSERVATIONS[0],
        {"actor": "ROK JCS", "actor_type": "military", "stance": "assessment"},
    ]
    sources = [dict(sample("launch")["sources"][0], quote="two missiles were fired")]
    write_record(repo, "launch", sample("launch", observations=changed, sources=sources))
    write_record(repo, "meeting", sample("meeting", launches=[LAUNCH], requested_by=["USA", "JPN"]))

    result = run("diff")
    assert result.exit_code == 0, result.output
    text = result.output
    # keyed by actor, whatever the order
    assert "~ observations[actor=Japanese officials].apogee_km: 480 -> 490" in text
    assert (
        '+ observations[actor=ROK JCS]:\n      actor: "ROK JCS"\n      actor_type: "military"\n      stance: "assessment"\n'
        in text
    )
    assert "observations[actor=KCNA]" not in text
    # sources are known by their quote: a changed quote is one source out and one in
    assert "- sources[quote=the DPRK fired" in text and "+ sources[quote=" in text
    # a list of distinct codes: elements added and removed
    assert '- requested_by[=ALB]: "ALB"' in text and '+ requested_by[=JPN]: "JPN"' in text


def test_working_tree_includes_untracked_records_and_their_renames(repo: Path, run: Runner) -> None:
    seed(repo)
    write_record(repo, "statement", sample("statement", id="2023-10-01-untracked"))
    source = repo / "records/launches" / f"{LAUNCH}.yaml"
    source.rename(
        source.with_name("2023-08-30-two-srbms.yaml")
    )  # not staged: git sees a deletion and an untracked file
    records = by_id(diff_json(run))
    assert records["2023-10-01-untracked"]["status"] == "added"
    assert records["2023-08-30-two-srbms"]["status"] == "renamed"
    assert records["2023-08-30-two-srbms"]["old_id"] == LAUNCH
    assert git(repo, "status", "--porcelain", "records/statements").startswith("??")  # the index was left alone


def test_rev_against_working_tree(repo: Path, run: Runner) -> None:
    seed(repo)
    write_record(repo, "launch", sample("launch", count=5))
    commit_all(repo, "count 5")
    write_record(repo, "launch", sample("launch", count=7))
    changes = by_id(diff_json(run, "HEAD~1"))[LAUNCH]["changes"]
    assert {"field": "count", "op": "changed", "old": 2, "new": 7} in changes


def test_merges_and_the_merge_base_after_the_base_moved_on(repo: Path, run: Runner) -> None:
    seed(repo)
    git(repo, "checkout", "-q", "-b", "feature")
    write_record(repo, "statement", sample("statement", id="2023-10-02-feature-statement"))
    commit_all(repo, "feature: a statement")
    git(repo, "checkout", "-q", "main")
    write_record(repo, "launch", sample("launch", count=4))
    commit_all(repo, "main: recount")

    pull_request = by_id(diff_json(run, "main...feature"))
    assert list(pull_request) == ["2023-10-02-feature-statement"]
    direct = by_id(diff_json(run, "main..feature"))
    assert direct[LAUNCH]["status"] == "modified"  # main's own change, seen backwards
    assert set(direct) == {LAUNCH, "2023-10-02-feature-statement"}

    git(repo, "merge", "-q", "--no-ff", "-m", "merge feature", "feature")
    merged = by_id(diff_json(run, "HEAD^1..HEAD"))
    assert set(merged) == {"2023-10-02-feature-statement"}
    assert diff_json(run, "main...main")["records"] == []


def test_invalid_yaml_in_an_old_revision_is_reported_not_raised(repo: Path, run: Runner) -> None:
    seed(repo)
    broken = "id: [unclosed\n"
    write_record(repo, "launch", {}, raw=broken, name=LAUNCH)
    commit_all(repo, "broken")
    write_record(repo, "launch", sample("launch"))
    commit_all(repo, "fixed")

    result = run("diff", "HEAD~1..HEAD")
    assert result.exit_code == 0, result.output
    assert f"modified launch {LAUNCH}" in result.output
    assert f"records/launches/{LAUNCH}.yaml does not parse in HEAD~1" in result.output
    data = by_id(diff_json(run, "HEAD~1..HEAD"))[LAUNCH]
    assert data["changes"] == [] and "HEAD~1" in data["errors"][0]
    markdown = run("diff", "HEAD~1..HEAD", "--format", "markdown").output
    assert "unreadable" in markdown


def test_files_outside_records_are_listed_apart(repo: Path, run: Runner) -> None:
    (repo / "README.md").write_text("notes\n")
    seed(repo)
    (repo / "README.md").write_text("changed notes\n")
    (repo / "untracked-elsewhere.txt").write_text("not part of the comparison\n")
    (repo / "records" / "notes.txt").write_text("not a record\n")
    result = run("diff", "--exit-code")
    assert result.exit_code == 0, result.output  # no record changed
    assert "other files (not records; not compared):" in result.output
    assert "modified README.md" in result.output and "added records/notes.txt" in result.output
    assert "untracked-elsewhere" not in result.output
    data = diff_json(run)
    assert data["records"] == [] and {o["path"] for o in data["other_files"]} == {"README.md", "records/notes.txt"}


def test_exit_code_stat_and_markdown(repo: Path, run: Runner) -> None:
    seed(repo)
    assert run("diff", "--exit-code").exit_code == 0
    write_record(repo, "launch", sample("launch", count=9, observations=OBSERVATIONS))
    write_record(repo, "statement", sample("statement", id="2023-10-03-another"))
    assert run("diff", "--exit-code").exit_code == 1

    stat = run("diff", "--stat")
    assert stat.exit_code == 0
    assert "0 added" not in stat.output and "1 added, 0 removed, 1 modified, 0 renamed" in stat.output
    assert "count" not in stat.output

    markdown = run("diff", "--format", "markdown").output
    assert markdown.startswith("### Record changes: `HEAD` → `working tree`")
    assert "| launch | 0 | 0 | 1 | 0 |" in markdown
    assert f"| modified | launch | `{LAUNCH}` | 1 |" in markdown
    assert "- `count`: `2` → `9`" in markdown
    assert json.loads(run("diff", "--stat", "--format", "json").output)["counts"]["modified"] == 1


def test_no_git_repository_is_a_clear_error(tmp_path: Path) -> None:
    plain = make_repo(tmp_path / "plain", git_init=False)
    result = Runner(plain)("diff")
    assert result.exit_code == 2
    assert result.output.strip().count("\n") == 0
    assert "is not in a git repository" in result.output


def test_unknown_revision_is_one_line_and_exit_2(repo: Path, run: Runner) -> None:
    seed(repo)
    for spec in ("no-such-branch", "HEAD..no-such-branch", "no-such-branch...HEAD", "--exit-code=1"):
        result = run("diff", "--", spec)
        assert result.exit_code == 2, (spec, result.output)
        assert result.output.count("\n") == 1 and "revision" in result.output


def test_detached_head(repo: Path, run: Runner) -> None:
    seed(repo)
    write_record(repo, "launch", sample("launch", count=3))
    commit_all(repo, "recount")
    git(repo, "checkout", "-q", "--detach", "HEAD~1")
    assert diff_json(run)["records"] == []
    assert by_id(diff_json(run, "main"))[LAUNCH]["changes"][0] == {
        "field": "count",
        "op": "changed",
        "old": 3,
        "new": 2,
    }
    assert by_id(diff_json(run, "HEAD..main"))[LAUNCH]["status"] == "modified"


def test_empty_repository_shows_every_record_as_added(repo: Path, run: Runner) -> None:
    write_record(repo, "launch", sample("launch"))
    data = diff_json(run)
    assert data["old"] == "empty repository" and by_id(data)[LAUNCH]["status"] == "added"


def test_repository_in_a_subfolder_of_the_git_work_tree(tmp_path: Path) -> None:
    outer = git_work_tree(tmp_path / "outer")
    inner = make_repo(outer / "data", git_init=False)
    seed(inner)
    write_record(inner, "launch", sample("launch", count=6))
    (outer / "elsewhere.txt").write_text("outside the dprk repository\n")
    data = diff_json(Runner(inner))
    assert by_id(data)[LAUNCH]["path"] == f"records/launches/{LAUNCH}.yaml"
    assert data["other_files"] == []


def test_same_size_edit_in_the_second_of_the_commit_is_seen(repo: Path, run: Runner) -> None:
    """Git trusts a file's size and mtime unless they are as new as the index file itself
    ("racily clean"); the copy of the index used for untracked files must keep that rule."""
    git(repo, "config", "core.trustctime", "false")  # a test cannot set ctime; mtime and size decide
    path = write_record(repo, "launch", sample("launch", observations=OBSERVATIONS))
    stamp = 1_577_836_800_000_000_000  # 2020-01-01: a second long past, for the file and the index alike
    os.utime(path, ns=(stamp, stamp))
    commit_all(repo, "seed")
    write_record(repo, "launch", sample("launch", count=9, observations=OBSERVATIONS))  # same size as count 2
    os.utime(path, ns=(stamp, stamp))
    os.utime(repo / ".git" / "index", ns=(stamp, stamp))  # as if the index was written in that same second
    assert git(repo, "diff", "--name-only") == f"records/launches/{LAUNCH}.yaml\n"  # git itself sees it
    write_record(repo, "statement", sample("statement", id="2023-10-03-untracked"))
    records = by_id(diff_json(run))
    assert records[LAUNCH]["changes"] == [{"field": "count", "op": "changed", "old": 2, "new": 9}]


def test_a_fifth_kind_is_diffed_by_its_own_schema_key(repo: Path, run: Runner) -> None:
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "x-kind": "note",
        "x-folder": "notes",
        "type": "object",
        "properties": {
            "id": {"type": "string"},
            "entries": {
                "type": "array",
                "x-key": "who",
                "items": {"type": "object", "properties": {"who": {"type": "string"}, "said": {"type": "string"}}},
            },
        },
    }
    (repo / "schema" / "note.schema.json").write_text(json.dumps(schema))
    (repo / "records" / "notes").mkdir()
    write_record(
        repo, "note", {"id": "2024-01-01-n", "entries": [{"who": "A", "said": "x"}, {"who": "B", "said": "y"}]}
    )
    commit_all(repo, "a note")
    write_record(
        repo, "note", {"id": "2024-01-01-n", "entries": [{"who": "B", "said": "z"}, {"who": "A", "said": "x"}]}
    )
    changes = by_id(diff_json(run))["2024-01-01-n"]["changes"]
    assert changes[0] == {"field": "entries[who=B].said", "op": "changed", "old": "y", "new": "z"}


def test_the_installed_command(repo: Path) -> None:
    dprk = Path(sys.executable).parent / "dprk"
    if not dprk.exists():
        dprk = Path(shutil.which("dprk") or "dprk")
    seed(repo)
    write_record(repo, "launch", sample("launch", count=8, observations=OBSERVATIONS))
    done = subprocess.run([str(dprk), "diff", "--exit-code"], cwd=repo, capture_output=True, text=True)
    assert done.returncode == 1 and "~ count: 2 -> 8" in done.stdout
    done = subprocess.run([str(dprk), "diff", "nope..HEAD"], cwd=repo, capture_output=True, text=True)
    assert done.returncode == 2 and done.stdout == "" and done.stderr.count("\n") == 1


# --- markdown that a hostile value cannot break out of -------------------------------------------------

HOSTILE_VALUES = [
    "``![tracker](https://evil.example/pixel.png)``",
    "```` ` ![x](https://evil.example/y.png) ````",
    "[click me](https://evil.example/login)",
    "<img src=x onerror=alert(1)>",
    "@octocat please merge",
    "| cell | break |",
    "`",
    "ends with a backtick `",
]


def html_outside_code(markdown: str) -> str:
    import re

    from markdown_it import MarkdownIt

    html = MarkdownIt("commonmark").enable("table").render(markdown)
    return html, re.sub(r"<code>.*?</code>", "", html, flags=re.S)


def test_markdown_renders_every_value_as_code(repo: Path, run: Runner) -> None:
    seed(repo)
    for n, value in enumerate(HOSTILE_VALUES):
        write_record(
            repo,
            "statement",
            sample("statement", id=f"2023-10-0{n + 1}-hostile", title=value, summary=value, quotes=[value]),
        )
    result = run("diff", "--format", "markdown")
    assert result.exit_code == 0, result.output
    html, outside = html_outside_code(result.output)
    assert "<img" not in html and "<a " not in html
    for marker in ("evil.example", "octocat", "onerror", "click me"):
        assert marker not in outside, marker
    assert "&lt;img src=x onerror=alert(1)&gt;" in html  # shown, as text in code


def test_markdown_errors_and_labels_are_code_too(repo: Path, run: Runner) -> None:
    seed(repo)
    key = "x ![x](https://evil.example/a.png)"
    (repo / "records/launches/2023-01-01-broken.yaml").write_text(f"id: 2023-01-01-broken\n{key}: 1\n{key}: 2\n")
    result = run("diff", "--format", "markdown")
    assert "duplicate key" in result.output
    html, outside = html_outside_code(result.output)
    assert "<img" not in html and "evil.example" not in outside


# --- each revision is read with its own schemas --------------------------------------------------------


def test_diff_and_log_across_a_kind_folder_rename_read_each_side_with_its_schemas(repo: Path, run: Runner) -> None:
    seed(repo)
    first = git(repo, "rev-parse", "HEAD").strip()
    schema = repo / "schema" / "launch.schema.json"
    schema.write_text(schema.read_text().replace('"x-folder": "launches"', '"x-folder": "missiles"'))
    git(repo, "mv", "records/launches", "records/missiles")
    path = repo / "records/missiles" / f"{LAUNCH}.yaml"
    path.write_text(path.read_text().replace("count: 2", "count: 3"))
    second = commit_all(repo, "launches live in missiles/ now")

    answers = []
    for checkout in (second, first):
        git(repo, "checkout", "-q", checkout)
        answers.append(diff_json(run, f"{first}..{second}")["records"])
    assert answers[0] == answers[1]
    [change] = [r for r in answers[0] if r["id"] == LAUNCH]
    assert change["kind"] == "launch" and change["changes"] == [{"field": "count", "op": "changed", "old": 2, "new": 3}]

    git(repo, "checkout", "-q", second)
    log = run("log", LAUNCH, "--format", "json")
    assert log.exit_code == 0, log.output
    newest, oldest = json.loads(log.output)
    assert newest["changes"] == change["changes"]
    assert oldest["status"] == "added" and {c["field"] for c in oldest["changes"]} >= {"id", "count", "category"}
