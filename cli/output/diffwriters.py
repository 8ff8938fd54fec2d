"""The built-in formats' writers of what git history holds (see dprk_records.output.registry):
records changed between revisions (`dprk diff`) and the commits that touched one record
(`dprk log`). Each is a subclass of its format's writer of rows (dprk_records.output.writers);
the text and Markdown of a diff are rendered by dprk_records.history.render.
"""

from __future__ import annotations

from typing import IO, Any

from dprk_records.errors import one_line
from dprk_records.history.render import render_change_block, render_markdown, render_text
from dprk_records.output.writers import JsonLinesWriter, JsonWriter, MarkdownWriter, TextWriter, dumps


class TextHistory(TextWriter):
    def write_diff(self, out: IO[str], diff: Any, *, stat: bool = False) -> None:
        out.write(render_text(diff, stat))

    def write_log(self, out: IO[str], entries: list[Any]) -> None:
        for entry in entries:
            commit = entry.commit
            out.write(one_line(f"{commit.short} {commit.date} {commit.author}: {commit.subject}") + "\n")
            if entry.change is not None:
                out.write(render_change_block(entry.change, indent="  "))


class JsonHistory(JsonWriter):
    def write_diff(self, out: IO[str], diff: Any, *, stat: bool = False) -> None:
        out.write(dumps(diff.to_dict(stat), indent=2) + "\n")

    def write_log(self, out: IO[str], entries: list[Any]) -> None:
        out.write(dumps([entry.to_dict() for entry in entries], indent=2) + "\n")


class JsonLinesHistory(JsonLinesWriter):
    def write_log(self, out: IO[str], entries: list[Any]) -> None:
        self.write_records(out, (entry.to_dict() for entry in entries))


class MarkdownHistory(MarkdownWriter):
    def write_diff(self, out: IO[str], diff: Any, *, stat: bool = False) -> None:
        out.write(render_markdown(diff, stat))
