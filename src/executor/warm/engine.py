"""Warm dbt engine: imports dbt once, keeps parsed manifests, hosts one run context at a time.

Protocol (JSON lines): requests on stdin, responses on the original stdout (fd 1 is then
pointed at stderr, so everything dbt prints lands on stderr). Requests carry an `op`:
  invoke  {"id", "key", "parse_args", "args", "env", "want_result"?, "manifest_out"?, "want_profile"?}
          one whole dbt invocation (plans: `dbt ls`), only while no context is open
  node    {"id", "context": {"key", "manifest_key", "parse_args", "args", "env", "invocation_id",
          "run_started_at"}, "unique_id", "attempt"?}  runs one node in the run context
          `context.key` (opened on first use); answered with its run_results-shaped `node_result`
  hooks   {"id", "context", "phase": "start"|"end", "results"?}  runs the project's on-run-<phase>
          hooks in the run context (opened on first use, as for a node); `results` are the run's
          node results (on-run-end's `results`); answered with `hook_results` (run_results entries)
  close   {"id", "key", "park"?}  ends the context once its nodes are done; answered with
          "closed". `park`: keep it for the run's next turn instead ("closed" with "parked": true;
          its next node resumes it); a close without `park` ends a parked context too (held
          requests wait meanwhile: the context is active while dbt ends it)
  cancel  {"id"}          stops the query of node request `id`; that node then ends cancelled
Several node requests are in flight at once; every answer names its request id.
"""
import ctypes
import gc
import json
import os
import signal
import sys
import threading
import time

# The engine's sibling modules, whether run as a script or loaded from a path (no bytecode
# written next to them: the install directory may be read-only).
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import dbt_reach  # noqa: E402
from manifests import ManifestStore  # noqa: E402
from run_context import RunContext, make_serving  # noqa: E402


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


_RSS = {"at": 0.0, "mb": 0.0}
IDLE_COLLECT_S = 0.25  # how long an engine must stay idle before it collects (Engine.collect_when_idle)
MAX_PARKED = int(os.environ.get("DBT_TEMPORAL_ENGINE_PARKED", "64"))  # at most (the worker parks within its memory budget)


def _rss_mb_cached():
    # Read at most every 0.5 s: /proc reads are three GIL hand-overs on every answer.
    now = time.monotonic()
    if now - _RSS["at"] >= 0.5:
        _RSS["at"], _RSS["mb"] = now, _rss_mb()
    return _RSS["mb"]


def _rss_mb():
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / (1024 * 1024)
    except OSError:
        return 0.0


