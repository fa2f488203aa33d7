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
import signal
import sys
import threading
import time
from collections import OrderedDict

# The engine's sibling modules, whether run as a script or loaded from a path (no bytecode
# written next to them: the install directory may be read-only).
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import dbt_patches  # noqa: E402
from dbt_patches import EXACT, GRAPHS  # noqa: E402
from live_manifest import LiveManifest  # noqa: E402

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


# Request variables that make dbt rewrite nodes across the whole manifest (deferral merges the
# state manifest into every node): such invocations get a fresh copy and the live one is dropped.
BROAD_MUTATION_ENV = ("DBT_DEFER", "DBT_STATE", "DBT_DEFER_STATE", "DBT_FAVOR_STATE")
BROAD_MUTATION_ARGS = ("--defer", "--state", "--defer-state", "--favor-state")


def _broad_mutation(req):
    env = req.get("env") or {}
    if any(env.get(name) for name in BROAD_MUTATION_ENV):
        return True
    return any(arg in BROAD_MUTATION_ARGS for arg in req.get("args") or [])


VERIFY_RESTORE = os.environ.get("DBT_TEMPORAL_ENGINE_VERIFY_RESTORE") == "1"


class Engine:
    def __init__(self, proto):
        from dbt.cli.main import dbtRunner

        dbt_patches.install()

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
