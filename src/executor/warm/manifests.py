"""Parsed manifests a warm engine keeps: one parse per key, a private copy per run context."""
import os
import pickle
import threading
from collections import OrderedDict

MAX_MANIFESTS = int(os.environ.get("DBT_TEMPORAL_ENGINE_MANIFESTS", "4"))


def _freeze(manifest):
    # Not pickle.dumps(manifest): dbt-core 1.11's Manifest.__reduce_ex__ passes its fields
    # positionally in an order that no longer matches the dataclass (it misses `fixtures` and
    # `_saved_query_lookup`), so a round trip shifts every lookup by one (source() then fails
    # with "RefableLookup.find() missing ... 'manifest'"). Pickle the field values instead, with
    # the derived caches dropped: dbt rebuilds them lazily on first use.
    state = dict(manifest.__dict__)
    for name in list(state):
        if name.startswith("_") and (name.endswith("_lookup") or name.startswith("_macros_by_")):
            state[name] = None
    state.pop("_lock", None)
    return pickle.dumps((type(manifest), state), protocol=pickle.HIGHEST_PROTOCOL)


def _thaw(blob):
    from dbt.contracts.graph import manifest as manifest_module

    cls, state = pickle.loads(blob)
    manifest = cls.__new__(cls)
    manifest.__dict__.update(state)
    manifest._lock = manifest_module.get_mp_context().Lock()
    return manifest


class ParseFailed(Exception):
    pass


class ManifestStore:
    """key -> (the parsed manifest, its frozen bytes); least recently used evicted."""

    def __init__(self):
        self.entries = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key, parse_args):
        """The parsed manifest for `key` (parsing with `parse_args` on a miss) and whether it parsed."""
        with self.lock:
            hit = self.entries.get(key)
            if hit is not None:
                self.entries.move_to_end(key)
                return hit[0], False
        from dbt.cli.main import dbtRunner

        import dbt_reach

        res = dbtRunner().invoke(list(parse_args))
        dbt_reach.release_duckdb()
        if not res.success or res.result is None:
            raise ParseFailed(str(res.exception or "dbt parse failed"))
        manifest = res.result
        with self.lock:
            self.entries[key] = (manifest, _freeze(manifest))
            while len(self.entries) > MAX_MANIFESTS:
                self.entries.popitem(last=False)
        return manifest, True

    def copy(self, key):
        """A private copy of a parsed manifest (a run context compiles nodes into it)."""
        with self.lock:
            blob = self.entries[key][1]
        return _thaw(blob)
