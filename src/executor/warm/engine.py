"""Warm dbt engine: imports dbt once, keeps parsed manifests, runs one invocation at a time.

Protocol (JSON lines): requests on stdin, responses on the original stdout (fd 1 is then
pointed at stderr, so everything dbt prints lands on stderr). Each request:
  {"id", "key", "parse_args", "args", "env", "cwd"}
`key` names the manifest (project, target, vars, env); a miss parses with `parse_args`.
Each invocation sees the manifest as parsed (what an invocation changes is put back after it,
see LiveManifest), runs with exactly the request's environment, and releases DuckDB afterwards.
The linked graph is built once per manifest, not per invocation.
"""
import ctypes
import gc
import json
import os
import pickle
import signal
import sys
import threading
import time
from collections import OrderedDict

MAX_MANIFESTS = int(os.environ.get("DBT_TEMPORAL_ENGINE_MANIFESTS", "4"))


def _protocol_stream():
    # Keep the real stdout for the protocol; send fd 1 (dbt's console output) to stderr.
    proto = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return proto


def _die_with_parent():
    # The engine must never outlive the worker: kernel signal on parent death, plus a poll.
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except Exception:
        pass
    parent = os.getppid()

    def watch():
        while True:
            if os.getppid() != parent:
                os._exit(3)
            time.sleep(0.5)

    threading.Thread(target=watch, daemon=True).start()


def _rss_mb():
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / (1024 * 1024)
    except OSError:
        return 0.0


def _release_duckdb():
    # dbt-duckdb keeps the database open in a class attribute: close it so other processes
    # (another engine, a reader) can take the file lock between invocations.
    mod = sys.modules.get("dbt.adapters.duckdb.connections")
    if mod is None:
        return
    manager = mod.DuckDBConnectionManager
    with manager._LOCK:
        env = manager._ENV
        manager._ENV = None
        if env is not None:
            try:
                env.close()
            except Exception:
                pass
    # Closing the connection closes its cursors too; a young-generation collection finalizes
    # any stray handle left in a reference cycle without walking the (large) manifests.
    gc.collect(1)


def _apply_env(env, cwd):
    os.environ.clear()
    os.environ.update(env)
    os.chdir(cwd)


def _skip_project_hooks():
    # A node invocation runs no on-run-start/on-run-end hooks: dbt-temporal runs them once per
    # run (as the subprocess shim's `node` mode does).
    from dbt.artifacts.schemas.results import RunStatus
    from dbt.task.run import RunTask

    def no_hooks(self, adapter, hook_type, extra_context):
        adapter.clear_transaction()
        return RunStatus.Success

    RunTask.safe_run_hooks = no_hooks


def _skip_manifest_json():
    # A node invocation's manifest.json is never read (the worker has the resolved manifest);
    # writing it costs tens of milliseconds per node. run_results.json is still written.
    import dbt.task.runnable as runnable

    runnable.write_manifest = lambda *args, **kwargs: None


def _run_invocation_id():
    # dbt's invocation_id is the run's (DBTT_INVOCATION_ID in the request env), so every node
    # of a run reports the same one; without it dbt draws a fresh id per invocation.
    import uuid

    import dbt.cli.requires as requires
    import dbt_common.invocation as invocation

    def reset_invocation_id():
        invocation._INVOCATION_ID = os.environ.get("DBTT_INVOCATION_ID") or str(uuid.uuid4())

    invocation.reset_invocation_id = reset_invocation_id
    requires.reset_invocation_id = reset_invocation_id


def _quiet_relation_cache():
    # dbt fires a debug event per relation it caches: thousands per invocation on a large
    # schema, each serialised to protobuf even though debug logs go nowhere. Keep them when the
    # invocation logs at debug level.
    import dbt.adapters.cache as cache
    from dbt.flags import get_flags
    from dbt_common.events.functions import fire_event

    def fire_cache_event(*args, **kwargs):
        flags = get_flags()
        if getattr(flags, "DEBUG", False) or "debug" in (getattr(flags, "LOG_LEVEL", None), getattr(flags, "LOG_LEVEL_FILE", None)):
            fire_event(*args, **kwargs)

    cache.fire_event = fire_cache_event


def _cheap_adapter_setup():
    # Per-invocation adapter set-up costs that grow with the project or the call stack:
    # - each behavior flag without a declared source walks inspect.stack() (which reads the
    #   source lines of every frame) to name the calling module: walk the frames instead;
    # - the schemas to cache are computed by building a relation for every node (and again
    #   on Postgres to link dependencies): one node per distinct database, schema, quoting,
    #   catalog and materialization gives the same set.
    from dbt.adapters.base.impl import BaseAdapter
    from dbt_common import behavior_flags

    def default_source():
        frame = sys._getframe(1)
        while frame is not None:
            name = frame.f_globals.get("__name__")
            if name and name != behavior_flags.__name__:
                return name
            frame = frame.f_back
        return "Unknown"

    behavior_flags.BehaviorFlagRendered._default_source = staticmethod(default_source)

    original = BaseAdapter._get_cache_schemas

    def get_cache_schemas(self, relation_configs):
        distinct = {}
        for config in relation_configs:
            node_config = getattr(config, "config", None)
            get = node_config.get if node_config is not None and hasattr(node_config, "get") else (lambda _name, default=None: default)
            key = (
                getattr(config, "database", None),
                getattr(config, "schema", None),
                repr(getattr(config, "quoting_dict", None)),
                repr(getattr(config, "catalog_name", get("catalog", None))),
                get("materialized", None),
            )
            distinct.setdefault(key, config)
        return original(self, list(distinct.values()))

    BaseAdapter._get_cache_schemas = get_cache_schemas


