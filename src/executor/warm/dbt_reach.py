"""Every reach-in to dbt internals the warm engine and the shim make, in this module and its
parts (dbt_reach_adapter.py: adapter start-up and profile; dbt_reach_hooks.py: project hooks;
dbt_reach_manifest.py: frozen manifests; dbt_reach_speed.py: per-node fast paths;
dbt_reach_macro_contexts.py: reused adapter macro contexts; dbt_reach_query_tags.py: the query
comment; dbt_reach_warnings.py: dbt's warnings; dbt_reach_parking.py: parked contexts;
dbt_reach_probe.py: a reuse plan's warehouse probe; dbt_reach_listing.py: a plan's quiet
`dbt ls`), re-exported here.

Checked against dbt-core 1.11.16, dbt-common 1.39.0, dbt-adapters 1.24.5, agate 1.9.1,
dbt-duckdb 1.11.1 and dbt-postgres 1.11.0 (requirements.txt). `self_check()` runs when an
engine starts: a missing target stops the engine with an error naming the dbt version and the
target, instead of a run that silently behaves differently. Everything else the engine uses is
dbt's public or semi-public surface: dbtRunner, the task classes and their overridable methods
(execute_nodes, safe_run_hooks), get_runner / call_runner, DbtThreadPool, the adapter and its
cache.
"""
from importlib import metadata

CHECKED = {"dbt-core": "1.11.16", "dbt-common": "1.39.0", "dbt-adapters": "1.24.5", "agate": "1.9.1"}

# The tasks the CLI's command bodies import from these modules when they run (dbt.cli.main);
# a run context replaces them there with serving subclasses (see run_context.py).
TASK_MODULES = {
    "BuildTask": "dbt.task.build", "RunTask": "dbt.task.run", "TestTask": "dbt.task.test",
    "SeedTask": "dbt.task.seed", "SnapshotTask": "dbt.task.snapshot", "CompileTask": "dbt.task.compile",
}


def _missing(what):
    version = metadata.version("dbt-core")
    raise RuntimeError(
        f"dbt-temporal warm engine: dbt-core {version} lacks {what} "
        f"(the engine was checked against dbt-core {CHECKED['dbt-core']}); "
        "install the versions in requirements.txt or set DBT_ENGINE_MODE=subprocess"
    )


def _has_code_name(func, name):
    """Whether the function's code (its comprehensions and inner functions included) names `name`."""
    codes = [getattr(func, "__code__", None)]
    while codes:
        code = codes.pop()
        if code is None:
            continue
        if name in code.co_names:
            return True
        codes.extend(c for c in code.co_consts if hasattr(c, "co_names"))
    return False


