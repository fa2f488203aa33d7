"""A run context's schema creation, safe against a concurrent creator.

dbt creates the schemas its nodes need: it lists the database's schemas and creates the missing
ones. Several processes may do that for one schema at the same moment (the engines of several
workers serving one run, or runs sharing a target schema), and Postgres fails one of two
concurrent `create schema if not exists` of one schema (a unique violation on pg_namespace),
where a single `dbt build` never races itself. So a failed creation lists again and creates
what is still missing, once: a schema another process created meanwhile is then found; any other
error (permissions, a lost connection) fails the second attempt too and is raised as dbt raises
it.
"""


class SchemaRaceRetry:
    """Mixed into a run context's serving task, before dbt's own task class."""

    def create_schemas(self, adapter, required_schemas):
        try:
            return super().create_schemas(adapter, required_schemas)  # type: ignore[misc]
        except Exception:  # noqa: BLE001 - the second attempt raises what still fails
            return super().create_schemas(adapter, required_schemas)  # type: ignore[misc]
