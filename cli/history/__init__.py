"""Git history and record diffs: what changed between revisions, in record terms.

`git` talks to git (the two sides of a comparison, changed paths, blobs, each revision's
own schemas); `revisions` turns changed paths into changed records, the log of one
record, and what changed since a revision; `recorddiff` compares two versions of a
record field by field; `render` makes a diff's text or Markdown; `commit`
commits the one file `add`/`update --commit` wrote. GitPython is imported only when git
is used.

Its main names are importable from here, loaded when first asked for: importing one
module of the package (`render`, say) loads that module and what it imports, not git.
"""

from __future__ import annotations

from dprk_records.lazy import exports

__getattr__, __all__ = exports(
    __name__,
    {
        "check_can_commit": "dprk_records.history.commit",
        "commit_file": "dprk_records.history.commit",
        "Diff": "dprk_records.history.recorddiff",
        "FieldChange": "dprk_records.history.recorddiff",
        "RecordChange": "dprk_records.history.recorddiff",
        "compare": "dprk_records.history.recorddiff",
        "change_line": "dprk_records.history.render",
        "changed_since": "dprk_records.history.revisions",
        "diff_revisions": "dprk_records.history.revisions",
        "record_log": "dprk_records.history.revisions",
    },
)
