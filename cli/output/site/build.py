"""`dprk site -o DIR`: every page of the public site, made in memory, then published.

Addresses follow the ids and the schema's folders, relative to each page so that the
site works from any folder of any static host (and from the disk):

    index.html                        the dataset, its coverage, the timeline, the downloads
    <folder>/index.html               a kind's records, newest first (oldest-first.html, by-title.html)
    <folder>/<id>.html                one record
    years/index.html, years/<YYYY>.html (and years/<YYYY>-newest-first.html, -by-kind, -by-title)
    resolutions/index.html, resolutions/<number>.html
    members/index.html, members/<STATE>.html
    data/...                          CSV, SQLite, the data package
    <folder>/<old id>.html            a redirect left by `dprk rename`

`redirects` maps old ids to new ones (the command line finds them in git history); the
manifest keeps them, so a redirect stays when the history is not at hand.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from dprk_records.errors import DprkError
from dprk_records.history.renames import renamed_ids
from dprk_records.output.site import council, pages
from dprk_records.output.site.exports import exports
from dprk_records.output.site.publish import Published, check_folder, publish
from dprk_records.output.site.render import Renderer, href
from dprk_records.output.site.timeline import timeline
from dprk_records.selection import coverage
from dprk_records.selection.reactions import CLASSES, SUMMARY_COLUMNS, reactions_of, summary
from dprk_records.selection.vocabulary import vocabulary

SITE_NAME = "DPRK records"


def build_site(
    repo: Any, folder: Path, *, force: bool = False, redirects: dict[str, str] | None = None, on_skip: Any = None
) -> Published:
    """Build the site of `repo` into `folder`; returns what was written, kept and removed.
    `redirects` (old id -> new id) are read from git's history of renames when not given."""
    old = check_folder(folder, force)  # before any work: a wrong folder is refused at once
    if redirects is None:
        try:
            redirects = renamed_ids(repo)
        except DprkError:
            redirects = {}  # not a git work tree (or no git): no new redirect pages; earlier ones stay
    pages_out, kept = site_pages(repo, {**_kept(old), **(redirects or {})}, on_skip)
    return publish(folder, pages_out, {"redirects": kept}, force=force)


def _kept(manifest: dict) -> dict[str, str]:
    found = manifest.get("redirects")
    return (
        {k: v for k, v in found.items() if isinstance(k, str) and isinstance(v, str)} if isinstance(found, dict) else {}
    )


