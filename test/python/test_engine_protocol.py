"""The warm engine's JSON-lines protocol (engine.py's docstring), spoken as the worker speaks it:
`ready` on start, `invoke` of a whole `dbt ls`, `node` requests served in one run context,
`close`, and the protocol errors the worker recycles an engine for."""
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from engine_client import Engine, Message
from support import GLOBAL_ARGS, Project, query

MANIFEST_KEY = "jaffle-manifest"
RUN_ID = "6f1c2a9e-3b4d-4e5f-8a7b-0c1d2e3f4a5b"


@pytest.fixture
def engine(jaffle: Project, tmp_path: Path) -> Iterator[Engine]:
    eng = Engine(tmp_path, {**jaffle.env, "DBT_TEMPORAL_ENGINE_MANIFESTS": "4"})
    try:
        yield eng
    finally:
        eng.close()


def parse_args(project: Project) -> list[str]:
    return [*GLOBAL_ARGS, "parse", *project.common_args(), "--no-write-json"]


def dbt_env(project: Project, scratch: str) -> dict[str, str]:
    return {**project.env, "DBT_LOG_PATH": f"{scratch}/logs", "DBT_TARGET_PATH": f"{scratch}/target"}


def context_spec(project: Project, key: str, subcommand: str, select: str) -> Message:
    """A run context as src/executor/warm/context-spec.ts builds it ({ctx}: the engine's scratch dir)."""
    args = [*GLOBAL_ARGS, "--log-level", "none", subcommand, *project.common_args("{ctx}"),
            "--select", select, "--indirect-selection", "empty", "--no-write-json"]
    return {"key": key, "manifest_key": MANIFEST_KEY, "parse_args": parse_args(project), "args": args,
            "env": dbt_env(project, "{ctx}"), "invocation_id": RUN_ID, "run_started_at": "2026-01-02T03:04:05Z"}


def expected_ids(project: Project) -> set[str]:
    models = {f"model.jaffle_duck.{p.stem}" for p in (project.dir / "models").rglob("*.sql")}
    seeds = {f"seed.jaffle_duck.{p.stem}" for p in (project.dir / "seeds").glob("*.csv")}
    return models | seeds


def test_announces_ready_with_its_pid_and_no_version_warning(engine: Engine) -> None:
    ready = engine.read()
    assert ready["type"] == "ready", ready
    assert ready["pid"] == engine.proc.pid
    assert ready["warnings"] == []
    assert engine.stop() == 0


def test_invoke_runs_dbt_ls_and_answers_its_lines_the_profile_and_the_manifest(engine: Engine, jaffle: Project) -> None:
    assert engine.read()["type"] == "ready"
    manifest_out = jaffle.scratch / "manifest-out.json"
    ls = [*GLOBAL_ARGS, "ls", *jaffle.common_args(), "--output", "json", "--output-keys", "unique_id", "--quiet",
          "--resource-type", "model", "--resource-type", "seed"]
    done = engine.call({"op": "invoke", "id": "plan-1", "key": MANIFEST_KEY, "parse_args": parse_args(jaffle), "args": ls,
                        "env": dbt_env(jaffle, str(jaffle.scratch)), "want_result": True, "want_profile": True,
                        "manifest_out": str(manifest_out)})
    assert done["type"] == "done", done
    assert (done["ok"], done["success"], done["error"]) == (True, True, None), done
    listed = {json.loads(line)["unique_id"] for line in done["result"]}
    assert listed == expected_ids(jaffle)
    assert done["profile"] == {"type": "duckdb", "target": "dev", "profile": "jaffle_duck", "threads": 4, "duckdb_path": str(jaffle.db)}
    manifest = json.loads(manifest_out.read_text())
    assert "model.jaffle_duck.customers" in manifest["nodes"]
    # dbt ls never writes inside the project: its target and logs are the scratch dir's.
    assert not (jaffle.dir / "target").exists()

    selected = engine.call({"op": "invoke", "id": "plan-2", "key": MANIFEST_KEY, "parse_args": parse_args(jaffle),
                            "args": [*ls, "--select", "+customers"], "env": dbt_env(jaffle, str(jaffle.scratch)), "want_result": True})
    assert (selected["ok"], selected["success"]) == (True, True), selected
    assert {json.loads(line)["unique_id"] for line in selected["result"]} == {
        "model.jaffle_duck.customers", "model.jaffle_duck.stg_customers", "model.jaffle_duck.stg_orders",
        "model.jaffle_duck.stg_payments", "seed.jaffle_duck.raw_customers", "seed.jaffle_duck.raw_orders",
        "seed.jaffle_duck.raw_payments"}
    assert engine.stop() == 0


def test_node_requests_run_in_one_run_context_until_close(engine: Engine, jaffle: Project) -> None:
    (jaffle.dir / "models" / "stamp.sql").write_text("select '{{ invocation_id }}' as inv, count(*) as n from {{ ref('stg_customers') }}\n")
    assert engine.read()["type"] == "ready"
    spec = context_spec(jaffle, "run-1", "build", "raw_customers")

    def node(rid: str, unique_id: str) -> Message:
        return engine.call({"op": "node", "id": rid, "context": spec, "unique_id": unique_id})

    seed = node("n1", "seed.jaffle_duck.raw_customers")
    assert (seed["ok"], seed["status"], seed["cancelled"]) == (True, "success", False), seed
    assert seed["node_result"]["unique_id"] == "seed.jaffle_duck.raw_customers"
    assert seed["node_result"]["status"] == "success"
    for rid, uid in (("n2", "model.jaffle_duck.stg_customers"), ("n3", "model.jaffle_duck.stamp")):
        done = node(rid, uid)
        assert (done["ok"], done["status"], done["node_result"]["unique_id"]) == (True, "success", uid), done

    broken = node("n4", "model.jaffle_duck.broken")
    assert (broken["ok"], broken["status"]) == (True, "error"), broken
    assert "no_such_table" in broken["node_result"]["message"]

    # One context at a time: another run's node before close is a protocol error (recycle).
    other = engine.call({"op": "node", "id": "x1", "context": context_spec(jaffle, "run-2", "run", "stg_orders"),
                         "unique_id": "model.jaffle_duck.stg_orders"})
    assert (other["ok"], other["phase"], other["recycle"]) == (False, "engine", True), other
    assert "another run context" in other["error"]

    assert engine.call({"op": "close", "id": "c1", "key": "run-1"})["type"] == "closed"
    # The context's nodes wrote the warehouse, with the run's own invocation id.
    customers = len((jaffle.dir / "seeds" / "raw_customers.csv").read_text().strip().splitlines()) - 1
    assert query(jaffle.db, "select inv, n from stamp") == [[RUN_ID, customers]]
    assert not (jaffle.dir / "target").exists()


def test_an_unknown_op_is_answered_as_an_engine_error(engine: Engine) -> None:
    assert engine.read()["type"] == "ready"
    done = engine.call({"op": "explode", "id": "u1"})
    assert (done["type"], done["ok"], done["phase"], done["recycle"]) == ("done", False, "engine", True), done
    assert "unknown op 'explode'" in done["error"]
    assert engine.stop() == 0
