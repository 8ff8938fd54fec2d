"""Git history and record diffs: what changed between revisions, in record terms.

`git` talks to git (the two sides of a comparison, changed paths, blobs, each revision's
own schemas); `revisions` turns changed paths into changed records, the log of one
record, and what changed since a revision; `recorddiff` compares two versions of a
record field by field; `render` makes a diff's text or Markdown; `commit`
commits the one file `add`/`update --commit` wrote. GitPython is imported only when git
is used.
"""

from dprk_records.history.commit import check_can_commit, commit_file
from dprk_records.history.recorddiff import Diff, FieldChange, RecordChange, compare
from dprk_records.history.render import change_line
from dprk_records.history.revisions import changed_since, diff_revisions, record_log

__all__ = [
    "Diff",
    "FieldChange",
    "RecordChange",
    "change_line",
    "changed_since",
    "check_can_commit",
    "commit_file",
    "compare",
    "diff_revisions",
    "record_log",
]
