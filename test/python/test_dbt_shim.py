"""The subprocess mode's dbt shim (src/executor/subprocess/dbt_shim.py): a node invocation runs
no project hooks, `start` and `end` run only on-run-start / on-run-end (end with the run's results
from the `results_file` option), every invocation carries the run's invocation id and start time
(options, never environment variables), and the exit codes follow dbt's."""
import json
import os
import subprocess
from pathlib import Path

from support import DBT_PYTHON, GLOBAL_ARGS, SHIM, Project, copy_project, query, tables

RUN_ID = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
STARTED = "2026-01-02T03:04:05Z"


def shim(project: Project, mode: str, dbt_args: list[str], **options: object) -> subprocess.CompletedProcess[str]:
    opts = {"invocation_id": RUN_ID, "run_started_at": STARTED, "parent_pid": os.getpid(), **options}
    return subprocess.run([str(DBT_PYTHON), str(SHIM), mode, "--options", json.dumps(opts), *GLOBAL_ARGS, *dbt_args, *project.common_args()],
                          env=project.env, capture_output=True, text=True, timeout=300, check=False)


def audit(project: Project) -> list[list[object]]:
    return query(project.db, "select phase, n, inv from hook_audit order by phase")


def test_a_node_runs_without_project_hooks_under_the_runs_identity(hooks_duck: Project) -> None:
    (hooks_duck.dir / "models" / "stamp.sql").write_text(
        "select '{{ invocation_id }}' as inv, '{{ run_started_at.strftime(\"%Y-%m-%dT%H:%M:%SZ\") }}' as started\n")
    r = shim(hooks_duck, "node", ["run", "--select", "first", "stamp"])
    assert r.returncode == 0, r.stdout + r.stderr
    assert {"first", "stamp"} <= tables(hooks_duck.db)
    assert "hook_audit" not in tables(hooks_duck.db)  # on-run-start would have created it
    assert query(hooks_duck.db, "select inv, started from stamp") == [[RUN_ID, STARTED]]
    assert query(hooks_duck.db, "select inv from first") == [[RUN_ID]]


def test_start_runs_only_the_on_run_start_hooks(hooks_duck: Project) -> None:
    r = shim(hooks_duck, "start", ["run", "--select", "first"])
    assert r.returncode == 0, r.stdout + r.stderr
    assert audit(hooks_duck) == [["start", 0, RUN_ID]]
    assert "first" not in tables(hooks_duck.db)


def test_end_runs_only_the_on_run_end_hooks_with_the_runs_results(hooks_duck: Project, tmp_path: Path) -> None:
    assert shim(hooks_duck, "start", ["run"]).returncode == 0
    results = tmp_path / "run-results-in.json"
    results.write_text(json.dumps({"results": [
        {"unique_id": "model.hooks_duck.first", "status": "success", "timing": [], "execution_time": 0.5},
        {"unique_id": "model.hooks_duck.second", "status": "error", "message": "boom"},
        {"unique_id": "model.hooks_duck.not_in_the_project", "status": "success"},
    ]}))
    r = shim(hooks_duck, "end", ["run"], results_file=str(results))
    assert r.returncode == 0, r.stdout + r.stderr
    # The two results of the project's nodes reach on-run-end's `results`; no node ran.
    assert audit(hooks_duck) == [["end", 2, RUN_ID], ["start", 0, RUN_ID]]
    assert not {"first", "second"} & tables(hooks_duck.db)


def test_exit_codes_follow_dbt(hooks_duck: Project) -> None:
    (hooks_duck.dir / "models" / "broken.sql").write_text("select * from no_such_table\n")
    failed = shim(hooks_duck, "node", ["run", "--select", "broken"])
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "no_such_table" in failed.stdout + failed.stderr
    usage = shim(hooks_duck, "everything", ["run"])
    assert usage.returncode == 2
    assert "usage: dbt_shim.py node|start|end" in usage.stderr


def test_a_shim_whose_worker_is_gone_exits_before_running_dbt(hooks_duck: Project) -> None:
    # Re-parented before its parent-death signal was set: parent_pid is not its parent.
    r = shim(hooks_duck, "node", ["run", "--select", "first"], parent_pid=os.getpid() + 100_000)
    assert r.returncode == 1
    assert not hooks_duck.db.exists()


def test_dbt_warnings_of_the_invocation_reach_the_warnings_file(tmp_path: Path) -> None:
    project = copy_project("deprecated_duck", tmp_path, "DEPRECATED_DUCKDB_PATH")
    out = tmp_path / "dbt-warnings.json"
    r = shim(project, "node", ["run"], warnings_file=str(out))
    assert r.returncode == 0, r.stdout + r.stderr
    warnings = json.loads(out.read_text())
    # dbt's own words, once, from the parse and from the node's run on dbt's pool thread.
    assert sum("dim_thing.v1" in w and "deprecat" in w.lower() for w in warnings) >= 1, warnings
    assert "uses_old_thing reads dim_thing v1: move to v2" in warnings
    assert len(warnings) == len(set(warnings))
