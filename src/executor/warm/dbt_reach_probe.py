"""dbt_reach's warehouse probe of a reuse plan (part of the fence; checked by dbt_reach.self_check
against the versions dbt_reach.CHECKED names).

A reuse plan asks the warehouse which relations exist and each source's data version (the SQL
comes from src/supervisor/reuse/probe.ts). As a `dbt compile --inline` of its own, that is a
second dbt invocation: flags, project, a manifest copy, the graph, the inline node (~90 ms on
a 200-node project). Asked together with the plan's `dbt ls`, it runs right after the ls in
the same request: the ls's flags name the profile, project, vars and target, so dbt's own
loaders build the run's config from them and the adapter is registered as every dbt invocation
registers it; the probe then costs its queries and its connection (on DuckDB, opening and closing
the database: ~40 ms on the bench project). Without an ls, a `dbt parse` of the cached manifest
sets up the flags (run-compile.ts).
"""


def check_probe():
    """The probe's targets (its profile comes from run_profile): dbt's project loader,
    RuntimeConfig.from_parts and the adapter factory's register / get / cleanup (dbt-core 1.11,
    dbt-adapters 1.24)."""
    from dbt.adapters import factory
    from dbt.config import runtime

    for module, attr in ((runtime, "load_project"), (factory, "register_adapter"),
                         (factory, "get_adapter"), (factory, "cleanup_connections")):
        if not callable(getattr(module, attr, None)):
            return f"{module.__name__}.{attr}"
    if not callable(getattr(runtime.RuntimeConfig, "from_parts", None)):
        return "dbt.config.runtime.RuntimeConfig.from_parts"
    return None


def probe_warehouse(probe, profile):
    """Runs a probe through `profile`, the one the current invocation's flags name (run_profile):
    `exists_sql` lists relations (its first column, lower-cased keys), then the `sql` (columns k,
    v) of every source whose `key` it listed, as one union. Returns {"exists": [...], "versions":
    [[k, v]]}; the connection is closed again before it returns."""
    from dbt.adapters.factory import cleanup_connections, get_adapter, register_adapter
    from dbt.config.runtime import RuntimeConfig, load_project
    from dbt.flags import get_flags
    from dbt.mp_context import get_mp_context

    flags = get_flags()
    config = RuntimeConfig.from_parts(load_project(flags.PROJECT_DIR, False, profile, flags.VARS), profile, flags)
    register_adapter(config, get_mp_context())
    adapter = get_adapter(config)
    try:
        with adapter.connection_named("dbt_temporal_probe"):
            _, found = adapter.execute(probe["exists_sql"], fetch=True)
            exists = [str(row[0]) for row in found.rows]
            listed = set(exists)
            picked = [s["sql"] for s in probe["sources"] if s["key"] in listed]
            versions = []
            if picked:
                _, table = adapter.execute(" union all ".join(picked), fetch=True)
                versions = [[str(row[0]), None if row[1] is None else str(row[1])] for row in table.rows]
    finally:
        cleanup_connections()
    return {"exists": exists, "versions": versions}


def probe_answer(probe, profile):
    """probe_warehouse's answer, or {"error": why} (the plan then probes on its own); `profile` may
    be the error loading it (run_profile_or_error)."""
    try:
        if isinstance(profile, Exception):
            raise profile
        return probe_warehouse(probe, profile)
    except Exception as err:  # noqa: BLE001 - any failure only costs the plan a second probe
        return {"error": f"{type(err).__name__}: {err}"}
