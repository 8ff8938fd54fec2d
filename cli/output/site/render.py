"""Filling the site's templates: Jinja2, loaded only when a site is built.

Every value a template prints is escaped (autoescape), and control characters in it are
shown as escapes (`\\x1b`), so that no record text can add markup, script or a broken
byte to a page. A link is made only from an http(s) address (`safe_url`); anything else
is printed as text. Jinja2 reads the templates; record text is only ever a value in them,
never a template, so `{{ }}` in a title is text.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from dprk_records.errors import UsageError, escape_controls
from dprk_records.output.site.pages import plural

INSTALL = "pip install 'dprk-records[site]'"
TEMPLATES = Path(__file__).with_name("templates")
_SAFE_URL = re.compile("https?://[^\\s\\x00-\\x1f\\x7f-\\x9f\"'<>\\\\`]+", re.IGNORECASE)


def load_jinja() -> Any:
    """The jinja2 module, or one line saying how to install it."""
    try:
        import jinja2
    except ImportError:
        raise UsageError("dprk site needs Jinja2, which is not installed", hint=INSTALL) from None
    return jinja2


def _shown(value: Any) -> Any:
    """What a template prints for a value: text with its control characters escaped."""
    if value is None:
        return ""
    if hasattr(value, "__html__"):  # markup the templates made (a macro's output), already escaped
        return value
    if isinstance(value, str):
        return value if value.isprintable() else escape_controls(value).replace("\t", " ")
    return value


def safe_url(value: Any) -> str | None:
    """`value` when it is an http or https address with a host, else None (no link)."""
    if not isinstance(value, str) or not _SAFE_URL.fullmatch(value):
        return None
    try:
        parts = urlsplit(value)
    except ValueError:
        return None
    return value if parts.scheme.lower() in ("http", "https") and parts.hostname else None


def href(*parts: str) -> str:
    """A relative link made of path parts (ids, folders), each percent-encoded."""
    return "/".join(quote(part, safe="") for part in parts)


class Renderer:
    """The site's templates in one Jinja2 environment, built once per site."""

    def __init__(self) -> None:
        jinja2 = load_jinja()
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(TEMPLATES)),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            finalize=_shown,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self.env.filters["safe_url"] = safe_url
        self.env.globals["href"] = href
        self.env.filters["plural"] = plural

    def page(self, template: str, **context: Any) -> bytes:
        return self.env.get_template(template).render(**context).encode("utf-8")

    def static(self, name: str) -> bytes:
        """A template file written as it is (the style sheet)."""
        return (TEMPLATES / name).read_bytes()