def site_pages(repo: Any, redirects: dict[str, str], on_skip: Any = None) -> tuple[dict[str, bytes], dict[str, str]]:
    """Every file of the site (path -> bytes), and the redirects it made (old id -> new id)."""
    render = Renderer()
    kinds = list(repo.schemas.kinds.values())
    entries: dict[str, pages.Entry] = {}
    for record, data in repo.iter_data(kinds, order="date"):
        if not _page_name(record.id) or record.id in entries:
            if on_skip is not None:
                on_skip(
                    f"{record.rel}: no page made (its id {'is taken' if record.id in entries else 'cannot name a page'})"
                )
            continue
        entries[record.id] = pages.entry_of(record, data)
    pages.backlink_index(entries)
    answered = {k.name for k in vocabulary(kinds).answered}
    found = reactions_of(repo, ((e.record, e.data) for e in entries.values() if e.kind.name in answered))
    by_event = {r.record.id: r for r in found}
    resolutions = council.resolutions(entries)
    members = council.members(entries, resolutions)
    nav = [{"label": pages.plural(k), "href": href(k.folder, "index.html")} for k in kinds]
    nav += [
        {"label": "Years", "href": "years/index.html"},
        {"label": "Resolutions", "href": "resolutions/index.html"},
        {"label": "Council members", "href": "members/index.html"},
    ]
    common = {"site": SITE_NAME, "nav": nav, "members_by_code": {m.code: m for m in members}}

    def page(path: str, template: str, **context: Any) -> None:
        root = "../" * path.count("/")
        out[path] = render.page(template, root=root, here=path, **common, **context)

    out: dict[str, bytes] = {}
    files, downloads = exports(repo)
    out.update(files)
    out["style.css"] = render.static("style.css")
    out["favicon.svg"] = render.static("favicon.svg")
    chart = timeline(found)
    out["timeline.svg"] = render.page("timeline.svg", chart=chart)
    counts = [(k, sum(1 for e in entries.values() if e.kind is k)) for k in kinds]
    page(
        "index.html",
        "home.html",
        counts=counts,
        chart=chart,
        downloads=downloads,
        coverage=_coverage(repo),
        summary_columns=SUMMARY_COLUMNS,
        summary=summary(found, "year"),
        classes=CLASSES,
        span=_span(entries),
        total=len(entries),
    )
    for kind in kinds:
        mine = [e for e in entries.values() if e.kind is kind]
        for order, _label in pages.ORDERS:
            labels, rows = pages.index_rows(kind, pages.ordered(mine, order), "../")
            page(
                f"{kind.folder}/{order}.html",
                "listing.html",
                kind=kind,
                labels=labels,
                rows=rows,
                order=order,
                orders=pages.ORDERS,
            )
        for entry in mine:
            page(entry.path, "record.html", **pages.record_page(entry, entries, by_event.get(entry.id)))
    years = sorted({e.year for e in entries.values() if e.year})
    page("years/index.html", "years.html", years=[(y, sum(1 for e in entries.values() if e.year == y)) for y in years])
    for year in years:
        mine = [e for e in entries.values() if e.year == year]
        for suffix, _label in pages.YEAR_ORDERS:
            page(
                f"years/{year}{suffix}.html",
                "year.html",
                year=year,
                entries=pages.ordered(mine, suffix),
                kinds=kinds,
                order=suffix,
                orders=pages.YEAR_ORDERS,
            )
    page("resolutions/index.html", "resolutions.html", resolutions=resolutions)
    for resolution in resolutions:
        page(resolution.path, "resolution.html", **council.resolution_page(resolution, entries))
    page("members/index.html", "members.html", members=members, limit=council.VOTE_LIMIT)
    for member in members:
        page(member.path, "member.html", member=member, limit=council.VOTE_LIMIT)
    made = {}
    for old_id in sorted(redirects):
        target = _follow(old_id, redirects, entries)
        if target is None or not _page_name(old_id) or f"{target.kind.folder}/{old_id}.html" in out:
            continue
        made[old_id] = target.id
        page(f"{target.kind.folder}/{old_id}.html", "redirect.html", old=old_id, target=target)
    return out, made


def _page_name(record_id: str) -> bool:
    """An id that can name a page: one path part, no dot-file, no control character."""
    return (
        bool(record_id)
        and "/" not in record_id
        and "\\" not in record_id
        and not record_id.startswith(".")
        and record_id.isprintable()
        and len(record_id.encode("utf-8")) <= 200
    )


def _follow(old_id: str, redirects: dict[str, str], entries: dict[str, Any]) -> Any:
    """The record an old id now names, through any number of renames; None if it is gone
    (or the id is a record's again)."""
    seen, current = {old_id}, old_id
    if old_id in entries:
        return None
    while current not in entries:
        current = redirects.get(current)
        if current is None or current in seen:
            return None
        seen.add(current)
    return entries[current]


def _coverage(repo: Any) -> dict[str, Any] | None:
    path = coverage.coverage_file(repo.root)
    if path is None:
        return None
    try:
        with open(path, encoding="utf-8") as handle:
            header, rows = coverage.stated_table(handle.read())
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    return {
        "header": header,
        "rows": [[cell.replace("*", "").replace("`", "") for cell in row] for row in rows],
        "file": os.path.join(*coverage.COVERAGE_FILE),
    }


def _span(entries: dict[str, Any]) -> tuple[str, str]:
    dates = sorted(e.sort_date for e in entries.values() if e.sort_date)
    return (dates[0], dates[-1]) if dates else ("", "")
