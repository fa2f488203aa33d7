"""Warm dbt engine: imports dbt once, keeps parsed manifests, runs one invocation at a time.

Protocol (JSON lines): requests on stdin, responses on the original stdout (fd 1 is then
pointed at stderr, so everything dbt prints lands on stderr). Each request:
  {"id", "key", "parse_args", "args", "env", "cwd"}
`key` names the manifest (project, target, vars, env); a miss parses with `parse_args`.
Each invocation starts from a pristine copy of the manifest (dbt mutates nodes while
compiling), runs with exactly the request's environment, and releases DuckDB afterwards.
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
    gc.collect()


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


class Engine:
    def __init__(self, proto):
        from dbt.cli.main import dbtRunner

        _skip_project_hooks()
        _skip_manifest_json()
        _run_invocation_id()

        self.runner_cls = dbtRunner
        self.proto = proto
        self.manifests = OrderedDict()  # key -> pickled manifest
        self.spare = None  # (key, pristine manifest) unpickled while idle, for the next request

    def prepare_spare(self):
        # Off the critical path: the next request for the same manifest starts from this copy.
        key = getattr(self, "last_key", None)
        blob = self.manifests.get(key) if key else None
        if blob is not None and self.spare is None:
            self.spare = (key, _thaw(blob))

    def send(self, msg):
        self.proto.write(json.dumps(msg) + "\n")
        self.proto.flush()

    def manifest_for(self, req):
        key = req["key"]
        blob = self.manifests.get(key)
        if blob is not None:
            self.manifests.move_to_end(key)
            spare, self.spare = self.spare, None
            if spare is not None and spare[0] == key:
                return spare[1], False
            return _thaw(blob), False
        res = self.runner_cls().invoke(list(req["parse_args"]))
        _release_duckdb()
        if not res.success or res.result is None:
            raise ParseFailed(str(res.exception or "dbt parse failed"))
        blob = _freeze(res.result)
        self.manifests[key] = blob
        while len(self.manifests) > MAX_MANIFESTS:
            self.manifests.popitem(last=False)
        return _thaw(blob), True

    def handle(self, req):
        started = time.perf_counter()
        out = {"id": req["id"], "type": "done"}
        _apply_env(req["env"], req["cwd"])
        try:
            manifest, parsed = self.manifest_for(req)
        except ParseFailed as err:
            out.update(ok=False, phase="parse", error=str(err), recycle=False)
            return out
        prepared = time.perf_counter()
        self.last_key = req["key"]
        res = self.runner_cls(manifest=manifest).invoke(list(req["args"]))
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
            engine.prepare_spare()
        except BaseException as err:  # noqa: BLE001 - report, then let the manager recycle us
            engine.send({"id": req.get("id"), "type": "done", "ok": False, "phase": "engine", "error": f"{type(err).__name__}: {err}", "recycle": True})
    os._exit(0)


if __name__ == "__main__":
    main()