class Engine:
    def __init__(self, proto):
        self.proto = proto
        self.write_lock = threading.Lock()
        self.manifests = ManifestStore()
        self.context = None
        self.lock = threading.RLock()  # the reader thread and the contexts' threads switch contexts
        self.parked = {}  # context key -> a parked RunContext (its run's next turn resumes it)
        self.evictions = []  # (key, close request id): parked contexts to end once none is active
        self.evicting = None  # the parked context being ended (active meanwhile)
        self.held = []  # requests that came while it ends
        self.closing = {}  # context key -> close request ids
        self.requests = 0  # requests read so far (serve)
        self.invoking = 0  # whole invocations running
        self.frozen_after_use = False

    def collect_when_idle(self):
        """A closed context or a finished invocation leaves a large heap behind, and the next
        full collection would land on the next request's path (a run's plan, a context's first
        node: ~150 ms on a 200-node project). Collect in the engine's idle time instead: when no
        request came in the meantime and nothing runs. Under load (a waiting run takes the engine
        at once) this never fires, and Python's own collector works as before.

        Full collections during a run walk every object the engine holds, and most are dbt's
        modules and what the first invocation imported (the adapter, agate, ...): they live as
        long as the engine. The engine freezes those (gc.freeze) when it starts and once more
        here after its first use, so a full collection walks only the run's own objects (200-node
        Postgres run: 26-42 ms each instead of 150-175). A frozen object is still freed when its
        last reference goes; only a reference cycle among frozen objects stays, and as the
        second freeze happens once, that is bounded by one idle engine's leftovers (jaffle_duck:
        40,318 objects frozen here, of which 745 later became such cycles)."""
        seen = self.requests

        def collect():
            if self.requests == seen and self.context is None and self.invoking == 0:
                gc.collect()
                if not self.frozen_after_use:
                    # Once: what the first invocation imported and set up for good.
                    self.frozen_after_use = True
                    gc.freeze()

        timer = threading.Timer(IDLE_COLLECT_S, collect)
        timer.daemon = True
        timer.start()

    def encode(self, msg):
        msg.setdefault("rss_mb", _rss_mb_cached())
        return json.dumps(msg, default=str) + "\n"

    def send(self, msg):
        self.write(self.encode(msg))

    def write(self, line):
        with self.write_lock:
            self.proto.write(line)
            self.proto.flush()

    # -- run contexts --------------------------------------------------------------------

    def node(self, req):
        spec = req["context"]
        ctx = self.context
        if ctx is not None and ctx.key != spec["key"]:
            self.refuse(req, "engine protocol error: a node of another run context arrived before close")
            return
        if ctx is None and spec["key"] in self.parked:
            ctx = self.context = self.parked.pop(spec["key"])
            self._resume(ctx)
        elif ctx is None:
            if "args" not in spec:
                self.refuse(req, "engine protocol error: a context's first node came without its spec")
                return

            def load_manifest():
                # Parsed once per worker and key; every context gets its own copy to compile into.
                return self.manifests.get(spec["manifest_key"], spec["parse_args"], spec.get("seed"))

            ctx = self.context = RunContext(self, spec, load_manifest)
            ctx.start()
        ctx.submit(req)

    def close(self, req):
        ctx, key = self.context, req.get("key")
        if ctx is not None and ctx.key == key:
            if req.get("park") and len(self.parked) < MAX_PARKED and self._park(ctx):
                self.context = None
                self.parked[key] = ctx
                self.send({"id": req["id"], "type": "closed", "parked": True})
                self._between_contexts()
                return
            self.closing.setdefault(ctx.key, []).append(req["id"])
            ctx.close()
        elif key in self.parked:
            self.evictions.append((key, req["id"]))
            self._between_contexts()
        else:
            self.send({"id": req["id"], "type": "closed"})

    def _park(self, ctx):
        """Keeps an idle context's invocation for its run's next turn (dbt_reach_parking.py)."""
        with ctx.lock:
            if ctx.pending or ctx.closed.is_set() or ctx.state is None:
                return False
        try:
            dbt_reach.park_context(ctx.adapter)
        except Exception:  # noqa: BLE001 - not parked: it closes as any context does
            return False
        return True

    def _resume(self, ctx):
        dbt_reach.resume_context(ctx.state, ctx.adapter)
        dbt_reach.pin_run_identity(ctx.invocation_id, ctx.started_at)

    def _between_contexts(self):
        """With no context active and no invocation running: ends the parked contexts asked to
        close, one at a time (each active again while dbt ends its invocation, as dbt ends one),
        then takes the requests held meanwhile."""
        if self.context is not None or self.invoking:
            return
        while self.evictions:
            key, rid = self.evictions.pop(0)
            ctx = self.parked.pop(key, None)
            if ctx is None:
                self.send({"id": rid, "type": "closed"})
                continue
            self._resume(ctx)
            self.context = self.evicting = ctx
            self.closing.setdefault(key, []).append(rid)
            ctx.close()
            return
        held, self.held = self.held, []
        for req in held:
            self.serve_one(req)

    def context_closed(self, ctx):
        with self.lock:
            if self.context is ctx:
                self.context = None
            if self.evicting is ctx:
                self.evicting = None
            for rid in self.closing.pop(ctx.key, []):
                self.send({"id": rid, "type": "closed"})
            self._between_contexts()
        self.collect_when_idle()

    def refuse(self, req, error):
        """Answers `req` with an engine failure; the manager then recycles the engine."""
        self.send({"id": req.get("id"), "type": "done", "ok": False, "phase": "engine", "error": error, "recycle": True})

    def serve_one(self, req):
        """Serves one request; a failure is answered, and the manager then recycles the engine."""
        try:
            self.dispatch(req)
        except BaseException as err:  # noqa: BLE001
            self.refuse(req, f"{type(err).__name__}: {err}")

    def dispatch(self, req):
        """Serves one request (under the engine's lock: contexts switch only here)."""
        op = req.get("op")
        with self.lock:
            if self.evicting is not None and op in ("node", "hooks", "close", "invoke"):
                self.held.append(req)
            elif op in ("node", "hooks"):
                self.node(req)
            elif op == "close":
                self.close(req)
            elif op == "cancel":
                if self.context is not None:
                    self.context.cancel(req["id"])
            elif op == "invoke":
                # On a thread, so that the loop keeps reading (the manager may stop us).
                self.invoking += 1
                threading.Thread(target=self._run_invoke, args=(req,), daemon=True).start()
            else:
                self.refuse(req, f"unknown op {op!r}")

    def _run_invoke(self, req):
        try:
            self.send(self.invoke(req))
        except BaseException as err:  # noqa: BLE001
            self.refuse(req, f"{type(err).__name__}: {err}")
        finally:
            with self.lock:
                self.invoking -= 1
                self._between_contexts()
        self.collect_when_idle()

    # -- whole invocations ---------------------------------------------------------------

    def invoke(self, req):
        from dbt.cli.main import dbtRunner

        out = {"id": req["id"], "type": "done"}
        # The process environment is the run's while its invocation runs: dbt captures it into
        # its invocation context, and adapters read it directly.
        os.environ.clear()
        os.environ.update(req["env"])
        started = time.perf_counter()
        with dbt_reach.collect_warnings() as warnings:
            out["dbt_warnings"] = warnings
            try:
                manifest, how = self.manifests.get(req["key"], req["parse_args"], req.get("seed"))
            except Exception as err:  # noqa: BLE001
                out.update(ok=False, phase="parse", error=str(err))
                return out
            prepared = time.perf_counter()
            res = dbtRunner(manifest=manifest).invoke(list(req["args"]))
            if how != "parsed" and res.success:
                # A manifest parsed earlier: dbt's parse-time deprecation warnings, as each dbt run has them.
                try:
                    dbt_reach.check_model_deprecations(manifest)
                except Exception as err:  # noqa: BLE001 - --warn-error made one an error, as in dbt
                    res.success, res.exception = False, err
        profile = dbt_reach.run_profile_or_error() if req.get("want_profile") or req.get("probe") else None
        if req.get("want_profile"):
            out["profile"] = self._profile(profile)
        if req.get("probe") and res.success:  # a reuse plan's probe, through the profile the ls resolved
            out["probe"] = dbt_reach.probe_answer(req["probe"], profile)
        dbt_reach.release_duckdb()
        if req.get("want_result") and isinstance(res.result, list):
            out["result"] = [str(line) for line in res.result]  # `ls`: the printed lines
        elif req.get("want_result") and hasattr(res.result, "results"):
            # `compile`: each node's compiled code (run_results' fields), with no run_results.json written.
            out["result"] = [
                json.dumps({"unique_id": r.node.unique_id, "compiled_code": getattr(r.node, "compiled_code", None)})
                for r in res.result.results
            ]
        if req.get("manifest_out") and res.success:
            # The run's own manifest (parsed with its env, vars, target), for the artifact store.
            manifest.writable_manifest().write(req["manifest_out"])
        out.update(
            ok=True, success=bool(res.success), parsed=how == "parsed", manifest=how,
            error=None if res.exception is None else f"{type(res.exception).__name__}: {res.exception}",
            # An exception escaping dbt may leave global state behind: recycle the engine.
            recycle=res.exception is not None,
            prepare_ms=(prepared - started) * 1000, invoke_ms=(time.perf_counter() - prepared) * 1000,
        )
        return out

    def _profile(self, profile):
        """The run's warehouse as its profile (or the error loading it) resolves it (DuckDB: its database path)."""
        if isinstance(profile, Exception):  # a plan still works without it
            return {"error": f"{type(profile).__name__}: {profile}"}
        creds = profile.credentials
        out = {"type": creds.type, "target": profile.target_name, "profile": profile.profile_name, "threads": profile.threads}
        if creds.type == "duckdb":
            path = getattr(creds, "path", None) or ":memory:"
            out["duckdb_path"] = path if path.startswith(":memory:") or "://" in path else os.path.abspath(path)
        return out


