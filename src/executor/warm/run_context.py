"""A run context: one run's dbt invocation, opened once and kept open while the run has work.

The context thread runs the run's own dbt command (`dbt build`, `dbt run`, ...) through
dbtRunner with the pre-parsed manifest. dbt sets everything up as for a plain run: flags, the
run's env in its invocation context, profile, adapter, linked graph, schemas, relation cache.
Where dbt would walk its job queue, the serving task instead takes the nodes the worker sends,
each through dbt's own runner for its resource type (get_runner / call_runner) on the context's
N dbt threads (set up as dbt's pool threads; microbatch models go to dbt's pool itself), as
`dbt build --threads N` runs them. The run's project hooks (on-run-start / on-run-end) run on
one of those threads too, through dbt's own hook machinery: the same adapter and database as
the run's nodes, as in one `dbt build`. Closing the context ends the invocation the
way dbt ends one (connections cleaned up, adapter released).
"""
import os
import queue
import shutil
import tempfile
import threading
import time
import traceback
from datetime import datetime

import dbt_reach

ACTIVE = {"context": None}  # the engine's open context (one per engine process)
# Set on a dbt thread while it serves a hooks request: the task's safe_run_hooks is dbt's own.
_HOOKS = threading.local()


def _now():
    return time.time() * 1000  # profiling marks (DBTT_TRACE_FILE), epoch ms


def _find_node(manifest, unique_id):
    for attr in ("nodes", "unit_tests", "sources", "exposures", "saved_queries", "functions"):
        found = getattr(manifest, attr, {}).get(unique_id)
        if found is not None:
            return found
    return None


def make_serving(base):
    """A subclass of one of dbt's tasks that serves node requests instead of its job queue."""

    class Serving(base):
        _dbtt_serving = True

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            ctx = ACTIVE["context"]
            if ctx is not None:
                dbt_reach.pin_run_identity(ctx.invocation_id, ctx.started_at)
                # dbt's own hook for "this invocation belongs to an earlier start" (dbt retry
                # uses it): microbatch models without event_time_end end at the run's start.
                self.original_invocation_started_at = ctx.started_at

        def safe_run_hooks(self, adapter, hook_type, extra_context):
            # Project hooks run once per run, in their own activity: a hooks request (see
            # _serve_hooks) runs dbt's own; opening the run and its nodes run none.
            if getattr(_HOOKS, "on", False):
                return super().safe_run_hooks(adapter, hook_type, extra_context)
            from dbt.artifacts.schemas.results import RunStatus

            adapter.clear_transaction()
            return RunStatus.Success

        def execute_nodes(self):
            ctx = ACTIVE["context"]
            if ctx is None:
                return super().execute_nodes()
            from dbt_common.context import get_invocation_context

            # Nodes run on the context's own dbt threads, each taking requests straight from the
            # context queue (as many as the profile's threads, set up as dbt's pool threads are).
            # dbt's pool, made for the first microbatch model, runs those models and their
            # batches as in dbt.
            inv_ctx = get_invocation_context()
            pools = []
            pool_lock = threading.Lock()

            def microbatch_pool():
                with pool_lock:
                    if not pools:
                        pools.append(dbt_reach.new_thread_pool(self, inv_ctx))
                    return pools[0]

            ctx.attach(self)

            def worker():
                dbt_reach.init_pool_thread(self, inv_ctx)
                while True:
                    item = ctx.queue.get()
                    if item is None:
                        ctx.queue.put(None)  # every sibling stops too
                        return
                    try:
                        if item.get("op") == "hooks":
                            self._serve_hooks(ctx, item)
                        else:
                            self._serve(ctx, microbatch_pool, item)
                    except Exception as err:  # noqa: BLE001 - the thread keeps serving
                        ctx.fail(item, "engine", err)

            threads = [threading.Thread(target=worker, daemon=True) for _ in range(max(1, self.config.threads))]
            try:
                for t in threads:
                    t.start()
                for t in threads:
                    t.join()
            finally:
                for pool in pools:
                    pool.close()
                    pool.join()
            return []

        def _serve(self, ctx, microbatch_pool, req):
            from dbt.adapters.factory import get_adapter
            tr = req.get("_t")
            if tr is not None:
                tr["p1"] = _now()
            from dbt.task.run import MicrobatchModelRunner

            node = _find_node(self.manifest, req["unique_id"])
            if node is None:
                ctx.fail(req, "engine", f"node {req['unique_id']} is not in the manifest")
                return
            try:
                adapter = get_adapter(self.config)
                if (req.get("attempt") or 1) > 1:
                    # A retried node: another engine may have built relations since this
                    # context cached them; look relations up in the warehouse from now on.
                    adapter.cache.clear()
                self._ensure_schemas(ctx, adapter, node)
                runner = self.get_runner(node)
                pool = microbatch_pool() if isinstance(runner, MicrobatchModelRunner) else None
                if pool is not None:
                    runner.set_parent_task(self)
                    runner.set_pool(pool)
            except Exception as err:  # noqa: BLE001 - reported as the node's failure
                ctx.fail(req, "engine", err)
                return
            ctx.started(req)
            uid = node.unique_id
            dbt_reach.note_attempt(uid, req.get("attempt"))
            dbt_reach.mark_running(self, uid, True)

            def run(runner):
                if tr is not None:
                    tr["p3"] = _now()
                try:
                    with dbt_reach.collect_warnings() as warnings:  # dbt's warnings while this node runs
                        result = self.call_runner(runner)
                except Exception as err:  # noqa: BLE001 - reported as the node's failure
                    ctx.fail(req, "engine", err)
                    return
                finally:
                    dbt_reach.mark_running(self, uid, False)
                if tr is not None:
                    tr["p4"] = _now()
                # Handed over on the dbt thread that produced it.
                ctx.finish(req, result, warnings)

            if tr is not None:
                tr["p2"] = _now()
            if pool is not None:
                pool.apply_async(run, args=[runner])
            else:
                run(runner)

        def _serve_hooks(self, ctx, req):
            # The run's project hooks on this dbt thread, with the run's adapter and database.
            from dbt.adapters.factory import get_adapter

            raw = req.get("results") or []
            # dbt's selected_resources are the run's when the context opened with the run's
            # selection; otherwise on-run-end's are the run's nodes (its results).
            selected = None if ctx.spec.get("run_selection") or not raw else [r["unique_id"] for r in raw]
            _HOOKS.on = True
            try:
                results = dbt_reach.run_project_hooks(self, get_adapter(self.config), req["phase"], raw, selected)
            except Exception as err:  # noqa: BLE001 - a dbt error (a hook that does not compile...)
                ctx.fail(req, "dbt", err)
                return
            finally:
                _HOOKS.on = False
            ctx.finish_hooks(req, results)

        def _ensure_schemas(self, ctx, adapter, node):
            # dbt creates the schemas of its selected nodes before running them; a context
            # learns its nodes one at a time, so it creates each schema when first needed.
            if not getattr(node, "is_relational", False) or getattr(node, "is_ephemeral_model", False):
                return
            key = (str(getattr(node, "database", "")).lower(), str(getattr(node, "schema", "")).lower())
            if key in ctx.schemas:
                return
            with ctx.schema_lock:
                if key in ctx.schemas:
                    return
                with adapter.connection_named("master"):
                    self.create_schemas(adapter, self.get_model_schemas(adapter, {node.unique_id}))
                ctx.schemas.add(key)

    Serving.__name__ = Serving.__qualname__ = f"Serving{base.__name__}"
    return Serving


