"""`dprk validate --changed-since REV`: the changed records and what their change can break."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import PROJECT, Runner, commit_all, git, make_repo, sample, write_record

LAUNCH = "2023-08-30-srbm"
MEETING = "2023-08-25-open-briefing"


def seed(repo: Path) -> None:
    write_record(repo, "launch", sample("launch"))
    write_record(repo, "meeting", sample("meeting", launches=[LAUNCH]))
    write_record(repo, "statement", sample("statement"))
    write_record(repo, "sanctions-report", sample("sanctions-report"))
    commit_all(repo, "seed")


def problems(run: Runner, *args: str) -> tuple[int, list[dict]]:
    result = run("validate", "--format", "json", *args)
    return result.exit_code, json.loads(result.output)


def test_a_deleted_record_still_referenced_is_caught(repo: Path, run: Runner) -> None:
    seed(repo)
    git(repo, "rm", "-q", f"records/launches/{LAUNCH}.yaml")
    code, found = problems(run, "--changed-since", "HEAD")
    assert code == 1
    assert [(p["path"], p["check"], p["json_path"]) for p in found] == [
        (f"records/meetings/{MEETING}.yaml", "reference", "$.launches[0]")
    ]
    commit_all(repo, "remove the launch")
    assert problems(run, "--changed-since", "HEAD~1")[0] == 1
    assert problems(run, "--changed-since", "HEAD")[0] == 0  # nothing changed since HEAD


def test_a_renamed_or_moved_record_still_referenced_is_caught(repo: Path, run: Runner) -> None:
    seed(repo)
    (repo / "records/launches" / f"{LAUNCH}.yaml").unlink()
    write_record(repo, "statement", sample("launch"), name=LAUNCH)  # same id, now in the wrong kind's folder
    code, found = problems(run, "--changed-since", "HEAD")
    assert code == 1
    referrer = [p for p in found if p["path"] == f"records/meetings/{MEETING}.yaml"]
    assert len(referrer) == 1 and "expected a launch" in referrer[0]["message"]


def test_only_changed_records_get_their_own_checks(repo: Path, run: Runner) -> None:
    seed(repo)
    write_record(repo, "statement", sample("statement", id="2023-08-01-old-bad", status="nonsense"))
    commit_all(repo, "an old invalid record")
    assert problems(run, "--changed-since", "HEAD")[0] == 0  # the old problem is not this change's
    write_record(repo, "launch", sample("launch", count=-1))
    write_record(
        repo, "statement", sample("statement", id="2023-10-01-new", responds_to=["2099-01-01-missing"])
    )  # untracked
    code, found = problems(run, "--changed-since", "HEAD")
    assert code == 1
    assert {(p["path"], p["check"]) for p in found} == {
        (f"records/launches/{LAUNCH}.yaml", "schema"),
        ("records/statements/2023-10-01-new.yaml", "reference"),
    }
    assert problems(run)[0] == 1  # the full run still sees the old record too


def test_a_changed_file_in_the_wrong_place_is_reported(repo: Path, run: Runner) -> None:
    seed(repo)
    (repo / "records/launches/2023-10-01-misnamed.yml").write_text("id: x\n")
    code, found = problems(run, "--changed-since", "HEAD")
    assert code == 1 and [(p["path"], p["check"]) for p in found] == [
        ("records/launches/2023-10-01-misnamed.yml", "file")
    ]


def test_a_duplicate_symbol_with_an_unchanged_record_is_caught(repo: Path, run: Runner) -> None:
    seed(repo)
    write_record(repo, "sanctions-report", sample("sanctions-report", id="2023-10-01-copy", type="panel-final"))
    code, found = problems(run, "--changed-since", "HEAD")
    assert code == 1
    assert [(p["path"], p["check"]) for p in found] == [
        ("records/sanctions-reports/2023-10-01-copy.yaml", "unique-symbol")
    ]


def test_a_schema_change_checks_every_record(repo: Path, run: Runner) -> None:
    seed(repo)
    write_record(repo, "statement", {}, raw="id: [broken\n", name="2023-01-01-broken")
    commit_all(repo, "a broken record")
    schema = repo / "schema" / "launch.schema.json"
    schema.write_text(schema.read_text().replace('"description"', '"description"', 1) + "\n")
    code, found = problems(run, "--changed-since", "HEAD")
    assert code == 1 and [p["path"] for p in found] == ["records/statements/2023-01-01-broken.yaml"]


def test_since_the_merge_base(repo: Path, run: Runner) -> None:
    seed(repo)
    git(repo, "checkout", "-q", "-b", "feature")
    write_record(repo, "launch", sample("launch", count=-1))
    commit_all(repo, "feature breaks the launch")
    git(repo, "checkout", "-q", "main")
    write_record(repo, "statement", sample("statement", status="bad-status"))
    commit_all(repo, "main breaks a statement")
    git(repo, "checkout", "-q", "feature")
    code, found = problems(run, "--changed-since", "main...")
    assert code == 1 and {p["path"] for p in found} == {f"records/launches/{LAUNCH}.yaml"}


def test_usage_errors(repo: Path, run: Runner, tmp_path: Path) -> None:
    seed(repo)
    result = run("validate", "--changed-since", "no-such-rev")
    assert result.exit_code == 2 and "unknown revision 'no-such-rev'" in result.output
    assert run("validate", "--changed-since", "HEAD", "records").exit_code == 2
    plain = make_repo(tmp_path / "plain", git_init=False)
    result = Runner(plain)("validate", "--changed-since", "HEAD")
    assert result.exit_code == 2 and "not in a git repository" in result.output


def test_help_and_plain_validate_do_not_load_git(repo: Path) -> None:
    seed(repo)
    script = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from dprk_records.main import cli\n"
        "r = CliRunner()\n"
        "assert r.invoke(cli, ['--help']).exit_code == 0\n"
        "assert 'git' not in sys.modules\n"
        f"assert r.invoke(cli, ['validate', '--repo', {str(repo)!r}]).exit_code == 0\n"
        "print(sorted(m for m in sys.modules if m == 'git' or m.startswith('git.')))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], cwd=PROJECT, capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_a_reference_spelled_with_yaml_escapes_is_found(repo: Path, run: Runner) -> None:
    seed(repo)
    path = repo / f"records/meetings/{MEETING}.yaml"
    text = path.read_text()
    assert f"  - {LAUNCH}\n" in text
    path.write_text(text.replace(f"  - {LAUNCH}\n", '  - "2023\\u002d08-30-srbm"\n'))
    assert run("validate").exit_code == 0  # the escape spells the same id
    commit_all(repo, "an escaped reference")
    git(repo, "rm", "-q", f"records/launches/{LAUNCH}.yaml")
    full_code, full = problems(run)
    code, found = problems(run, "--changed-since", "HEAD")
    assert full_code == code == 1
    assert (
        [(p["path"], p["check"]) for p in found]
        == [(p["path"], p["check"]) for p in full]
        == [(f"records/meetings/{MEETING}.yaml", "reference")]
    )


def test_a_symbol_spelled_with_yaml_escapes_is_compared(repo: Path, run: Runner) -> None:
    seed(repo)
    other = sample("sanctions-report", id="2023-09-13-copy", symbol="S/2023/999")
    path = write_record(repo, "sanctions-report", other)
    path.write_text(path.read_text().replace("symbol: S/2023/999", 'symbol: "S\\u002f2023\\u002f656"'))
    commit_all(repo, "a second report")
    write_record(repo, "sanctions-report", sample("sanctions-report", summary="Changed."))
    code, found = problems(run, "--changed-since", "HEAD")
    assert code == 1 and {p["check"] for p in found} == {"unique-symbol"}


@pytest.mark.slow  # 60,000 files
def test_tens_of_thousands_of_untracked_records_do_not_overflow_the_argument_list(repo: Path, run: Runner) -> None:
    seed(repo)
    folder = repo / "records" / "statements"
    long = "x" * 80
    for n in range(20000):  # about 2.6 MB of paths: more than one argument list may hold
        (folder / f"2023-01-01-{long}-{n:05d}.yaml").write_bytes(b"")
    code, found = problems(run, "--changed-since", "HEAD")
    assert code == 1 and len(found) == 20000 and {p["check"] for p in found} == {"yaml"}
    result = run("diff", "--stat")
    assert result.exit_code == 0, result.output
    assert "20000 added" in result.output
