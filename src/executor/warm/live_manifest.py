"""Parsed manifests kept by a warm engine: byte copies (freeze/thaw) and the live manifest that
is put back to its parsed state after every invocation."""
import pickle


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


class LiveManifest:
    """One parsed manifest, kept in memory across invocations and put back after each.

    dbt mutates nodes while compiling (compiled code, injected CTEs), so an invocation must not
    see what the previous one left. Copying the whole manifest per invocation costs as much as
    the invocation itself on a large project; a single-node invocation only changes a few
    objects: the selected nodes, the ephemeral models compiled into them and their source
    files (env_var() records itself there), unit tests, mapping
    entries and attributes it replaced. Those are put back (objects from per-object pickles);
    an attribute added or removed makes the caller fall back to a full copy.
    """

    def __init__(self, manifest):
        self.blob = _freeze(manifest)
        self.manifest = _thaw(self.blob)
        self.parts = {
            attr: {uid: pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL) for uid, obj in getattr(self.manifest, attr).items()}
            for attr in ("nodes", "unit_tests", "files")
        }
        self.metadata = pickle.dumps(self.manifest.metadata, protocol=pickle.HIGHEST_PROTOCOL)
        self.always = [uid for uid, node in self.manifest.nodes.items() if getattr(node, "is_ephemeral_model", False)]
        self._snapshot()

    def _snapshot(self):
        state = self.manifest.__dict__
        self.attrs = {name: value for name, value in state.items() if not name.startswith("_")}
        self.maps = {name: dict(value) for name, value in self.attrs.items() if isinstance(value, dict)}

    def restore(self, selected):
        """Puts back what an invocation changed; False when a full copy is needed instead."""
        state = self.manifest.__dict__
        if set(self.attrs) != {name for name in state if not name.startswith("_")}:
            return False
        # Derived maps (parent_map, child_map, flat_graph...) are rebuilt by assignment: the
        # originals are untouched, put them back.
        state.update(self.attrs)
        for name, before in self.maps.items():
            current = state[name]
            if len(current) != len(before) or any(current.get(key) is not obj for key, obj in before.items()):
                current.clear()
                current.update(before)
        nodes = list(selected) + self.always
        # env_var() called while compiling records the variable on the node's source file.
        files = [getattr(state["nodes"].get(uid), "file_id", None) for uid in nodes]
        for attr, uids in (("nodes", nodes), ("unit_tests", list(self.parts["unit_tests"])), ("files", files)):
            live, parts, before = state[attr], self.parts[attr], self.maps[attr]
            for uid in uids:
                blob = parts.get(uid)
                if blob is not None:
                    live[uid] = before[uid] = pickle.loads(blob)
        self.manifest.metadata = self.attrs["metadata"] = pickle.loads(self.metadata)
        return True

    def fresh(self):
        return _thaw(self.blob)

    def differences(self):
        """Objects of the live manifest that differ from a fresh copy (for the engine's self-check)."""
        fresh = self.fresh()
        found = []
        for name, value in fresh.__dict__.items():
            if name.startswith("_"):
                continue
            live = self.manifest.__dict__.get(name)
            if isinstance(value, dict):
                if set(value) != set(live):
                    found.append(f"{name}: keys differ")
                    continue
                for key, obj in value.items():
                    a = obj.to_dict() if hasattr(obj, "to_dict") else obj
                    b = live[key].to_dict() if hasattr(live[key], "to_dict") else live[key]
                    if a != b:
                        found.append(f"{name}.{key}")
            elif name != "metadata" and hasattr(value, "to_dict") and value.to_dict() != live.to_dict():
                found.append(name)
        return found