class _Graphs:
    """The linked dbt graph per manifest key, built once instead of on every invocation.

    dbt links the whole project (and, for `build`, adds test edges) at the start of every
    invocation: seconds for a project of thousands of nodes, for a graph that only depends on
    the parsed manifest. Invocations only read the full graph (selection copies it), so every
    invocation of one manifest shares it.
    """

    def __init__(self):
        self.by_key = {}  # manifest key -> {add_test_edges: networkx graph}
        self.active_key = None
        self.active_manifest = None

    def activate(self, key, manifest):
        self.active_key, self.active_manifest = key, manifest

    def forget(self, key):
        self.by_key.pop(key, None)

    def lookup(self, manifest, add_test_edges):
        if manifest is not self.active_manifest:
            return None
        return self.by_key.get(self.active_key, {}).get(add_test_edges)

    def store(self, manifest, add_test_edges, graph):
        if manifest is self.active_manifest:
            self.by_key.setdefault(self.active_key, {})[add_test_edges] = graph


GRAPHS = _Graphs()


def _cache_linked_graphs():
    from dbt.compilation import Compiler, _generate_stats, print_compile_stats
    from dbt.graph.graph import Graph

    original = Compiler.compile

    def compile(self, manifest, write=True, add_test_edges=False):
        cached = GRAPHS.lookup(manifest, add_test_edges)
        if cached is None:
            # graph.gpickle is never read from a node's temp workspace: do not write it.
            graph = original(self, manifest, write=False, add_test_edges=add_test_edges)
            GRAPHS.store(manifest, add_test_edges, graph.graph)
            return graph
        self.initialize()
        if add_test_edges and not manifest.child_map:
            # Parsing already built these maps from the same nodes.
            manifest.build_parent_and_child_maps()
        if self.config.args.which != "list":
            print_compile_stats(_generate_stats(manifest))
        return Graph(cached)

    Compiler.compile = compile


# Above this many selected nodes, dbt's own subset algorithm is used.
SMALL_SELECTION = 16


def _fast_subset_graph():
    # dbt copies the whole graph and then eliminates every unselected node one by one to build
    # the queue of a selection; for the one node of a node invocation that is most of its
    # set-up time on a large project. Same result, computed from the selected nodes: an edge
    # u -> v between selected nodes when v is reachable from u through unselected nodes only.
    import networkx as nx
    from dbt.graph.graph import Graph

    original = Graph.get_subset_graph

    def get_subset_graph(self, selected):
        include = set(selected)
        if len(include) > SMALL_SELECTION:
            return original(self, include)
        full = self.graph
        for node in include:
            if node not in full:
                return original(self, include)  # dbt raises its own error
        sub = nx.DiGraph()
        for node in full.nodes:
            if node in include:
                sub.add_node(node, **full.nodes[node])
        for source in include:
            seen = set()
            frontier = [source]
            while frontier:
                current = frontier.pop()
                for target in full.successors(current):
                    if target in include:
                        if target != source and not sub.has_edge(source, target):
                            data = full.edges[current, target] if current == source else {}
                            sub.add_edge(source, target, **data)
                    elif target not in seen:
                        seen.add(target)
                        frontier.append(target)
        return Graph(sub)

    Graph.get_subset_graph = get_subset_graph


EXACT = {}  # the running node invocation's {"selector", "unique_id"}, if any


def _exact_node_selection():
    # A node invocation selects one node with an exact selector (path, fqn and resource type):
    # dbt resolves it by matching every criterion against every node of the project, several
    # times per invocation. The worker already knows the node, so that selector resolves to it
    # directly (only that selector, and only if the node is in the graph).
    from dbt.graph.selector import NodeSelector
    from dbt.graph.selector_spec import SelectionIntersection

    original = NodeSelector.select_nodes_recursively

    def select_nodes_recursively(self, spec, warn_on_no_nodes=True):
        uid = EXACT.get("unique_id")
        if uid and isinstance(spec, SelectionIntersection) and spec.raw == EXACT.get("selector") and uid in self.graph.graph:
            return {uid}, set()
        return original(self, spec, warn_on_no_nodes)

    NodeSelector.select_nodes_recursively = select_nodes_recursively


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


