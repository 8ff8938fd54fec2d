"""Adding and updating records: the logic behind `dprk add` and `dprk update`.

Everything here is driven by the kind's schema: which options exist, how a value
given on the command line becomes a field value, which required fields are still
missing, how each prompt answer is checked. Nothing here imports click; the command
modules pass in small callbacks (`ask`, `confirm`, `edit`) for the interactive parts.

Add and update read only the records they reference (looked up by file name), never
the whole repository, so their cost does not grow with the number of records.

One job per module: `options` (options from the schema), `values` (typed text to field
values), `record` (ids, required fields, merging changes), `prompting` (asking for
missing fields), `editor` (the edit-until-valid loop), `workfile` (the file an editor
session works on), `inputs` (problems named in the --from-file input) and `saving`
(check, write under the lock, commit).
"""

from dprk_records.editing.editor import edit_until_valid, template
from dprk_records.editing.inputs import Input
from dprk_records.editing.options import OptionSpec, option_specs
from dprk_records.editing.prompting import prompt_missing
from dprk_records.editing.record import check_unset, fields_to_ask, given, merge, ordered, with_id
from dprk_records.editing.saving import (
    Changed,
    Gone,
    Invalid,
    NotCommitted,
    Saved,
    id_taken,
    keep_unsaved,
    save_new,
    save_update,
    unsaved_error,
)
from dprk_records.editing.values import parse_document
from dprk_records.editing.workfile import EditorFailed, edit_session

__all__ = [
    "Changed",
    "EditorFailed",
    "Gone",
    "Input",
    "Invalid",
    "NotCommitted",
    "OptionSpec",
    "Saved",
    "check_unset",
    "edit_session",
    "edit_until_valid",
    "fields_to_ask",
    "given",
    "id_taken",
    "keep_unsaved",
    "merge",
    "option_specs",
    "ordered",
    "parse_document",
    "prompt_missing",
    "save_new",
    "save_update",
    "template",
    "unsaved_error",
    "with_id",
]
