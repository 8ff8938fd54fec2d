"""`dprk site -o DIR`: the static site, built from real repositories into real folders.

Every internal link of every page resolves; a rebuild with nothing changed writes
nothing; pages of removed records go, and nothing else does; a folder of something
else, or a link in the site's folder, is refused; hostile record text is text; a new
kind gets pages from its schema alone; `dprk rename` leaves a redirect behind.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from test_cli import loaded_modules

from conftest import COMMON, PROJECT, Runner, add_kind, commit_all, ref, sample, write_record

pytest.importorskip("jinja2")

REPORT = re.compile(r"(\d+) pages written, (\d+) unchanged, (\d+) removed")


class Page(HTMLParser):
    """The links, scripts, event attributes and text of one HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.tags: list[str] = []
        self.handlers: list[str] = []
        self.text: list[str] = []
        self.refresh: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        values = dict(attrs)
        self.handlers += [name for name, _ in attrs if name.startswith("on")]
        for name in ("href", "src"):
            if values.get(name) is not None:
                self.links.append(values[name])
        if tag == "meta" and (values.get("http-equiv") or "").lower() == "refresh":
            self.refresh = values.get("content")

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(path: Path) -> Page:
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def broken_links(site: Path) -> list[str]:
    """Every internal link (href, src, a refresh's url) of every page that names no file of the site."""
    broken = []
    root = site.resolve()
    found: dict[str, bool] = {}  # a link's target, as written from its page's folder: whether it is a file of the site
    for page_path in sorted(site.rglob("*.html")):
        page = parse(page_path)
        links = list(page.links)
        if page.refresh:
            links.append(page.refresh.split("url=", 1)[1])
        for link in links:
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or link.startswith("#"):
                continue
            written = os.path.join(page_path.parent, unquote(parts.path))
            if written not in found:  # most links (the style sheet, the index pages) recur on every page
                target = Path(written).resolve()
                found[written] = target.is_file() and root in target.parents
            if not found[written]:
                broken.append(f"{page_path.relative_to(site)} -> {link}")
    return broken


def build(cwd: Path, out: Path, *args: str):
    result = Runner(cwd)("site", "-o", str(out), *args)
    return result, REPORT.search(result.stderr)


@pytest.fixture(scope="module")
def bundled(tmp_path_factory) -> Path:
    """The site of the bundled records, built once for this module."""
    out = tmp_path_factory.mktemp("bundled") / "site"
    result, counts = build(PROJECT, out)
    assert result.exit_code == 0 and counts, result.stderr
    return out


def test_the_bundled_site_has_every_page_and_every_internal_link_resolves(bundled):
    from dprk_records import Repository

    repo = Repository.find(PROJECT)
    for kind in repo.schemas.kinds.values():
        for order in ("index", "oldest-first", "by-title"):
            assert (bundled / kind.folder / f"{order}.html").is_file()
        for record in repo.records([kind]):
            assert (bundled / kind.folder / f"{record.id}.html").is_file(), record.rel
    for page in (
        "index.html",
        "years/index.html",
        "years/2017.html",
        "resolutions/index.html",
        "resolutions/1718.html",
        "members/index.html",
        "members/CHN.html",
        "timeline.svg",
        "style.css",
        "data/dprk-records.sqlite",
        "data/package/datapackage.json",
        "data/launches.csv",
    ):
        assert (bundled / page).is_file(), page
    assert broken_links(bundled) == []
    home = parse(bundled / "index.html")
    assert {"data/dprk-records.csv", "data/dprk-records.sqlite", "data/package/datapackage.json"} <= set(home.links)
    text = " ".join(home.text)
    assert "Coverage per year" in text and "CNS days" in text and "share met on" in text
    # the chart has alt text, and a title and description of its own
    assert 'alt="Bar chart of launches' in (bundled / "index.html").read_text(encoding="utf-8")
    svg = (bundled / "timeline.svg").read_text(encoding="utf-8")
    assert '<title id="title">' in svg and '<desc id="desc">' in svg
    # a record page: claims and assessments apart, each with who said it; sources with their quotes; backlinks
    launch = (bundled / "launches" / "2017-07-04-icbm-launch.html").read_text(encoding="utf-8")
    assert launch.index("<h3>Claims</h3>") < launch.index("<h3>Assessments</h3>")
    assert "US Pacific Command said:" in launch and "<blockquote" in launch
    assert 'href="../meetings/' in launch and "Records that link here" in launch
    # a resolution's page: how members voted, each linked to the member's page
    resolution = (bundled / "resolutions" / "2397.html").read_text(encoding="utf-8")
    assert 'href="../launches/2017-11-29-icbm-launch.html"' in resolution and 'href="../meetings/' in resolution
    voted = [
        p
        for p in (bundled / "resolutions").glob("*.html")
        if 'href="../members/CHN.html"' in p.read_text(encoding="utf-8")
    ]
    assert voted
    member = (bundled / "members" / "RUS.html").read_text(encoding="utf-8")
    assert "vetoes" in member.lower() and "resolutions/" in member