def boot():
    """Imports dbt, checks and installs the reach-ins, freezes what that left; returns version
    warnings (exit 4 on failure)."""
    # Four dbt threads share one GIL: a thread coming back from I/O (a log line, a query, the
    # protocol pipe) waits a whole switch interval (5 ms by default) for CPU-bound siblings
    # rendering Jinja. Node latency is made of many such hand-overs; a shorter interval cuts it.
    sys.setswitchinterval(0.001)
    try:
        warnings = dbt_reach.self_check()
        dbt_reach.install_serving_tasks(make_serving)
        dbt_reach.install_lean_events()
        dbt_reach.install_warning_tap()
        dbt_reach.install_query_tags()
        dbt_reach.install_plain_empty_tables()
        dbt_reach.install_fast_flag_source()
        dbt_reach.install_plugin_module_cache()
        dbt_reach.install_schema_race_retry()
        dbt_reach.install_fast_namespaces()
        dbt_reach.install_atomic_schema_listing()  # before the indexed get_relation, which captures list_relations
        dbt_reach.install_indexed_get_relation()
        dbt_reach.install_parse_cache()
        dbt_reach.install_compile_cache()
        dbt_reach.install_macro_context_reuse()
        dbt_reach.install_quiet_listing()
    except Exception as err:  # noqa: BLE001 - the manager reports this as a start-up failure
        print(f"{err}", file=sys.stderr, flush=True)
        os._exit(4)
    # dbt's modules live as long as the engine: the collector never walks them again (and a
    # template's forks keep them frozen, so their memory pages stay shared).
    gc.collect()
    gc.freeze()
    return warnings


def serve(proto, lines, warnings, t0):
    """Answers requests from `lines` on `proto` until the input ends, then exits."""
    engine = Engine(proto)
    engine.send({"type": "ready", "pid": os.getpid(), "import_ms": (time.perf_counter() - t0) * 1000, "warnings": warnings})
    for line in lines:
        line = line.strip()
        if not line:
            continue
        req = json.loads(line)
        engine.requests += 1
        if req.get("trace"):
            req["_t"] = {"p0": time.time() * 1000}
        engine.serve_one(req)
    os._exit(0)


def main():
    proto = _protocol_stream()
    _die_with_parent()
    t0 = time.perf_counter()
    warnings = boot()
    serve(proto, sys.stdin, warnings, t0)


if __name__ == "__main__":
    if sys.argv[1:] == ["--template"]:
        from template import template_main

        template_main(boot, serve, _protocol_stream, _die_with_parent, _rss_mb)
    else:
        main()