# Request variables that make dbt rewrite nodes across the whole manifest (deferral merges the
# state manifest into every node): such invocations get a fresh copy and the live one is dropped.
BROAD_MUTATION_ENV = ("DBT_DEFER", "DBT_STATE", "DBT_DEFER_STATE", "DBT_FAVOR_STATE")
BROAD_MUTATION_ARGS = ("--defer", "--state", "--defer-state", "--favor-state")


def _broad_mutation(req):
    env = req.get("env") or {}
    if any(env.get(name) for name in BROAD_MUTATION_ENV):
        return True
    return any(arg in BROAD_MUTATION_ARGS for arg in req.get("args") or [])


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


VERIFY_RESTORE = os.environ.get("DBT_TEMPORAL_ENGINE_VERIFY_RESTORE") == "1"


class Engine:
    def __init__(self, proto):
        from dbt.cli.main import dbtRunner

        _skip_project_hooks()
        _skip_manifest_json()
        _run_invocation_id()
        _cache_linked_graphs()
        _fast_subset_graph()
        _quiet_relation_cache()
        _cheap_adapter_setup()
        _exact_node_selection()

        self.runner_cls = dbtRunner
        self.proto = proto
        self.manifests = OrderedDict()  # key -> LiveManifest
        self.pending = None  # (LiveManifest, whether its live copy was used) awaiting restore

    def send(self, msg):
        self.proto.write(json.dumps(msg) + "\n")
        self.proto.flush()

    def manifest_for(self, req):
        key = req["key"]
        live = self.manifests.get(key)
        parsed = False
        if live is None:
            res = self.runner_cls().invoke(list(req["parse_args"]))
            _release_duckdb()
            if not res.success or res.result is None:
                raise ParseFailed(str(res.exception or "dbt parse failed"))
            live = LiveManifest(res.result)
            self.manifests[key] = live
            while len(self.manifests) > MAX_MANIFESTS:
                GRAPHS.forget(self.manifests.popitem(last=False)[0])
            parsed = True
        self.manifests.move_to_end(key)
        if _broad_mutation(req):
            return live, live.fresh(), parsed
        return live, live.manifest, parsed

    def restore(self):
        """Off the critical path: puts the last invocation's manifest back to its parsed state."""
        pending, self.pending = self.pending, None
        if pending is None:
            return None
        live, used_live = pending
        if used_live:
            from dbt import selected_resources

            if not live.restore(list(selected_resources.SELECTED_RESOURCES)):
                live.manifest = live.fresh()
                live._snapshot()
        return live.differences() if VERIFY_RESTORE else None

    def handle(self, req):
        started = time.perf_counter()
        out = {"id": req["id"], "type": "done"}
        _apply_env(req["env"], req["cwd"])
        try:
            live, manifest, parsed = self.manifest_for(req)
        except ParseFailed as err:
            out.update(ok=False, phase="parse", error=str(err), recycle=False)
            return out
        prepared = time.perf_counter()
        from dbt import selected_resources

        selected_resources.set_selected_resources(set())
        self.pending = (live, manifest is live.manifest)
        GRAPHS.activate(req["key"], manifest)
        EXACT.clear()
        EXACT.update(req.get("exact") or {})
        try:
            res = self.runner_cls(manifest=manifest).invoke(list(req["args"]))
        finally:
            EXACT.clear()
        _release_duckdb()
        done = time.perf_counter()
        if req.get("want_result") and isinstance(res.result, list):
            # `ls`: the printed lines (JSON rows with --output json).
            out["result"] = [str(line) for line in res.result]
        if req.get("manifest_out"):
            # The run's own manifest (parsed with its env, vars, target), for the artifact store.
            manifest.writable_manifest().write(req["manifest_out"])
        out.update(
            ok=True,
            success=bool(res.success),
            parsed=parsed,
            # An exception escaping dbt may leave global state behind: recycle the engine.
            error=None if res.exception is None else f"{type(res.exception).__name__}: {res.exception}",
            recycle=res.exception is not None,
            prepare_ms=(prepared - started) * 1000,
            invoke_ms=(done - prepared) * 1000,
            rss_mb=_rss_mb(),
        )
        if VERIFY_RESTORE:
            out["restore_differences"] = self.restore()
        return out


class ParseFailed(Exception):
    pass


def main():
    proto = _protocol_stream()
    _die_with_parent()
    t0 = time.perf_counter()
    engine = Engine(proto)
    engine.send({"type": "ready", "pid": os.getpid(), "import_ms": (time.perf_counter() - t0) * 1000, "rss_mb": _rss_mb()})
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        req = json.loads(line)
        try:
            engine.send(engine.handle(req))
            engine.restore()
        except BaseException as err:  # noqa: BLE001 - report, then let the manager recycle us
            engine.send({"id": req.get("id"), "type": "done", "ok": False, "phase": "engine", "error": f"{type(err).__name__}: {err}", "recycle": True})
    os._exit(0)


if __name__ == "__main__":
    main()
