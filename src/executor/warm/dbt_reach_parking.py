"""dbt_reach's parked run contexts (part of the fence; checked by dbt_reach.self_check against
the versions dbt_reach.CHECKED names).

An engine serves one run context at a time, but when runs outnumber engines it can keep a run's
context parked instead of ending it: the run's dbt invocation (its task, manifest, graph and
adapter with its relation cache) stays as dbt set it up, while another run's context is open.
Resuming it skips everything a new context pays (profile and project loading, adapter start,
graph linking, cache population: ~60-90 ms on the benchmark's projects).

A dbt invocation also sets process-wide state that the next invocation overwrites: the global
flags (and the dbt-common globals they set), the event manager's loggers and callbacks, the
adapter registered for its warehouse type, the selected resources, the process environment and
the run's identity. `capture_context` takes that state from a context that dbt has just set up;
`park_context` hands the warehouse back (closes the run's connections, drops its adapter from
dbt's registry, closes DuckDB's process-wide database handle, so another process may open the
file); `resume_context` puts the state back. Only the active context runs nodes; a parked one's
dbt threads wait on their queue.
"""
import os


def check_parking():
    """The state dbt's invocation set-up writes (dbt-core 1.11 preflight, dbt-adapters factory)."""
    import dbt.flags as flags
    from dbt.adapters.factory import FACTORY
    from dbt.cli.flags import Flags
    from dbt_common.events import event_manager_client

    if not (callable(getattr(flags, "set_flags", None)) and callable(getattr(flags, "get_flags", None))):
        return "dbt.flags.set_flags / get_flags"
    if not callable(getattr(Flags, "set_common_global_flags", None)):
        return "dbt.cli.flags.Flags.set_common_global_flags"
    if not (isinstance(getattr(FACTORY, "adapters", None), dict) and hasattr(FACTORY, "lock")):
        return "dbt.adapters.factory.FACTORY.adapters / lock"
    manager = event_manager_client.get_event_manager()
    if not all(hasattr(manager, a) for a in ("loggers", "callbacks", "require_warn_or_error_handling")):
        return "dbt_common event manager loggers / callbacks / require_warn_or_error_handling"
    return None


def capture_context(adapter):
    """The process-wide state of the invocation that has just set itself up (with `adapter`)."""
    import dbt.flags as flags
    import dbt.selected_resources as selected_resources
    from dbt_common.events import event_manager_client

    manager = event_manager_client.get_event_manager()
    return {
        "adapter_name": adapter.config.credentials.type,  # its key in dbt's registry (register_adapter's)
        "flags": flags.get_flags(),
        "env": dict(os.environ),
        "loggers": list(manager.loggers),
        "callbacks": list(manager.callbacks),
        "require_handling": manager.require_warn_or_error_handling,
        "selected": selected_resources.SELECTED_RESOURCES,  # `selected_resources` (a module global)
    }


def park_context(adapter):
    """Hands the warehouse back while the context waits: no connection of a parked run stays
    open, its adapter leaves dbt's registry (the next invocation's reset would close it), and
    DuckDB's process-wide database handle closes (the file is free for another process)."""
    from dbt.adapters.factory import FACTORY

    from dbt_reach_adapter import release_duckdb

    adapter.cleanup_connections()
    with FACTORY.lock:
        for name, registered in list(FACTORY.adapters.items()):
            if registered is adapter:
                del FACTORY.adapters[name]
    release_duckdb()


def resume_context(state, adapter):
    """Puts a parked context's process-wide state back; its nodes open connections as needed.
    Its relation cache is emptied: dbt then looks relations up in the warehouse, as for a retried
    node, so what other runs built or dropped meanwhile is seen. (Listing the schemas again into
    the cache, as an invocation's start does, once failed a full-refresh swap in CI: the cache
    held the renamed table's old name too; an emptied cache cannot, a rename of a relation it
    lacks records the new one.) Every invocation and context ends with its connections cleaned
    up and DuckDB's handle released, so nothing else is left to close here."""
    import dbt.flags as flags
    import dbt.selected_resources as selected_resources
    from dbt.adapters.factory import FACTORY
    from dbt_common.events import event_manager_client

    os.environ.clear()
    os.environ.update(state["env"])
    flags.set_flags(state["flags"])
    state["flags"].set_common_global_flags()
    manager = event_manager_client.get_event_manager()
    manager.loggers[:] = state["loggers"]
    manager.callbacks[:] = state["callbacks"]
    manager.require_warn_or_error_handling = state["require_handling"]
    selected_resources.SELECTED_RESOURCES = state["selected"]
    with FACTORY.lock:
        FACTORY.adapters.clear()  # the last invocation's adapter: it has ended
        FACTORY.adapters[state["adapter_name"]] = adapter
    adapter.cache.clear()
