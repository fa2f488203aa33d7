"""dbt_reach's schema-creation reach-in (part of the fence; checked by dbt_reach.self_check
against the versions dbt_reach.CHECKED names): creation that survives a concurrent creator.

dbt creates the schemas its nodes need (GraphRunnableTask.create_schemas): it lists the
database's schemas and creates the missing ones. Several processes may do that for one schema at
the same moment (the engines of several workers serving one run, a run's node processes in
subprocess mode, runs sharing a target schema), and Postgres fails one of two concurrent
`create schema if not exists` of one schema (a unique violation on pg_namespace), where a single
`dbt build` never races itself. So a failed creation lists again and creates what is still
missing, once: a schema another process created meanwhile is then found; any other error
(permissions, a lost connection) fails the second attempt too and is raised as dbt raises it.
"""
import functools


def check_schema_creation():
    """The reach-in's target: GraphRunnableTask.create_schemas(adapter, required_schemas)."""
    import inspect

    from dbt.task.runnable import GraphRunnableTask

    method = getattr(GraphRunnableTask, "create_schemas", None)
    if not callable(method) or list(inspect.signature(method).parameters) != ["self", "adapter", "required_schemas"]:
        return "dbt.task.runnable.GraphRunnableTask.create_schemas(adapter, required_schemas)"
    return None


def install_schema_race_retry():
    """GraphRunnableTask.create_schemas, tried once more when it fails (see the module's doc)."""
    from dbt.task.runnable import GraphRunnableTask

    original = GraphRunnableTask.create_schemas
    if getattr(original, "_dbtt_retry", False):
        return

    @functools.wraps(original)
    def create_schemas(self, adapter, required_schemas):
        try:
            return original(self, adapter, required_schemas)
        except Exception:  # noqa: BLE001 - the second attempt raises what still fails
            return original(self, adapter, required_schemas)

    create_schemas._dbtt_retry = True  # type: ignore[attr-defined]
    GraphRunnableTask.create_schemas = create_schemas