def self_check():
    """Fails loudly when a target of a reach-in is missing; returns version warnings."""
    import importlib

    import dbt.cli.main as cli_main
    import dbt.tracking as tracking
    import dbt_common.invocation as invocation
    from dbt.adapters.base.connections import BaseConnectionManager
    from dbt.task.run import RunTask
    from dbt.task.runnable import GraphRunnableTask

    for name, module in TASK_MODULES.items():
        cls = getattr(importlib.import_module(module), name, None)
        if not (isinstance(cls, type) and issubclass(cls, GraphRunnableTask)):
            _missing(f"{module}.{name} (a GraphRunnableTask)")
        command = {"CompileTask": "compile", "BuildTask": "build"}.get(name, name[: -len("Task")].lower())
        body = getattr(cli_main.cli.commands.get(command), "callback", None)
        if body is None:
            _missing(f"the `dbt {command}` command")
    for attr in ("execute_nodes", "get_runner", "call_runner", "_pool_thread_initializer", "create_schemas", "get_model_schemas"):
        if not callable(getattr(GraphRunnableTask, attr, None)):
            _missing(f"GraphRunnableTask.{attr}")
    for attr in ("safe_run_hooks", "before_run", "after_run", "get_hooks_by_type"):
        if not callable(getattr(RunTask, attr, None)):
            _missing(f"RunTask.{attr}")
    # Project hooks in a run context: dbt's hooks append their results to the task's
    # node_results, on-run-end's extra context is built in after_run from the results it is
    # given (their thread_id tells nodes from hooks), selected_resources is a module global.
    if not _has_code_name(GraphRunnableTask.__init__, "node_results"):
        _missing("GraphRunnableTask.node_results")
    if not (_has_code_name(RunTask.safe_run_hooks, "node_results") and _has_code_name(RunTask.after_run, "thread_id")):
        _missing("RunTask.safe_run_hooks recording hook results / after_run building `results`")
    import dbt.selected_resources as selected_resources
    from dbt.artifacts.schemas.run import RunResult

    if not (hasattr(selected_resources, "SELECTED_RESOURCES") and callable(getattr(selected_resources, "set_selected_resources", None))):
        _missing("dbt.selected_resources.SELECTED_RESOURCES / set_selected_resources")
    if not {"thread_id", "node", "batch_results"} <= set(getattr(RunResult, "__dataclass_fields__", {})):
        _missing("RunResult(thread_id, node, batch_results)")
    import dbt.node_types as node_types

    if not all(hasattr(getattr(node_types, "RunHookType", None), m) for m in ("Start", "End")):
        _missing("dbt.node_types.RunHookType.Start / End")
    if not _has_code_name(RunTask.__init__, "original_invocation_started_at"):
        _missing("RunTask.original_invocation_started_at")
    for attr in ("_INVOCATION_ID", "_INVOCATION_STARTED_AT"):
        if not hasattr(invocation, attr):
            _missing(f"dbt_common.invocation.{attr}")
    if not hasattr(tracking, "active_user"):
        _missing("dbt.tracking.active_user")
    import dbt.cli.requires as requires

    for attr in ("reset_invocation_id", "initialize_from_flags"):
        if not callable(getattr(requires, attr, None)):
            _missing(f"dbt.cli.requires.{attr}")
    from dbt.graph.queue import GraphQueue

    for attr in ("in_progress", "lock"):
        if not _has_code_name(GraphQueue.__init__, attr):
            _missing(f"GraphQueue.{attr}")
    if not _has_code_name(BaseConnectionManager.__init__, "thread_connections"):
        _missing("BaseConnectionManager.thread_connections")
    try:
        from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    except ImportError:
        pass
    else:
        for attr in ("_ENV", "_LOCK"):
            if not hasattr(DuckDBConnectionManager, attr):
                _missing(f"dbt-duckdb DuckDBConnectionManager.{attr}")
    from dbt.events.logging import setup_event_logger
    from dbt_common.events import event_manager_client
    from dbt_common.events.event_manager import EventManager

    for attr in ("ctx_set_event_manager", "get_event_manager"):
        if not callable(getattr(event_manager_client, attr, None)):
            _missing(f"dbt_common.events.event_manager_client.{attr}")
    if not callable(getattr(EventManager, "fire_event", None)) or not _has_code_name(EventManager.__init__, "loggers"):
        _missing("dbt_common EventManager.fire_event / loggers")
    if not callable(getattr(tracking, "track_behavior_change_warn", None)):
        _missing("dbt.tracking.track_behavior_change_warn")
    if not _has_code_name(setup_event_logger, "track_behavior_change_warn"):
        _missing("setup_event_logger's behaviour-change callback")
    from dbt_common.events.base_types import BaseEvent

    own = BaseEvent.__dict__
    if not all(callable(own.get(m)) for m in ("__init__", "__getattr__", "__setattr__")):
        _missing("dbt_common BaseEvent.__init__ / __getattr__ / __setattr__")
    if not getattr(own["__init__"], "_dbtt_deferred", False) and not (
            _has_code_name(own["__init__"], "ParseDict") and _has_code_name(own["__init__"], "pb_msg")):
        _missing("dbt_common BaseEvent.__init__ building pb_msg with ParseDict")
    import dbt_common.clients.agate_helper as agate_helper

    if not callable(getattr(agate_helper, "empty_table", None)):
        _missing("dbt_common.clients.agate_helper.empty_table")
    from dbt.contracts.graph import manifest as manifest_module

    if not callable(getattr(manifest_module, "get_mp_context", None)):
        _missing("dbt.contracts.graph.manifest.get_mp_context (a thawed manifest's lock)")
    if "_lock" not in getattr(manifest_module.Manifest, "__dataclass_fields__", {}):
        _missing("Manifest._lock (frozen manifests drop and renew it)")
    from dbt.config import runtime
    from dbt.graph import thread_pool

    if not callable(getattr(runtime, "load_profile", None)):
        _missing("dbt.config.runtime.load_profile")
    if not isinstance(getattr(thread_pool, "DbtThreadPool", None), type):
        _missing("dbt.graph.thread_pool.DbtThreadPool")
    for check in (check_flag_source, check_parking, check_plugin_modules, check_schema_creation, check_query_tags, check_warning_tap,
                  check_fast_paths, check_macro_contexts, check_probe, check_schema_listing, check_listing):
        missing = check()
        if missing:
            _missing(missing)
    warnings = []
    for dist, checked in CHECKED.items():
        try:
            found = metadata.version(dist)
        except metadata.PackageNotFoundError:
            continue
        if found != checked:
            warnings.append(f"{dist} {found} (warm engine checked against {checked})")
    return warnings


