"""A command loads what its run needs and no more: the writers of what it writes
(dprk_records.output.registry), so that `query` loads neither the SQLite and data-package
writers nor the diff renderers nor the writers of validation problems; and `validate` of
the records on disk loads no git (dprk_records.checks.validate). Names of the tool's own
modules, read from sys.modules after real runs, in one process: `query` first, then what
`validate` added; then the formats loaded for a program that asks for them."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import sample, write_record

RUNS = """
import json, sys
from click.testing import CliRunner
from dprk_records.main import cli
result = {}
for name, args in (("query", ["query", "launches", "--csv", "--fields", "id"]), ("validate", ["validate"])):
    done = CliRunner().invoke(cli, args)
    result[name] = {"code": done.exit_code, "output": done.output}
    result[name]["loaded"] = sorted(m for m in sys.modules if m.startswith("dprk_records."))
# a program that asks for a format no command loaded yet gets it all the same
from dprk_records.output import registry
result["asked"] = [registry.describe("datapackage"), registry.writer("sqlite", "export").name, registry.formats("diff")]
print(json.dumps(result))
"""

NOT_FOR_QUERY = {
    "dprk_records.output.filewriters",
    "dprk_records.output.database",
    "dprk_records.output.sqlitedb",
    "dprk_records.output.datapackage",
    "dprk_records.output.derived",
    "dprk_records.output.diffwriters",
    "dprk_records.history.render",
    "dprk_records.history.recorddiff",
    "dprk_records.output.problemwriters",
    "dprk_records.output.problems",
}
NOT_FOR_VALIDATE = {
    "dprk_records.output.filewriters",
    "dprk_records.output.diffwriters",
    "dprk_records.checks.changed",
    "dprk_records.checks.staged",
    "dprk_records.history.git",
    "dprk_records.history.index",
    "dprk_records.history.revisions",
}


def test_query_loads_the_writers_of_rows_alone_and_validate_no_git(repo):
    write_record(repo, "launch", sample("launch"))
    done = subprocess.run([sys.executable, "-c", RUNS], cwd=repo, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    query, validate = result["query"], result["validate"]
    assert query["code"] == 0 and query["output"].splitlines() == ["id", sample("launch")["id"]]
    assert "dprk_records.output.writers" in query["loaded"]  # the CSV it wrote came through the registry
    assert sorted(NOT_FOR_QUERY & set(query["loaded"])) == []
    assert validate["code"] == 0, validate["output"]
    assert "dprk_records.output.problemwriters" in validate["loaded"]
    assert sorted(NOT_FOR_VALIDATE & set(validate["loaded"])) == []
    assert result["asked"] == [
        "a Frictionless Data Package, written to a folder",
        "sqlite",
        ["text", "json", "markdown"],
    ]
