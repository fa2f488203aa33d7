"""The dbt-core patches a warm engine installs once: what a node invocation must not do (project
hooks, manifest.json, a fresh invocation id) and the per-invocation set-up it need not repeat
(graph linking, project-wide selection scans, adapter set-up that grows with the project).
"""
import os
import sys


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


def install():
    _skip_project_hooks()
    _skip_manifest_json()
    _run_invocation_id()
    _cache_linked_graphs()
    _fast_subset_graph()
    _quiet_relation_cache()
    _cheap_adapter_setup()
    _exact_node_selection()