def install_lean_events():
    """Drops debug and info events that reach nobody before dbt builds their log message.

    dbt turns every event into a protobuf message (its text, metadata, timestamp) before its
    loggers and callbacks look at the level. A run context has no logger (`--log-level none`,
    no file log) and only dbt's own callback, which reads behaviour-change warnings: its debug
    and info events (a dozen per node: NodeStart, every query, NodeFinished...) go nowhere.
    Warnings and errors, `--warn-error` handling, and every event of an invocation that has a
    logger (the engine's `dbt ls`) take dbt's own path unchanged.
    """
    import dbt.tracking as tracking
    from dbt_common.events import event_manager_client
    from dbt_common.events.base_types import EventLevel
    from dbt_common.events.event_manager import EventManager

    unheard = {EventLevel.DEBUG, EventLevel.TEST, EventLevel.INFO}
    warnings_only = tracking.track_behavior_change_warn

    class LeanEventManager(EventManager):
        def fire_event(self, e, level=None, node=None, force_warn_or_error_handling=False):
            if (not self.loggers and not force_warn_or_error_handling
                    and all(cb is warnings_only for cb in self.callbacks)
                    and (level if level is not None else e.level_tag()) in unheard):
                return
            super().fire_event(_built(e), level=level, node=node, force_warn_or_error_handling=force_warn_or_error_handling)

    current = event_manager_client.get_event_manager()
    if type(current) is EventManager:
        lean = LeanEventManager()
        lean.loggers, lean.callbacks = current.loggers, current.callbacks
        event_manager_client.ctx_set_event_manager(lean)
    _defer_event_messages()


def _defer_event_messages():
    """An event's protobuf message is built when something first reads it, not when dbt makes it.

    dbt parses every event's fields into its protobuf message in `BaseEvent.__init__` (a dozen
    events per node: the node's info, every query's SQL). The lean event manager drops most of
    them unread; an event that is heard is built as it is fired, from the same fields, so dbt's
    loggers, callbacks and `--warn-error` see the message they always did.
    """
    from dbt_common.events.base_types import BaseEvent

    build, read, write = BaseEvent.__init__, BaseEvent.__getattr__, BaseEvent.__setattr__
    if getattr(build, "_dbtt_deferred", False):
        return

    def deferred_init(self, *args, **kwargs):
        object.__setattr__(self, "_dbtt_fields", (args, kwargs))

    def lazy_getattr(self, key):
        # Reached only when normal lookup fails: the message (not built yet) or one of its fields.
        _built(self)
        return read(self, key)

    def lazy_setattr(self, key, value):
        if key != "pb_msg":
            _built(self)
        write(self, key, value)

    global _build_event
    _build_event = build
    deferred_init._dbtt_deferred = True
    BaseEvent.__init__, BaseEvent.__getattr__, BaseEvent.__setattr__ = deferred_init, lazy_getattr, lazy_setattr


_build_event = None  # dbt's own BaseEvent.__init__, once messages are deferred


def _built(event):
    """The event with its protobuf message built (from the fields its constructor was given)."""
    fields = event.__dict__.pop("_dbtt_fields", None)
    if fields is not None:
        _build_event(event, *fields[0], **fields[1])
    return event


def install_plain_empty_tables():
    """dbt's empty query result (every statement that fetches nothing) without type inference.

    `agate_helper.empty_table()` is `agate.Table(rows=[])`: agate infers the types of its no
    columns with a fresh TypeTester, whose date parsers build their locale tables, about 1 ms
    of the GIL per statement. The table made here is the same: no columns, no rows.
    """
    import agate
    import dbt_common.clients.agate_helper as agate_helper

    if getattr(agate_helper.empty_table, "_dbtt_plain", False):
        return

    def empty_table():
        return agate.Table([], [], [])

    empty_table._dbtt_plain = True
    agate_helper.empty_table = empty_table


def install_serving_tasks(make_serving):
    """Makes dbt's command bodies build serving subclasses of their tasks.

    Every task module is imported first, so dbt's own subclasses (BuildTask of RunTask,
    ShowTask of CompileTask, RetryTask's table...) keep the original classes.
    """
    import importlib
    import pkgutil

    import dbt.cli.main  # noqa: F401
    import dbt.task

    for info in pkgutil.walk_packages(dbt.task.__path__, "dbt.task."):
        try:
            importlib.import_module(info.name)
        except Exception:  # noqa: BLE001 - optional task modules (docs serve...) may not import
            pass
    for name, module_name in TASK_MODULES.items():
        module = importlib.import_module(module_name)
        original = getattr(module, name)
        if not getattr(original, "_dbtt_serving", False):
            setattr(module, name, make_serving(original))


