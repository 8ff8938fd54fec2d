"""The site in a real browser: Debian's chromium, driven headless by selenium and chromedriver.

The site of the bundled records (and one hostile record of our own) is served on
127.0.0.1; the home page and a record page of every kind are opened at a desktop and a
phone width; every internal link and picture of each opened page must resolve (the file
test checks every page's links on disk), the page must fit the phone's width, no script
may be in it, and the browser's console must stay free of errors. Screenshots go to
tmp_path. Where chromium, chromedriver or selenium is missing the test says so and
skips: `apt-get install chromium chromium-driver` and `pip install -e '.[test]'`
(.ci/run installs them).
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import tempfile
import threading
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from conftest import PROJECT, Runner

CHROMIUM = next((p for p in (shutil.which("chromium"), shutil.which("chromium-browser")) if p), None)
CHROMEDRIVER = shutil.which("chromedriver")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
)
WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}


def browser_or_skip():
    missing = [name for name, found in (("chromium", CHROMIUM), ("chromedriver", CHROMEDRIVER)) if not found]
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing.append("selenium (pip install -e '.[test]')")
    if missing and os.environ.get("CI") == "true":  # .ci/run installs them: in CI a missing browser is a failure
        pytest.fail("the browser test needs " + ", ".join(missing) + "; .ci/run should have installed them")
    if missing:
        pytest.skip(
            "no browser to test the site in: missing "
            + ", ".join(missing)
            + "; install them with 'apt-get install chromium chromium-driver' (see README)"
        )
    pytest.importorskip("jinja2")


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The bundled site, with a hostile record added, on a local HTTP server."""
    browser_or_skip()
    repo = tmp_path_factory.mktemp("repo") / "repo"
    shutil.copytree(PROJECT / "schema", repo / "schema")
    shutil.copytree(PROJECT / "records", repo / "records")
    shutil.copytree(PROJECT / "docs", repo / "docs")
    hostile = (repo / "records" / "launches" / "2017-07-04-icbm-launch.yaml").read_text(encoding="utf-8")
    hostile = hostile.replace("id: 2017-07-04-icbm-launch", "id: 2017-07-05-hostile-launch").replace(
        "title: Hwasong-14 launch of 4 July 2017",
        "title: '<script>alert(1)</script>\"><img src=x onerror=alert(2)>{{ 7*7 }}'",
    )
    (repo / "records" / "launches" / "2017-07-05-hostile-launch.yaml").write_text(hostile, encoding="utf-8")
    site = repo.parent / "site"
    result = Runner(repo)("site", "-o", str(site))
    assert result.exit_code == 0, result.stderr
    handler = functools.partial(QuietHandler, directory=str(site))
    server = QuietServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", site
    finally:
        server.shutdown()
        server.server_close()


class QuietServer(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address) -> None:
        pass  # a browser that closes a connection early (a picture it no longer needs) is no failure


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the base class's name
        pass


@pytest.fixture(scope="module")
def driver():
    browser_or_skip()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="dprk-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (*FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    browser = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    try:
        yield browser
    finally:
        browser.quit()
        shutil.rmtree(profile, ignore_errors=True)


def pages_to_open(site: Path) -> list[str]:
    """The home page and the first record page of every kind (folders with record pages)."""
    chosen = ["index.html"]
    for folder in sorted(
        p for p in site.iterdir() if p.is_dir() and p.name not in ("data", "years", "resolutions", "members")
    ):
        records = sorted(p.name for p in folder.glob("*.html") if p.stem not in ("index", "oldest-first", "by-title"))
        if records:
            chosen.append(f"{folder.name}/{records[0]}")
    return chosen + ["launches/2017-07-05-hostile-launch.html", "resolutions/1718.html", "members/RUS.html"]


@pytest.mark.slow  # starting a browser and opening 20 pages takes longer than the quick run allows
def test_the_site_in_a_real_browser(served, driver, tmp_path):
    base, site = served
    opened = pages_to_open(site)
    assert len(opened) >= 6
    checked: dict[str, int] = {}
    for path in opened:
        for name, (width, height) in WIDTHS.items():
            driver.set_window_size(width, height)
            driver.get(base + path)
            assert driver.execute_script("return document.readyState") == "complete"
            assert driver.execute_script("return document.querySelectorAll('script').length") == 0, path
            assert driver.find_element("css selector", "h1").text.strip(), path
            # nothing wider than the window: readable on a phone without sideways scrolling of the page
            overflow = driver.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 1, f"{path} is {overflow}px too wide at {width}px"
            broken_images = driver.execute_script(
                "return [...document.images].filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src)"
            )
            assert broken_images == [], path
            if path == opened[0] or "hostile" in path:
                driver.save_screenshot(str(tmp_path / f"{path.replace('/', '_')}-{name}.png"))
        links = driver.execute_script(
            "return [...document.querySelectorAll('a[href], link[href], img[src]')].map(e => e.href || e.src)"
        )
        for link in links:
            if urlsplit(link).netloc != urlsplit(base).netloc:
                continue
            target = urljoin(link, urlsplit(link).path)
            if target not in checked:
                try:
                    with urllib.request.urlopen(target, timeout=30) as response:
                        checked[target] = response.status
                except urllib.error.HTTPError as exc:
                    checked[target] = exc.code
            assert checked[target] == 200, f"{path} links to {link}: HTTP {checked[target]}"
        errors = [entry for entry in driver.get_log("browser") if entry.get("level") == "SEVERE"]
        assert errors == [], f"{path}: {errors}"
    # the hostile title is shown as text, not run or drawn
    driver.get(base + "launches/2017-07-05-hostile-launch.html")
    assert (
        driver.find_element("css selector", "h1").text
        == '<script>alert(1)</script>"><img src=x onerror=alert(2)>{{ 7*7 }}'
    )
    assert driver.execute_script("return document.querySelectorAll('img').length") == 0
    assert len(list(tmp_path.glob("*.png"))) == 4
