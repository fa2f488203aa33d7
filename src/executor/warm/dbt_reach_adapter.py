"""dbt_reach's adapter-start reach-ins (part of the fence; checked by dbt_reach.self_check
against the versions dbt_reach.CHECKED names).

A run context registers a fresh adapter (dbt's own `register_adapter`, as every dbt invocation
does). Plain dbt pays the adapter's start-up once per process; an engine pays it at every
context it opens, so its cost decides how cheap a turn between runs is.
"""
import contextlib
import sys
import threading
from types import FrameType


def check_flag_source():
    """The behavior-flag reach-in's target: BehaviorFlagRendered._default_source, called by
    its __init__ (dbt-common 1.39)."""
    from dbt_common.behavior_flags import BehaviorFlagRendered

    init_names = getattr(getattr(BehaviorFlagRendered, "__init__", None), "__code__", None)
    if not callable(getattr(BehaviorFlagRendered, "_default_source", None)) or init_names is None \
            or "_default_source" not in init_names.co_names:
        return "dbt_common.behavior_flags.BehaviorFlagRendered._default_source (called by its __init__)"
    return None


def check_plugin_modules():
    """The plugin-scan reach-in's target: PluginManager.get_prefixed_modules, a classmethod that
    PluginManager.from_modules calls (dbt-core 1.11)."""
    from dbt.plugins.manager import PluginManager

    scan, caller = PluginManager.__dict__.get("get_prefixed_modules"), PluginManager.__dict__.get("from_modules")
    if not isinstance(scan, classmethod) or not isinstance(caller, classmethod) \
            or "get_prefixed_modules" not in caller.__func__.__code__.co_names:
        return "dbt.plugins.manager.PluginManager.get_prefixed_modules (a classmethod from_modules calls)"
    return None


def install_plugin_module_cache():
    """Every dbt invocation looks for dbt plugins by listing every module on sys.path
    (pkgutil.iter_modules: a scan of the venv's directories, ~5 ms of every context's open and
    every plan). What is installed does not change under a running engine (a new package needs
    a new engine, as it needs a new dbt process), so the first successful scan answers the
    engine's later invocations, each with a dict of its own. A scan that raises is not kept."""
    from dbt.plugins.manager import PluginManager

    scan = PluginManager.__dict__["get_prefixed_modules"].__func__
    found = {}
    lock = threading.Lock()

    def get_prefixed_modules(cls):
        with lock:
            if cls not in found:
                found[cls] = scan(cls)
            return dict(found[cls])

    get_prefixed_modules._dbtt_fast = True  # type: ignore[attr-defined]
    PluginManager.get_prefixed_modules = classmethod(get_prefixed_modules)


def install_fast_flag_source():
    """Every behavior flag of a new adapter names the module that created it by walking
    `inspect.stack()`: that reads the source of every frame on the stack and, for generated
    code, scans all of sys.modules, once per flag (~0.5 s of CPU per adapter in an engine,
    where plain dbt pays it once per process). The same answer from the frames' globals: the
    first module on the stack that is not dbt_common.behavior_flags itself."""
    from dbt_common import behavior_flags

    own = behavior_flags.__name__

    def default_source():
        frame: FrameType | None = sys._getframe(1)
        while frame is not None:
            code_file = frame.f_code.co_filename
            name = frame.f_globals.get("__name__")
            # inspect.getmodule finds no module for generated code (`<string>`, templates).
            if name and name != own and not code_file.startswith("<") and name in sys.modules:
                return name
            frame = frame.f_back
        return "Unknown"

    behavior_flags.BehaviorFlagRendered._default_source = staticmethod(default_source)


def node_connection(adapter, unique_id):
    """The adapter connection a running node uses (dbt names it after the node)."""
    for conn in list(adapter.connections.thread_connections.values()):
        if getattr(conn, "name", None) == unique_id:
            return conn
    return None


def release_duckdb():
    """Closes dbt-duckdb's process-wide database handle, so another process can open the file."""
    import gc

    mod = sys.modules.get("dbt.adapters.duckdb.connections")
    if mod is None:
        return
    manager = mod.DuckDBConnectionManager
    with manager._LOCK:
        env, manager._ENV = manager._ENV, None
        if env is not None:
            with contextlib.suppress(Exception):  # a handle already gone is what we want
                env.close()
    # Closing the connection closes its cursors; a young-generation collection finalizes any
    # stray handle left in a reference cycle without walking the (large) manifests.
    gc.collect(1)


def run_profile():
    """The profile the current dbt invocation resolved (its flags: project dir, vars, profile,
    target), as dbt's own load_profile builds it."""
    from dbt.config.runtime import load_profile
    from dbt.flags import get_flags

    flags = get_flags()
    return load_profile(flags.PROJECT_DIR, flags.VARS, flags.PROFILE, flags.TARGET, None)


def run_profile_or_error():
    """run_profile(), or the exception loading it raised (its callers each answer with it)."""
    try:
        return run_profile()
    except Exception as err:  # noqa: BLE001 - returned, not swallowed
        return err