class RunContext:
    def __init__(self, engine, spec, load_manifest):
        self.engine = engine
        self.key = spec["key"]
        self.spec = spec
        self.load_manifest = load_manifest
        self.manifest = None
        self.manifest_use = None  # how the manifest came: "hit", "loaded" (a sibling's), "parsed"
        self.info_sent = False
        self.invocation_id = spec.get("invocation_id")
        started = spec.get("run_started_at")
        self.started_at = datetime.fromisoformat(started.replace("Z", "+00:00")) if started else None
        self.queue = queue.Queue()
        self.schemas = set()
        self.schema_lock = threading.Lock()
        self.lock = threading.Lock()
        self.pending = {}  # request id -> request, until its result is sent
        self.running = {}  # request id -> unique id
        self.cancelled = set()
        self.task = None
        self.dir = None
        self.adapter = None
        self.state = None
        self.opened = threading.Event()
        self.closed = threading.Event()
        self.error = None
        self.nothing_selected = False  # dbt found no node to run: it runs no project hooks either
        self.thread = threading.Thread(target=self._run, name=f"run-context-{self.key[:8]}", daemon=True)

    def start(self):
        self.thread.start()

    def submit(self, req):
        with self.lock:
            if self.closed.is_set():
                closed = True
            else:
                closed = False
                self.pending[req["id"]] = req
        if closed:
            self.engine.send({"id": req["id"], "type": "done", "ok": False, "phase": "context", "error": self.error or "the run context is closed"})
        else:
            self.queue.put(req)

    def close(self):
        self.queue.put(None)

    def attach(self, task):
        from dbt.adapters.factory import get_adapter

        self.task = task
        self.adapter = get_adapter(task.config)
        self.state = dbt_reach.capture_context(self.adapter)  # what a later turn resumes (engine.park)
        self.opened.set()

    def _prepare_dir(self):
        # The context's own scratch: dbt's target and log paths, and the state manifest.
        self.dir = tempfile.mkdtemp(prefix=f"dbtt-ctx-{os.getpid()}-")
        state = self.spec.get("state_manifest")
        if state:
            os.makedirs(os.path.join(self.dir, "state"))
            with open(os.path.join(self.dir, "state", "manifest.json"), "w") as f:
                f.write(state)
        for name in ("args", "parse_args"):
            self.spec[name] = [arg.replace("{ctx}", self.dir) for arg in self.spec[name]]
        env = {k: v.replace("{ctx}", self.dir) for k, v in self.spec["env"].items()}
        os.environ.clear()
        os.environ.update(env)

    def _run(self):
        from dbt.cli.main import dbtRunner

        ACTIVE["context"] = self
        try:
            try:
                self._prepare_dir()
                self.manifest, self.manifest_use = self.load_manifest()
            except Exception as err:  # noqa: BLE001
                self.error = f"dbt parse failed: {err}"
                return
            res = dbtRunner(manifest=self.manifest).invoke(list(self.spec["args"]))
            if not self.opened.is_set():
                self.nothing_selected = res.exception is None and bool(res.success)
                self.error = f"dbt could not open the run: {res.exception or 'no nodes selected'}"
        except BaseException as err:  # noqa: BLE001 - every pending node gets this error
            self.error = f"{type(err).__name__}: {err}\n{traceback.format_exc(limit=3)}"
        finally:
            ACTIVE["context"] = None
            dbt_reach.release_duckdb()
            if self.dir:
                shutil.rmtree(self.dir, ignore_errors=True)
            with self.lock:
                self.closed.set()
                left = list(self.pending.values())
            for req in left:
                if req.get("op") == "hooks" and self.nothing_selected:
                    self.finish_hooks(req, [], closed=True)
                else:
                    self.fail(req, "context", self.error or "the run context closed before the node ran")
            self.engine.context_closed(self)

    def started(self, req):
        with self.lock:
            self.running[req["id"]] = req["unique_id"]

    def cancel(self, req_id):
        """Stops one node's query; the node then ends as cancelled, the others keep running."""
        with self.lock:
            req = self.pending.get(req_id)
            running = req_id in self.running
            if req is not None:
                self.cancelled.add(req_id)
        if req is None or not running or self.task is None:
            return
        adapter = self.adapter
        conn = dbt_reach.node_connection(adapter, req["unique_id"])
        if conn is not None:
            try:
                adapter.connections.cancel(conn)
            except Exception:  # noqa: BLE001
                # Adapters that cancel with a statement (Postgres: pg_terminate_backend) run it on
                # the calling thread's connection, as dbt's main thread has one: give this one its own.
                try:
                    with adapter.connection_named("dbt_temporal_cancel"):
                        adapter.connections.cancel(conn)
                except Exception:  # noqa: BLE001 - the worker kills the engine if the node lingers
                    pass

    def _take(self, req):
        with self.lock:
            self.running.pop(req["id"], None)
            found = self.pending.pop(req["id"], None) is not None
            return found, req["id"] in self.cancelled

    def finish(self, req, result, warnings=None):
        from dbt.artifacts.schemas.run import process_run_result

        tr = req.get("_t")
        if tr is not None:
            tr["p5"] = _now()
        found, cancelled = self._take(req)
        if not found:
            return
        try:
            # The run_results-shaped entry travels in the answer itself (no file to write and read).
            entry = process_run_result(result).to_dict(omit_none=False)
            if warnings:
                entry["warnings"] = list(warnings)
            line = self.engine.encode({"id": req["id"], "type": "done", "ok": True, "cancelled": cancelled, "status": str(result.status),
                                       "node_result": entry, **self._info(), **({"trace": dict(tr, p6=_now())} if tr is not None else {})})
        except Exception as err:  # noqa: BLE001
            self.engine.send({"id": req["id"], "type": "done", "ok": False, "phase": "engine", "error": f"cannot encode the node result: {err}"})
            return
        self.engine.write(line)

    def finish_hooks(self, req, results, closed=False):
        """Answers a hooks request with dbt's result per hook (run_results entries); `closed`:
        the context did not open (dbt selected no node, so it ran no hook), as phase "context"."""
        from dbt.artifacts.schemas.run import process_run_result

        found, _ = self._take(req)
        if not found:
            return
        try:
            entries = [process_run_result(r).to_dict(omit_none=False) for r in results]
            line = self.engine.encode({"id": req["id"], "type": "done", "ok": True, "hook_results": entries,
                                       **({"phase": "context"} if closed else {}), **self._info()})
        except Exception as err:  # noqa: BLE001
            self.engine.send({"id": req["id"], "type": "done", "ok": False, "phase": "engine", "error": f"cannot encode the hook results: {err}"})
            return
        self.engine.write(line)

    def fail(self, req, phase, error):
        """Answers `req` with its failure: where it happened and its text; for a caught exception
        (`error`), also its class and base class names (the supervisor's facts for its code)."""
        found, cancelled = self._take(req)
        if found:
            caught = {"error_types": [c.__name__ for c in type(error).__mro__]} if isinstance(error, BaseException) else {}
            text = f"{type(error).__name__}: {error}" if caught else error
            self.engine.send({"id": req["id"], "type": "done", "ok": False, "cancelled": cancelled, "phase": phase, "error": text,
                              **caught, **self._info()})

    def _info(self):
        """Once per context, with its first answer: how it got its manifest, its dbt threads."""
        if self.info_sent or self.manifest_use is None:
            return {}
        self.info_sent = True
        threads = getattr(getattr(self.task, "config", None), "threads", None)
        return {"context_info": {"manifest": self.manifest_use, **({"threads": threads} if threads else {})}}
