"""A record added or removed is shown field by field, each source (and each element of a
list of objects) a block of its own, in text and in Markdown, so that a reviewer can
check every source without reading kilobytes of JSON on one line."""

from __future__ import annotations

from pathlib import Path

from test_diff import HOSTILE_VALUES, html_outside_code

from conftest import SOURCE, Runner, commit_all, sample, write_record

LAUNCH = "2023-08-30-srbm"
SECOND = dict(
    SOURCE,
    publisher="Yonhap",
    title="N. Korea fires two SRBMs",
    date="2023-08-30",
    url="https://en.yna.co.kr/view/AEN20230830000000315",
    quote="North Korea fired two short-range ballistic missiles",
)
OBSERVATION = {"actor": "KCNA", "actor_type": "state-media", "actor_state": "PRK", "stance": "claim", "apogee_km": 500}


def record() -> dict:
    return sample("launch", sources=[SOURCE, SECOND], observations=[OBSERVATION])


def test_an_added_record_shows_each_source_as_a_block(repo: Path, run: Runner) -> None:
    (repo / "README").write_text("x\n", encoding="utf-8")
    commit_all(repo, "start")
    write_record(repo, "launch", record())
    text = run("diff").output
    lines = text.splitlines()
    assert "  + sources[0]:" in lines and "  + sources[1]:" in lines
    first = lines.index("  + sources[0]:")
    assert lines[first + 1 : first + 5] == [
        '      publisher: "Security Council Report"',
        '      title: "November 2023 Monthly Forecast"',
        '      date: "2023-11"',
        f'      quote: "{SOURCE["quote"]}"',
    ]
    second = lines.index("  + sources[1]:")
    assert f'      url: "{SECOND["url"]}"' in lines[second:]
    assert "  + observations[0]:" in lines and "      apogee_km: 500" in lines
    assert "  + count: 2" in lines
    assert not any(SOURCE["quote"] in line and SECOND["quote"] in line for line in lines)  # never two sources on a line
    assert max(len(line) for line in lines) < 200


def test_a_removed_record_shows_its_fields_the_same_way(repo: Path, run: Runner) -> None:
    write_record(repo, "launch", record())
    commit_all(repo, "add")
    (repo / "records" / "launches" / f"{LAUNCH}.yaml").unlink()
    lines = run("diff").output.splitlines()
    assert "  - sources[0]:" in lines and "  - sources[1]:" in lines and "  - observations[0]:" in lines
    assert '      publisher: "Yonhap"' in lines


def test_markdown_shows_each_source_as_a_nested_list_of_code(repo: Path, run: Runner) -> None:
    (repo / "README").write_text("x\n", encoding="utf-8")
    commit_all(repo, "start")
    write_record(repo, "launch", record())
    markdown = run("diff", "--format", "markdown").output
    lines = markdown.splitlines()
    assert "- added `sources[0]`:" in lines and "- added `sources[1]`:" in lines
    start = lines.index("- added `sources[1]`:")
    assert lines[start + 1] == '  - `publisher`: `"Yonhap"`'
    html, _ = html_outside_code(markdown)
    assert html.count("<li><code>publisher</code>") == 2


def test_a_source_added_to_a_modified_record_is_a_block_too(repo: Path, run: Runner) -> None:
    write_record(repo, "launch", sample("launch"))
    commit_all(repo, "add")
    write_record(repo, "launch", sample("launch", sources=[SOURCE, SECOND]))
    lines = run("diff").output.splitlines()
    header = [line for line in lines if line.startswith("  + sources[")]
    assert len(header) == 1 and header[0].endswith(":")
    assert '      publisher: "Yonhap"' in lines


def test_values_in_the_blocks_stay_code_in_markdown(repo: Path, run: Runner) -> None:
    (repo / "README").write_text("x\n", encoding="utf-8")
    commit_all(repo, "start")
    for n, value in enumerate(HOSTILE_VALUES):
        write_record(
            repo,
            "launch",
            sample("launch", id=f"2023-10-0{n + 1}-hostile", sources=[dict(SOURCE, quote=value, title=value)]),
        )
    html, outside = html_outside_code(run("diff", "--format", "markdown").output)
    assert "<img" not in html and "<a " not in html
    for marker in ("evil.example", "octocat", "onerror", "click me"):
        assert marker not in outside, marker