def test_a_years_page_is_sortable_without_javascript_one_page_per_order(bundled):
    def rows(name: str) -> list[list[str]]:
        html = (bundled / "years" / name).read_text(encoding="utf-8")
        body = html[html.index("<tbody>") : html.index("</tbody>")]
        return [
            [cell.split(">", 1)[1].split("<", 1)[0] for cell in row.split("<td")[1:]] for row in body.split("<tr>")[1:]
        ]

    oldest, newest = rows("2017.html"), rows("2017-newest-first.html")
    by_kind, by_title = rows("2017-by-kind.html"), rows("2017-by-title.html")
    assert len(oldest) > 10 and sorted(map(tuple, oldest)) == sorted(map(tuple, by_kind)) == sorted(map(tuple, newest))
    assert [r[0] for r in oldest] == sorted(r[0] for r in oldest)
    assert [r[0] for r in newest] == sorted((r[0] for r in newest), reverse=True)
    assert [r[1] for r in by_kind] == sorted((r[1] for r in by_kind), key=str.casefold)
    assert [r[1] for r in by_kind] != [r[1] for r in oldest]
    # each page links to the other orders and marks its own
    page = parse(bundled / "years" / "2017-by-kind.html")
    assert {"2017.html", "2017-newest-first.html", "2017-by-title.html"} <= set(page.links)
    assert len(by_title) == len(oldest)


def test_a_rebuild_of_an_unchanged_dataset_writes_nothing(bundled):
    before = {p: p.read_bytes() for p in bundled.rglob("*") if p.is_file()}
    result, counts = build(PROJECT, bundled)
    assert result.exit_code == 0
    assert counts.group(1) == "0" and counts.group(3) == "0" and int(counts.group(2)) > 700
    assert {p: p.read_bytes() for p in bundled.rglob("*") if p.is_file()} == before


def small_repo(repo: Path) -> None:
    write_record(repo, "launch", sample("launch"))
    meeting = sample("meeting")
    write_record(repo, "meeting", meeting)
    write_record(repo, "statement", sample("statement"))


def test_only_changed_pages_are_written_and_pages_of_removed_records_go(repo, run, tmp_path):
    small_repo(repo)
    second = sample("launch", id="2023-07-12-second-launch", title="Second launch", date="2023-07-12")
    write_record(repo, "launch", second)
    out = tmp_path / "site"
    result, counts = build(repo, out)
    assert result.exit_code == 0 and counts.group(1) != "0", result.stderr
    mine = out / "mine.txt"
    mine.write_text("the user's own file")
    (out / "launches" / "notes.txt").write_text("also the user's")
    page = out / "launches" / "2023-07-12-second-launch.html"
    assert page.is_file()
    (repo / "records" / "launches" / "2023-07-12-second-launch.yaml").unlink()
    result, counts = build(repo, out)
    assert result.exit_code == 0
    assert not page.exists() and int(counts.group(3)) >= 1
    assert mine.read_text() == "the user's own file" and (out / "launches" / "notes.txt").exists()
    # a changed title rewrites that record's page and the pages that list it, not the others
    written = int(build(repo, out)[1].group(1))
    assert written == 0
    first = sample("launch", title="A new title")
    write_record(repo, "launch", first)
    result, counts = build(repo, out)
    assert 0 < int(counts.group(1)) < int(counts.group(2))
    assert "A new title" in (out / "launches" / f"{first['id']}.html").read_text(encoding="utf-8")


