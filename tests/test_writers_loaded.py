"""A command loads the writers of what it writes and no others (dprk_records.output.registry):
`query` neither the SQLite and data-package writers nor the diff renderers nor the writers of
validation problems. Names of the tool's own modules, read from sys.modules after a real run."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import sample, write_record

QUERY = """
import json, sys
from click.testing import CliRunner
from dprk_records.main import cli
done = CliRunner().invoke(cli, ["query", "launches", "--csv", "--fields", "id"])
loaded = sorted(m for m in sys.modules if m.startswith("dprk_records."))
print(json.dumps({"code": done.exit_code, "output": done.output, "loaded": loaded}))
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


def test_query_loads_the_writers_of_rows_alone(repo):
    write_record(repo, "launch", sample("launch"))
    done = subprocess.run([sys.executable, "-c", QUERY], cwd=repo, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["code"] == 0 and result["output"].splitlines() == ["id", sample("launch")["id"]]
    loaded = set(result["loaded"])
    assert "dprk_records.output.writers" in loaded  # the CSV it wrote came through the registry
    assert sorted(NOT_FOR_QUERY & loaded) == []
