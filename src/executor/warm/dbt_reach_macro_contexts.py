"""dbt_reach's reuse of adapter macro contexts (part of the fence; checked by
dbt_reach.self_check against the versions dbt_reach.CHECKED names).

Every `adapter.execute_macro` (list the schema's relations, rename, drop, read columns, ...;
several per model) builds a fresh Jinja context for the macro: the run's ~500-600 macros each
wrapped for that context. Profiling a 200-node Postgres run (py-spy, GIL samples) put that build
at 80% of execute_macro's time and ~13% of the engine's: more than running the macros.

Within one dbt invocation the context of a given macro comes out the same every time (the same
macro, runtime config and manifest; run_started_at, invocation_id, flags and target fixed for
the invocation; env_var and var read at call time). What a call changes is undone before the
context serves again: its top-level keys are restored (execute_macro's `context_override`, a
`context.update` in Jinja) and its statement results are cleared (`load_result` sees only its own
call's, as with a fresh context). A context serves one call at a time: it is lent to the call and
returned when that execute_macro returns, so a nested or concurrent call of the same macro on
another dbt thread gets a context of its own. The contexts belong to the adapter's generator,
which dbt sets again for every invocation: nothing outlives the invocation. Left out under dbt's
record/replay mode (DBT_RECORDER_MODE).
"""
import functools
import os
import threading


def check_macro_contexts():
    """Names the first target of this reuse that the installed dbt lacks, or None."""
    import inspect

    from dbt.adapters.base.impl import BaseAdapter
    from dbt.context.providers import ProviderContext, generate_runtime_macro_context

    setter = getattr(BaseAdapter, "set_macro_context_generator", None)
    if not callable(setter) or list(inspect.signature(setter).parameters)[1:] != ["macro_context_generator"]:
        return "dbt.adapters.base.impl.BaseAdapter.set_macro_context_generator(macro_context_generator)"
    names = BaseAdapter.execute_macro.__code__.co_names
    if "_macro_context_generator" not in names or "update" not in names:
        return "BaseAdapter.execute_macro building its context with _macro_context_generator, then update(context_override)"
    if list(inspect.signature(generate_runtime_macro_context).parameters) != ["macro", "config", "manifest", "package_name"]:
        return "dbt.context.providers.generate_runtime_macro_context(macro, config, manifest, package_name)"
    if "sql_results" not in ProviderContext.__init__.__code__.co_names or not callable(getattr(ProviderContext, "store_result", None)):
        return "dbt.context.providers.ProviderContext.sql_results / store_result"
    return None


class _Kept:
    """One macro's context, as built, and what restores it."""

    __slots__ = ("config", "ctx", "macro", "manifest", "pristine", "results")

    def __init__(self, ctx, results, macro, config, manifest):
        self.ctx, self.pristine, self.results = ctx, dict(ctx), results
        self.macro, self.config, self.manifest = macro, config, manifest

    def restore(self):
        self.ctx.clear()
        self.ctx.update(self.pristine)
        self.results.clear()


def _reusing(generator, calls):
    """The adapter's macro context generator, keeping what it builds for the next call."""
    # One free context per macro (a run calls ~5 macros this way): two dbt threads rarely run the
    # same macro at the same moment, and the second then builds its own, as dbt does. Two per
    # macro added ~15 MiB of peak RSS on the 200-node DuckDB bench for no measurable speed.
    kept: dict[tuple, _Kept] = {}  # (macro, package, config, manifest) ids -> its free context
    lock = threading.Lock()

    def generate(macro, config, manifest, package_name):
        lent = getattr(calls, "lent", None)
        if lent is None:  # not inside execute_macro: nothing would give it back
            return generator(macro, config, manifest, package_name)
        key = (id(macro), package_name, id(config), id(manifest))
        with lock:
            entry = kept.pop(key, None)
        if entry is None or entry.macro is not macro or entry.config is not config or entry.manifest is not manifest:
            ctx = generator(macro, config, manifest, package_name)
            owner = getattr(ctx.get("store_result"), "__self__", None) if isinstance(ctx, dict) else None
            results = getattr(owner, "sql_results", None)
            if not isinstance(results, dict):
                return ctx  # not dbt's ProviderContext: not kept
            entry = _Kept(ctx, results, macro, config, manifest)

        def give_back():
            entry.restore()  # parked as built: no statement results or overrides held meanwhile
            with lock:
                kept.setdefault(key, entry)

        lent.append(give_back)
        return entry.ctx

    generate._dbtt_fast = True  # type: ignore[attr-defined]
    return generate


def install_macro_context_reuse():
    """Wraps the generator dbt sets on each adapter, and execute_macro to return what it lent."""
    if os.environ.get("DBT_RECORDER_MODE"):
        return
    from dbt.adapters.base.impl import BaseAdapter

    if getattr(BaseAdapter.execute_macro, "_dbtt_fast", False):
        return
    original_set, original_execute = BaseAdapter.set_macro_context_generator, BaseAdapter.execute_macro
    calls = threading.local()

    @functools.wraps(original_set)
    def set_macro_context_generator(self, macro_context_generator):
        original_set(self, _reusing(macro_context_generator, calls))

    @functools.wraps(original_execute)
    def execute_macro(self, *args, **kwargs):
        outer = getattr(calls, "lent", None)
        calls.lent = []
        try:
            return original_execute(self, *args, **kwargs)
        finally:
            for give_back in calls.lent:
                give_back()
            calls.lent = outer

    execute_macro._dbtt_fast = True  # type: ignore[attr-defined]
    BaseAdapter.set_macro_context_generator = set_macro_context_generator
    BaseAdapter.execute_macro = execute_macro
