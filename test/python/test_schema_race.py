"""Schemas are created as dbt creates them (dbt's own GraphRunnableTask.create_schemas), and a
creation that loses a race to another process (Postgres fails one of two concurrent `create
schema if not exists`) lists again and finds the schema instead of failing the run
(dbt_reach_schemas.py, installed by the warm engine and the subprocess shim)."""
import subprocess

from support import DBT_PYTHON, WARM_DIR, fence_code, run_json

CODE = fence_code("install_schema_race_retry", """
from dbt.adapters.base.relation import BaseRelation
from dbt.task.build import BuildTask


class Adapter:
    def __init__(self, mode):
        self.mode, self.schemas, self.lists, self.creates = mode, set(), 0, 0

    @contextlib.contextmanager
    def connection_named(self, name, query_header_context=None):
        yield

    def list_schemas(self, database):
        self.lists += 1
        return sorted(self.schemas)

    def create_schema(self, relation):
        self.creates += 1
        if self.mode == "raced" and self.creates == 1:
            self.schemas.add(relation.schema)  # another process created it a moment before
            raise RuntimeError('duplicate key value violates unique constraint "pg_namespace_nspname_index"')
        if self.mode == "denied":
            raise RuntimeError("permission denied for database warehouse")
        self.schemas.add(relation.schema)

task = BuildTask.__new__(BuildTask)
task.config = types.SimpleNamespace(threads=2, args=types.SimpleNamespace(single_threaded=False))
out = {}
for mode in ("alone", "raced", "denied"):
    adapter = Adapter(mode)
    try:
        task.create_schemas(adapter, {BaseRelation.create(database="db", schema="analytics")})
        error = None
    except Exception as err:
        error = str(err)
    out[mode] = {"lists": adapter.lists, "creates": adapter.creates, "schemas": sorted(adapter.schemas), "error": error}
print(json.dumps(out))
""")


def run(*args: str) -> dict[str, dict[str, object]]:
    out: dict[str, dict[str, object]] = run_json(CODE, *args)
    return out


def test_dbts_own_creation_fails_a_lost_race() -> None:
    out = run()
    assert out["alone"] == {"lists": 1, "creates": 1, "schemas": ["analytics"], "error": None}
    assert "pg_namespace_nspname_index" in str(out["raced"]["error"])


def test_a_schema_created_by_another_process_meanwhile_is_found_and_other_errors_still_raise() -> None:
    out = run("installed")
    assert out["alone"] == {"lists": 1, "creates": 1, "schemas": ["analytics"], "error": None}
    # The lost race: listed again, found the other's schema, created nothing more.
    assert out["raced"] == {"lists": 2, "creates": 1, "schemas": ["analytics"], "error": None}
    # Anything else fails the second attempt too, and is raised as dbt raises it.
    assert out["denied"]["creates"] == 2 and out["denied"]["schemas"] == []
    assert "permission denied" in str(out["denied"]["error"])


def test_self_check_names_the_schema_creation_when_it_is_gone() -> None:
    code = (
        f"import sys\nsys.path.insert(0, {str(WARM_DIR)!r})\nimport dbt_reach\n"
        "from dbt.task.runnable import GraphRunnableTask\ndel GraphRunnableTask.create_schemas\ndbt_reach.self_check()"
    )
    r = subprocess.run([str(DBT_PYTHON), "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert r.returncode == 1
    assert "lacks GraphRunnableTask.create_schemas" in r.stderr