def test_a_folder_the_site_did_not_make_is_refused_unless_force(repo, tmp_path):
    small_repo(repo)
    out = tmp_path / "elsewhere"
    out.mkdir()
    (out / "thesis.tex").write_text("mine")
    result, _ = build(repo, out)
    assert result.exit_code == 2 and "--force" in result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["thesis.tex"]
    result, counts = build(repo, out, "--force")
    assert result.exit_code == 0 and (out / "index.html").is_file()
    for record in (repo / "records").rglob("*.yaml"):
        record.unlink()
    result, counts = build(repo, out)  # the folder is the site's now: pages of removed records go, the rest stays
    assert result.exit_code == 0 and (out / "thesis.tex").read_text() == "mine"


def test_the_repository_and_its_own_folders_are_refused(repo):
    small_repo(repo)
    for target in (repo, repo / "records", repo / "schema", repo / "records" / "site"):
        result, _ = build(repo, target, "--force")
        assert result.exit_code == 2, target
    assert not (repo / "index.html").exists() and not (repo / "records" / "site").exists()


def test_links_in_the_site_folder_are_never_followed(repo, tmp_path):
    small_repo(repo)
    outside = tmp_path / "outside"
    outside.mkdir()
    linked = tmp_path / "linked"
    linked.symlink_to(outside)
    result, _ = build(repo, linked)
    assert result.exit_code == 2 and "symbolic link" in result.stderr
    out = tmp_path / "site"
    assert build(repo, out)[0].exit_code == 0
    import shutil

    shutil.rmtree(out / "launches")
    (out / "launches").symlink_to(outside)
    result, _ = build(repo, out)
    assert result.exit_code == 1 and "link" in result.stderr
    assert list(outside.iterdir()) == []
    (out / "launches").unlink()
    (out / "style.css").unlink()
    (out / "style.css").symlink_to(outside / "target.css")
    result, _ = build(repo, out)
    assert result.exit_code == 1 and not (outside / "target.css").exists()


HOSTILE = '<script>alert(1)</script>"><img src=x onerror=alert(2)>{{ 7*7 }}{% if 1 %}X{% endif %}\x1b[31m\x07'


def test_hostile_record_text_renders_as_text(repo, tmp_path):
    launch = sample("launch", title=HOSTILE, summary="javascript:alert(3) </p><iframe src=//evil> " + HOSTILE)
    launch["sources"] = [
        {**launch["sources"][0], "url": "javascript:alert(4)", "quote": "</blockquote><script>alert(5)</script>"},
        {**launch["sources"][0], "url": 'https://example.org/" onmouseover="alert(6)', "quote": "q"},
        {**launch["sources"][0], "url": "https://example.org/ok", "quote": "fine"},
    ]
    launch["tags"] = ["<b>bold</b>", "javascript:alert(7)"]
    write_record(repo, "launch", launch)
    meeting = sample("meeting", title="Meeting on " + HOSTILE)
    write_record(repo, "meeting", meeting)
    out = tmp_path / "site"
    result, _ = build(repo, out)
    assert result.exit_code == 0, result.stderr
    pages = list(out.rglob("*.html"))
    for path in pages:
        page = parse(path)
        assert "script" not in page.tags and "iframe" not in page.tags, path
        assert page.tags.count("img") == (1 if path == out / "index.html" else 0), path
        assert page.handlers == [], path
        assert all(not link.lower().startswith("javascript:") for link in page.links), path
        raw = path.read_text(encoding="utf-8")
        assert "\x1b" not in raw and "\x07" not in raw and ">49<" not in raw
    record = parse(out / "launches" / f"{launch['id']}.html")
    text = "".join(record.text)
    shown = HOSTILE.replace("\x1b", "\\x1b").replace("\x07", "\\x07")
    assert shown in text  # the title as text: markup, template syntax and escapes all visible
    assert "</blockquote><script>alert(5)</script>" in text and "javascript:alert(4)" in text
    assert "https://example.org/ok" in record.links
    assert not any("onmouseover" in link for link in record.links)
    home = parse(out / "index.html")
    assert home.tags.count("img") == 1 and "script" not in home.tags  # the timeline, nothing else
    svg = (out / "timeline.svg").read_text(encoding="utf-8")
    assert "<script" not in svg


