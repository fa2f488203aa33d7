"""dbt_reach's manifest reach-ins (part of the fence; checked by dbt_reach.self_check against
the versions dbt_reach.CHECKED names): a parsed manifest frozen to bytes and thawed back into a
private copy, for engines that share one parse."""


def freeze_manifest(manifest):
    """A parsed manifest as bytes that thaw_manifest turns back into a private copy.

    Not pickle.dumps(manifest): dbt-core 1.11's Manifest.__reduce_ex__ passes its fields
    positionally in an order that no longer matches the dataclass (it misses `fixtures` and
    `_saved_query_lookup`), so a round trip shifts every lookup by one (source() then fails with
    "RefableLookup.find() missing ... 'manifest'"). The field values are pickled instead, with
    the derived caches dropped: dbt rebuilds them lazily on first use.
    """
    import pickle

    state = dict(manifest.__dict__)
    for name in list(state):
        if name.startswith("_") and (name.endswith("_lookup") or name.startswith("_macros_by_")):
            state[name] = None
    state.pop("_lock", None)
    return pickle.dumps((type(manifest), state), protocol=pickle.HIGHEST_PROTOCOL)


def thaw_manifest(blob):
    """A private manifest from freeze_manifest's bytes (with a fresh lock of its own)."""
    import pickle

    from dbt.contracts.graph import manifest as manifest_module

    cls, state = pickle.loads(blob)
    manifest = cls.__new__(cls)
    manifest.__dict__.update(state)
    manifest._lock = manifest_module.get_mp_context().Lock()
    return manifest
