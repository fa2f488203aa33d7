"""Helpers of the Python tests: paths, the dbt toolchain's Python (.venv, where dbt is), DuckDB
projects copied to a tmp dir. pytest itself runs from the dev tools' venv (.tools/venv), so
everything that needs dbt runs in a child process of .venv/bin/python, as the worker runs it."""
import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
DBT_PYTHON = ROOT / ".venv" / "bin" / "python"
WARM_DIR = ROOT / "src" / "executor" / "warm"
ENGINE = WARM_DIR / "engine.py"
SHIM = ROOT / "src" / "executor" / "subprocess" / "dbt_shim.py"
# The worker's global dbt flags (src/executor/workspace.ts GLOBAL_ARGS).
GLOBAL_ARGS = ["--no-use-colors", "--no-send-anonymous-usage-stats", "--no-version-check"]


@dataclass
class Project:
    """A copy of a fixture project whose DuckDB file (`db`) lies in the test's tmp dir."""

    dir: Path
    db: Path
    scratch: Path
    env: dict[str, str]

    def common_args(self, scratch: str | None = None) -> list[str]:
        """--project-dir ... --log-path, as the worker passes them (scratch: target and log dirs)."""
        base = scratch or str(self.scratch)
        return ["--project-dir", str(self.dir), "--profiles-dir", str(self.dir),
                "--target-path", f"{base}/target", "--log-path", f"{base}/logs"]


def copy_project(name: str, tmp_path: Path, db_env: str, source: Path | None = None) -> Project:
    """`test/fixtures/<name>` (or `source`) copied under tmp_path, its DuckDB path set by `db_env`."""
    project = tmp_path / name
    shutil.copytree(source or ROOT / "test" / "fixtures" / name, project)
    db = tmp_path / f"{name}.duckdb"
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path), "LANG": "C.UTF-8",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "DBT_LOG_LEVEL_FILE": "none", db_env: str(db),
    }
    return Project(dir=project, db=db, scratch=scratch, env=env)


def query(db: Path, sql: str) -> list[list[object]]:
    """Rows of `sql` on the DuckDB file `db` (read in the dbt venv, where duckdb is)."""
    code = ("import duckdb, json, sys\n"
            "con = duckdb.connect(sys.argv[1], read_only=True)\n"
            "print(json.dumps(con.execute(sys.argv[2]).fetchall(), default=str))")
    out = subprocess.run([str(DBT_PYTHON), "-c", code, str(db), sql], capture_output=True, text=True, timeout=60, check=True)
    return json.loads(out.stdout)


def tables(db: Path) -> set[str]:
    return {str(row[0]) for row in query(db, "select table_name from information_schema.tables")}


def fence_code(install: str, body: str) -> str:
    """A script for the dbt venv's Python: dbt_reach importable, an invocation context set, and
    `dbt_reach.<install>()` called twice (installs are idempotent) when run with `installed`."""
    return (f"import contextlib, json, sys, types\nsys.dont_write_bytecode = True\nsys.path.insert(0, {str(WARM_DIR)!r})\n"
            "from dbt_common.context import set_invocation_context\nimport dbt_reach\n\nset_invocation_context({})\n"
            f"if sys.argv[1:] == ['installed']:\n    dbt_reach.{install}()\n    dbt_reach.{install}()\n" + body)


def run_json(code: str, *args: str) -> Any:
    """Runs `code` in the dbt venv's Python with `args`; the JSON of its last output line."""
    r = subprocess.run([str(DBT_PYTHON), "-c", code, *args], capture_output=True, text=True, timeout=120, check=False)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout.strip().splitlines()[-1])