def test_a_new_kind_gets_its_pages_from_its_schema_alone(repo, tmp_path):
    small_repo(repo)
    add_kind(
        repo,
        "press-conference",
        "press-conferences",
        {
            **COMMON,
            "speaker": {"title": "Who spoke", "description": "Who spoke.", "type": "string"},
            "about": {"type": "array", "items": ref("record_ref"), "x-references": ["launch"]},
            "sources": ref("sources"),
        },
        ["id", "date", "title", "summary", "speaker", "sources"],
    )
    launch_id = sample("launch")["id"]
    record = {
        "id": "2023-09-18-briefing",
        "date": "2023-09-18",
        "title": "A briefing",
        "summary": "s",
        "speaker": "Elizabeth Salmón",
        "about": [launch_id],
        "sources": sample("launch")["sources"],
    }
    write_record(repo, "press-conference", record)
    out = tmp_path / "site"
    result, _ = build(repo, out)
    assert result.exit_code == 0, result.stderr
    page = (out / "press-conferences" / "2023-09-18-briefing.html").read_text(encoding="utf-8")
    assert "Who spoke" in page and "Elizabeth Salmón" in page and f'href="../launches/{launch_id}.html"' in page
    assert (out / "press-conferences" / "by-title.html").is_file()
    assert 'href="../press-conferences/index.html"' in (out / "launches" / f"{launch_id}.html").read_text(
        encoding="utf-8"
    )
    assert "../press-conferences/2023-09-18-briefing.html" in (out / "launches" / f"{launch_id}.html").read_text(
        encoding="utf-8"
    )
    assert broken_links(out) == []


def test_claims_assessments_and_sources_are_found_by_their_schema_roles(repo, tmp_path):
    """A kind whose fields have other names than the launch's: the site finds the stance
    by `x-role: stance`, who spoke by the list's `x-key`, and the sources by `x-role: sources`."""
    small_repo(repo)
    voice = {
        "type": "object",
        "additionalProperties": False,
        "required": ["voice", "view"],
        "properties": {
            "voice": {"title": "Voice", "type": "string"},
            "view": ref("stance"),
            "said": {"title": "What was said", "type": "string"},
        },
    }
    add_kind(
        repo,
        "press-conference",
        "press-conferences",
        {
            **COMMON,
            "heard": {"title": "What was heard", "type": "array", "items": voice, "x-key": "voice"},
            "evidence": ref("sources"),
        },
        ["id", "date", "title", "summary", "evidence"],
    )
    quote = sample("launch")["sources"][0]["quote"]
    record = {
        "id": "2023-09-18-briefing",
        "date": "2023-09-18",
        "title": "A briefing",
        "summary": "s",
        "heard": [
            {"voice": "KCNA", "view": "claim", "said": "a new engine"},
            {"voice": "Japan's Ministry of Defense", "view": "assessment", "said": "about 1,000 km"},
        ],
        "evidence": sample("launch")["sources"],
    }
    write_record(repo, "press-conference", record)
    out = tmp_path / "site"
    result, _ = build(repo, out)
    assert result.exit_code == 0, result.stderr
    page = (out / "press-conferences" / "2023-09-18-briefing.html").read_text(encoding="utf-8")
    claims, assessments = page.index("<h3>Claims</h3>"), page.index("<h3>Assessments</h3>")
    assert claims < page.index("KCNA said:") < assessments < page.index("Japan&#39;s Ministry of Defense said:")
    assert "What was heard: claims and assessments" in page
    assert page.index('<h2 id="sources">') < page.index(quote)


