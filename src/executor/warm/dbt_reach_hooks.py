"""dbt_reach's project-hook reach-ins (part of the fence; checked by dbt_reach.self_check
against the versions dbt_reach.CHECKED names)."""


# Project hooks (on-run-start / on-run-end), once per run: in a run context (warm mode) or in
# a dbt invocation of their own (the shim).


def run_results_for_hooks(manifest, raw_results):
    """dbt RunResults for the run's node results (run_results.json entries), as on-run-end's
    `results` context expects them; results of nodes the manifest lacks are left out."""
    from dbt.artifacts.schemas.results import NodeStatus, TimingInfo
    from dbt.artifacts.schemas.run import RunResult

    out = []
    for r in raw_results:
        uid = r.get("unique_id")
        node = manifest.nodes.get(uid) or manifest.sources.get(uid)
        if node is None and hasattr(manifest, "unit_tests"):
            node = manifest.unit_tests.get(uid)
        if node is None:
            continue
        status = r.get("status", "error")
        out.append(RunResult(
            status=NodeStatus(status) if status in NodeStatus._value2member_map_ else NodeStatus.Error,
            # dbt's on-run-end drops results whose thread is "main" (its own hooks).
            thread_id="Thread-1",
            timing=[TimingInfo(name=t["name"]) for t in r.get("timing") or []],
            message=r.get("message"),
            adapter_response=r.get("adapter_response") or {},
            execution_time=r.get("execution_time") or 0.0,
            failures=r.get("failures"),
            node=node,
            batch_results=None,
        ))
    return out


def run_project_hooks(task, adapter, phase, raw_results, selected=None):
    """Runs the project's on-run-<phase> hooks in an open run's task, as dbt runs them around its
    nodes; returns dbt's RunResult per hook.

    on-run-start: `safe_run_hooks` on the "master" connection, as `RunTask.before_run` calls it.
    on-run-end: `RunTask.after_run` with the run's results, so dbt builds its extra context
    (`results`, `schemas`, `database_schemas`) itself. The caller makes `task.safe_run_hooks`
    dbt's own for the call. `selected` (unique ids), when given, is dbt's `selected_resources`
    while the hooks run.
    """
    import dbt.selected_resources as selected_resources
    from dbt.node_types import RunHookType

    hook_type = RunHookType.Start if phase == "start" else RunHookType.End
    hooks = {h.unique_id for h in task.get_hooks_by_type(hook_type)}
    before = len(task.node_results)
    saved = selected_resources.SELECTED_RESOURCES
    if selected is not None:
        selected_resources.set_selected_resources(set(selected))
    try:
        if hook_type == RunHookType.Start:
            with adapter.connection_named("master"):
                task.safe_run_hooks(adapter, hook_type, {})
        else:
            task.after_run(adapter, run_results_for_hooks(task.manifest, raw_results))
    finally:
        selected_resources.SELECTED_RESOURCES = saved
    # dbt appends each hook's result to the task's node_results (nodes served by a run context
    # never go there).
    return [r for r in task.node_results[before:] if getattr(r.node, "unique_id", None) in hooks]


# Subprocess mode (the shim): one whole dbt invocation per node, or per project-hook phase.


def skip_project_hooks():
    """A node invocation runs no on-run-start/on-run-end hooks (they run once per run)."""
    from dbt.artifacts.schemas.results import RunStatus
    from dbt.task.run import RunTask

    def no_hooks(self, adapter, hook_type, extra_context):
        adapter.clear_transaction()
        return RunStatus.Success

    RunTask.safe_run_hooks = no_hooks


def only_start_hooks():
    """The invocation runs its on-run-start hooks and no node."""
    from dbt.task.run import RunTask

    RunTask.execute_nodes = lambda self: []
    RunTask.after_run = lambda self, adapter, results: None


def only_end_hooks(load_results):
    """The invocation runs its on-run-end hooks with the run's results (`load_results(task)`)."""
    from dbt.artifacts.schemas.results import RunStatus
    from dbt.task.run import RunTask

    RunTask.before_run = lambda self, adapter, selected_uids: RunStatus.Success
    RunTask.execute_nodes = lambda self: load_results(self)