def pin_run_identity(invocation_id, started_at):
    """dbt's invocation id and start time become the run's (one value for every node of a run)."""
    import dbt.tracking as tracking
    import dbt_common.invocation as invocation

    if invocation_id:
        invocation._INVOCATION_ID = invocation_id
    if started_at is not None:
        invocation._INVOCATION_STARTED_AT = started_at.replace(tzinfo=None)
        # `{{ run_started_at }}` reads the tracking user's start time (set per invocation).
        if tracking.active_user is not None:
            tracking.active_user.run_started_at = started_at


def pin_run_identity_per_invocation(invocation_id, started_at):
    """Subprocess mode (the shim): every dbt invocation of the process gets the run's identity."""
    import dbt.cli.requires as requires
    import dbt.tracking as tracking

    reset, initialize = requires.reset_invocation_id, requires.initialize_from_flags

    def reset_invocation_id():
        reset()
        pin_run_identity(invocation_id, started_at)

    def initialize_from_flags(*args, **kwargs):
        initialize(*args, **kwargs)
        if started_at is not None and tracking.active_user is not None:
            tracking.active_user.run_started_at = started_at

    requires.reset_invocation_id = reset_invocation_id
    requires.initialize_from_flags = initialize_from_flags


# Adapter start-up (dbt_reach_adapter.py) and project hooks (on-run-start / on-run-end,
# dbt_reach_hooks.py) live in modules of their own, re-exported here so callers see one fence.
from dbt_reach_adapter import (  # noqa: E402, F401
    check_flag_source,
    check_plugin_modules,
    install_fast_flag_source,
    install_plugin_module_cache,
    node_connection,
    release_duckdb,
    run_profile,
    run_profile_or_error,
)
from dbt_reach_cache import check_schema_listing, install_atomic_schema_listing  # noqa: E402, F401
from dbt_reach_hooks import (  # noqa: E402, F401
    only_end_hooks,
    only_start_hooks,
    run_project_hooks,
    run_results_for_hooks,
    skip_project_hooks,
)
from dbt_reach_listing import check_listing, install_quiet_listing  # noqa: E402, F401
from dbt_reach_macro_contexts import check_macro_contexts, install_macro_context_reuse  # noqa: E402, F401
from dbt_reach_manifest import freeze_manifest, thaw_manifest  # noqa: E402, F401
from dbt_reach_parking import capture_context, check_parking, park_context, resume_context  # noqa: E402, F401
from dbt_reach_probe import check_probe, probe_answer  # noqa: E402, F401
from dbt_reach_query_tags import check_query_tags, note_attempt, note_process_attempt  # noqa: E402, F401
from dbt_reach_query_tags import install as install_query_tags  # noqa: E402, F401
from dbt_reach_schemas import check_schema_creation, install_schema_race_retry  # noqa: E402, F401
from dbt_reach_speed import (  # noqa: E402, F401
    check_fast_paths,
    install_compile_cache,
    install_fast_namespaces,
    install_indexed_get_relation,
    install_parse_cache,
)
from dbt_reach_warnings import check_model_deprecations, check_warning_tap  # noqa: E402, F401
from dbt_reach_warnings import collect as collect_warnings  # noqa: E402, F401
from dbt_reach_warnings import install as install_warning_tap  # noqa: E402, F401


def init_pool_thread(task, invocation_context):
    """Sets up the calling thread as dbt sets up its pool threads (invocation context, adapter
    connection names): a run context's own serving threads are such threads."""
    task._pool_thread_initializer(invocation_context)


def new_thread_pool(task, invocation_context):
    """dbt's own thread pool for the task, its threads set up as dbt sets them up."""
    from dbt.graph.thread_pool import DbtThreadPool

    return DbtThreadPool(task.config.threads, task._pool_thread_initializer, [invocation_context])


def mark_running(task, unique_id, running):
    """Keeps dbt's job queue's view of running nodes true (its microbatch runner runs batches
    inline when every dbt thread is busy, which is what stops `threads: 1` from deadlocking)."""
    queue = getattr(task, "job_queue", None)
    if queue is None:
        return
    with queue.lock:
        if running:
            queue.in_progress.add(unique_id)
        else:
            queue.in_progress.discard(unique_id)