def test_a_renamed_record_leaves_a_redirect_at_its_old_address(repo, tmp_path):
    small_repo(repo)
    commit_all(repo, "records")
    old = sample("launch")["id"]
    out = tmp_path / "site"
    assert build(repo, out)[0].exit_code == 0
    result = Runner(repo)("rename", old, "2023-07-12-renamed-launch", "--commit")
    assert result.exit_code == 0, result.stderr
    result, _ = build(repo, out)
    assert result.exit_code == 0, result.stderr
    redirect = parse(out / "launches" / f"{old}.html")
    assert redirect.refresh == "0; url=2023-07-12-renamed-launch.html"
    assert (out / "launches" / "2023-07-12-renamed-launch.html").is_file()
    # renamed again, without a commit: the oldest address leads to the newest id
    result = Runner(repo)("rename", "2023-07-12-renamed-launch", "2023-07-12-third-name")
    assert result.exit_code == 0, result.stderr
    assert build(repo, out)[0].exit_code == 0
    assert parse(out / "launches" / f"{old}.html").refresh == "0; url=2023-07-12-third-name.html"
    assert parse(out / "launches" / "2023-07-12-renamed-launch.html").refresh == "0; url=2023-07-12-third-name.html"
    assert broken_links(out) == []
    # the manifest keeps the redirects: without git history they stay
    subprocess.run(["rm", "-rf", str(repo / ".git")], check=True)
    assert build(repo, out)[0].exit_code == 0
    assert parse(out / "launches" / f"{old}.html").refresh == "0; url=2023-07-12-third-name.html"


def test_help_and_site_help_do_not_load_jinja2(repo):
    for args in (["--help"], ["site", "--help"]):
        loaded, _ = loaded_modules(args, repo)
        assert "jinja2" not in loaded and "selenium" not in loaded


def test_without_jinja2_one_line_says_how_to_install_it(repo, tmp_path):
    code = (
        "import sys; sys.modules['jinja2'] = None; sys.argv = ['dprk', 'site', '-o', sys.argv[1]]; "
        "from dprk_records.main import main; main()"
    )
    env = {k: v for k, v in os.environ.items() if k != "DPRK_REPO"}
    done = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "site")],
        cwd=repo,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 2
    assert (
        done.stderr.strip()
        == "dprk: error: dprk site needs Jinja2, which is not installed (pip install 'dprk-records[site]')"
    )
    assert not (tmp_path / "site").exists()


@pytest.mark.slow
def test_a_non_editable_install_carries_the_templates(tmp_path):
    """The wheel holds every file of templates/, and the installed package renders a page from them."""
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(PROJECT)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    (wheel,) = tmp_path.glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    templates = PROJECT / "cli" / "output" / "site" / "templates"
    wanted = {f"dprk_records/output/site/templates/{p.name}" for p in templates.iterdir()}
    assert len(wanted) > 5 and wanted <= names
    target = tmp_path / "installed"
    done = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    code = (
        "import sys; from dprk_records.output.site import render; "
        "assert render.__file__.startswith(sys.argv[1]), render.__file__; "
        "print(render.Renderer().static('style.css')[:2].decode())"
    )
    env = {**os.environ, "PYTHONPATH": str(target)}
    done = subprocess.run(
        [sys.executable, "-c", code, str(target)], capture_output=True, text=True, cwd=tmp_path, env=env
    )
    assert done.returncode == 0 and done.stdout.strip() == "/*", done.stderr
