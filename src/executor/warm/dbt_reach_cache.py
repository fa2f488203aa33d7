"""dbt_reach's relation-cache reach-in (part of the fence; checked by dbt_reach.self_check against
the versions dbt_reach.CHECKED names): a schema looked up in the warehouse enters the cache in
one step.

dbt's `BaseAdapter.list_relations` looks a schema the cache does not hold up in the warehouse and
adds what it finds to the cache, but records the schema as held only when it is empty, so the next
lookup lists it again. In `dbt build` that path is rare: the invocation's start lists every schema
of the run into the cache. A run context empties its cache when it resumes after a turn or a node
is retried (dbt_reach_parking.py, run_context.py), and then its lookups take that path while
other dbt threads of the context build. One thread's listing (the committed state, seen from its
own connection) could land in the cache between another thread's two renames of a swap
(`orders -> orders__dbt_backup`, then `orders__dbt_tmp -> orders`, in one transaction): it put
back the name the first rename had taken out, and the second failed with dbt's "Cache
inconsistency detected: in rename, new key ... already in cache" (seen in CI on a full refresh).

Here a lookup of a schema the cache does not hold lists it and records it as held under the
cache's lock, as dbt fills the cache at an invocation's start (`set_relations_cache` holds the
same lock while it lists): a rename's cache update, which takes that lock too, comes wholly before
or after the listing, and later lookups read the cache, which dbt's renames and drops keep true.
"""
import functools


def check_schema_listing():
    """The reach-in's targets: BaseAdapter.list_relations(database, schema), _schema_is_cached,
    and the relation cache's re-entrant lock and update_schemas."""
    import inspect
    import threading

    from dbt.adapters.base.impl import BaseAdapter
    from dbt.adapters.cache import RelationsCache

    method = getattr(BaseAdapter, "list_relations", None)
    if not callable(method) or list(inspect.signature(method).parameters) != ["self", "database", "schema"]:
        return "dbt.adapters.base.impl.BaseAdapter.list_relations(database, schema)"
    if not callable(getattr(BaseAdapter, "_schema_is_cached", None)):
        return "BaseAdapter._schema_is_cached"
    cache = RelationsCache()
    if not (isinstance(getattr(cache, "lock", None), type(threading.RLock())) and callable(getattr(cache, "update_schemas", None))):
        return "dbt.adapters.cache.RelationsCache.lock (an RLock) / update_schemas"
    return None


def install_atomic_schema_listing():
    """BaseAdapter.list_relations: a schema not in the cache is listed and recorded as held under
    the cache's lock (see the module's doc). Idempotent; install it before any reach-in that
    captures list_relations (the indexed get_relation)."""
    from dbt.adapters.base.impl import BaseAdapter

    original = BaseAdapter.list_relations
    if getattr(original, "_dbtt_atomic", False):
        return

    @functools.wraps(original)
    def list_relations(self, database, schema):
        cache = getattr(self, "cache", None)
        if cache is None or not schema or (database, schema) in cache:
            return original(self, database, schema)
        with cache.lock:
            relations = original(self, database, schema)  # from the cache, if another thread listed it meanwhile
            cache.update_schemas([(database, schema)])
            return relations

    list_relations._dbtt_atomic = True  # type: ignore[attr-defined]
    BaseAdapter.list_relations = list_relations
