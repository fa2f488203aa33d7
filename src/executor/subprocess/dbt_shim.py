"""Runs one dbt invocation with dbt-temporal's run-level semantics.

dbt-temporal executes every node in its own dbt invocation, but dbt runs the project's
on-run-start / on-run-end hooks around every invocation. This shim keeps dbt's behaviour and
moves the hooks to where dbt has them: once per run.

    python dbt_shim.py node  [--options JSON] <dbt args...>   run a node; project hooks are NOT run
    python dbt_shim.py start [--options JSON] <dbt args...>   run only the on-run-start hooks
    python dbt_shim.py end   [--options JSON] <dbt args...>   run only the on-run-end hooks

The options (all optional) are the shim's own settings, never environment variables (the
environment is dbt's, the run's): `invocation_id` and `run_started_at` (the run's identity, the
same in all of a run's invocations), `attempt` (the Temporal activity attempt, for the query
comment), `parent_pid` (the worker, for the parent-death guard), `warnings_file` (where dbt's
warnings of the invocation go) and `results_file` (end: the run's results, run_results shape).

Exit codes follow dbt: 0 success, 1 failure, 2 error.
"""
import json
import os
import sys


def _load_results(path, task):
    """RunResult objects for the run's nodes, as on-run-end's `results` context expects."""
    if not path:
        return []
    with open(path) as f:
        raw = json.load(f)
    return _reach().run_results_for_hooks(task.manifest, raw.get("results", []))


def _reach():
    # The reach-ins into dbt live in one module, shared with the warm engine.
    sys.dont_write_bytecode = True
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "warm"))
    import dbt_reach

    return dbt_reach


def _pin_run_identity(invocation_id, started):
    """dbt's invocation_id and start time become the run's (the same in all of a run's invocations)."""
    if not invocation_id and not started:
        return
    from datetime import datetime

    when = datetime.fromisoformat(started.replace("Z", "+00:00")) if started else None
    _reach().pin_run_identity_per_invocation(invocation_id, when)


def _die_with_parent(expected):
    """Linux: get SIGKILL when the worker process dies, so no dbt outlives a killed worker."""
    try:
        import ctypes
        import signal

        PR_SET_PDEATHSIG = 1
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        # The parent died before prctl took effect: we were re-parented. Compare with the pid the
        # worker gave us, never with 1: in a container the worker itself is PID 1.
        if isinstance(expected, int) and os.getppid() != expected:
            os._exit(1)
    except Exception:  # not Linux / no libc: the worker's process-group kill still applies
        pass


def self_check():
    """The worker's start-up check of dbt and every reach-in (both modes): JSON on stdout."""
    from importlib import metadata

    reach = _reach()
    warnings = reach.self_check()
    print(json.dumps({"dbt_core": metadata.version("dbt-core"), "python": sys.executable, "warnings": warnings}))
    return 0


def main(argv):
    if argv == ["--self-check"]:
        return self_check()
    if len(argv) < 2 or argv[0] not in ("node", "start", "end"):
        print("usage: dbt_shim.py node|start|end [--options JSON] <dbt args...>", file=sys.stderr)
        return 2
    mode, args = argv[0], argv[1:]
    opts = {}
    if args[0] == "--options" and len(args) > 1:
        opts, args = json.loads(args[1]), args[2:]
    _die_with_parent(opts.get("parent_pid"))
    _pin_run_identity(opts.get("invocation_id"), opts.get("run_started_at"))
    reach = _reach()
    reach.install_query_tags()
    reach.note_process_attempt(opts.get("attempt"))
    reach.install_warning_tap()
    reach.install_schema_race_retry()
    results = opts.get("results_file")
    {"node": reach.skip_project_hooks, "start": reach.only_start_hooks, "end": lambda: reach.only_end_hooks(lambda task: _load_results(results, task))}[mode]()

    from dbt.cli.main import dbtRunner

    with reach.collect_warnings(process_wide=True) as warnings:
        res = dbtRunner().invoke(args)
    # dbt's warnings of this invocation, as dbt words them, for the executor.
    out = opts.get("warnings_file")
    if out:
        with open(out, "w", encoding="utf-8") as f:
            json.dump(warnings, f)
    if res.exception is not None and res.result is None:
        return 2
    return 0 if res.success else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
