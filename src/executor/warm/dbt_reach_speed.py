"""dbt_reach's per-node fast paths (part of the fence; checked by dbt_reach.self_check against
the versions dbt_reach.CHECKED names).

On a long run an engine is bound by dbt's own per-node Python (one process, one GIL), the same
code plain dbt runs. Profiling a 1,000-node Postgres run (py-spy, GIL samples) put two of its
costs on top, both answered here with what dbt computes, only cheaper:

- Every Jinja context dbt builds (a node's, and one more per adapter macro call such as
  `rename_relation`) wraps each of the project's ~500 macros in a MacroGenerator through three
  method calls per macro (~22% of the engine's CPU). `install_fast_namespaces` builds the same
  namespace in one loop.
- `adapter.get_relation` lists every cached relation of the schema and matches each one
  (lower-casing every part): O(relations) per call, several calls per model, so O(nodes^2) per
  run (~17% at 1,000 nodes). `install_indexed_get_relation` looks the name up in the relation
  cache's own index (keyed by the lower-cased database, schema and identifier) and matches only
  that relation with dbt's own `_make_match`, so quoting, exact and approximate matches behave
  as before. Schemas not in the cache, a None database or identifier, and adapters that
  override the methods involved take dbt's own path.

Concurrent runs put one more cost on top: each run with its own target (a schema per tenant)
parses the project again, as plain dbt does, and half of a parse is Jinja parsing the same
~600 macro blocks twice (once to find the macros, once to find the macros they call). Their
source does not change between runs, so `install_parse_cache` keeps the parsed trees (dbt's
own test suite does the same, behind its test-only switch); see its doc. And dbt renders
through a new Jinja Environment each time, so Jinja's own template cache never serves: every
node's SQL was compiled to Python code again on every run (~6% of a node's engine time), which
`install_compile_cache` keeps.
"""
import functools
import os
import sys
import threading
from collections import OrderedDict


def check_fast_paths():
    """Names the first target of these fast paths that the installed dbt lacks, or None."""
    import inspect

    from dbt.adapters.base.impl import BaseAdapter
    from dbt.adapters.cache import RelationsCache
    from dbt.adapters.reference_keys import _ReferenceKey
    from dbt.clients.jinja import MacroGenerator
    from dbt.context.macros import MacroNamespace, MacroNamespaceBuilder

    init = inspect.signature(MacroNamespaceBuilder.__init__).parameters
    if list(init)[1:] != ["root_package", "search_package", "thread_ctx", "internal_packages", "node"] \
            or not callable(getattr(MacroNamespaceBuilder, "build_namespace", None)):
        return "dbt.context.macros.MacroNamespaceBuilder(root_package, search_package, thread_ctx, internal_packages, node).build_namespace"
    if list(inspect.signature(MacroNamespace.__init__).parameters)[1:] != ["global_namespace", "local_namespace", "global_project_namespace", "packages"]:
        return "dbt.context.macros.MacroNamespace(global_namespace, local_namespace, global_project_namespace, packages)"
    probe = MacroGenerator("m", {}, "n", "s")
    if vars(probe) != {"context": {}, "macro": "m", "node": "n", "stack": "s"}:
        return "dbt.clients.jinja.MacroGenerator holding exactly macro, context, node and stack"
    for attr in ("get_relation", "list_relations", "_make_match", "_schema_is_cached"):
        if not callable(getattr(BaseAdapter, attr, None)):
            return f"dbt.adapters.base.impl.BaseAdapter.{attr}"
    if list(getattr(_ReferenceKey, "_fields", ())) != ["database", "schema", "identifier"]:
        return "dbt.adapters.reference_keys._ReferenceKey(database, schema, identifier)"
    if not all(name in RelationsCache.__init__.__code__.co_names for name in ("relations", "lock")):
        return "dbt.adapters.cache.RelationsCache.relations / lock"
    return _check_parse_cache() or _check_compile_cache()


def _check_parse_cache():
    import jinja2
    from dbt_common.clients.jinja import MacroFuzzEnvironment

    # The cache serves Environment.parse only; rendering compiles through Environment._parse
    # (whose trees Jinja's optimizer may change), which must not reach it.
    if not issubclass(MacroFuzzEnvironment, jinja2.Environment) or "_parse" not in jinja2.Environment.compile.__code__.co_names \
            or "parse" in jinja2.Environment.compile.__code__.co_names:
        return "dbt_common.clients.jinja.MacroFuzzEnvironment (a jinja2.Environment compiling through _parse, not parse)"
    return None


class _Lru:
    """Values by key, the least recently used out first: at most `entries` of them and, with
    `size`, at most that much of what `weigh(key)` counts. Thread-safe (dbt threads render)."""

    def __init__(self, entries, size=None, weigh=None):
        self.items: OrderedDict[tuple, object] = OrderedDict()
        self.entries, self.size, self.weigh, self.held = entries, size, weigh, 0
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            value = self.items.get(key)
            if value is not None:
                self.items.move_to_end(key)
            return value

    def put(self, key, value):
        with self.lock:
            if key not in self.items and self.weigh is not None:
                self.held += self.weigh(key)
            self.items[key] = value
            while len(self.items) > self.entries or (self.size is not None and self.held > self.size):
                old, _ = self.items.popitem(last=False)
                if self.weigh is not None:
                    self.held -= self.weigh(old)


PARSE_CACHE_ENTRIES = 4096
"""Parsed trees kept per engine (least recently used go first): ~14 KiB each, so at most ~56 MiB.
A project needs one per macro block (~500 for dbt and its adapter, ~600 with dbt_utils) and
one per model that calls config(): ~7 MiB for a 40-model project."""


def install_parse_cache(entries=PARSE_CACHE_ENTRIES):
    """Environment.parse on dbt's Jinja environments keeps its trees, keyed by the source, the
    template name and file, and the environment's class and extensions (all the parse depends
    on). Only parse-only callers reach it: dbt's macro parser and its static scan for macro
    calls, which read the tree and never change it. Errors are not kept (each call raises its
    own). Left out under dbt's record/replay mode (DBT_RECORDER_MODE)."""
    if os.environ.get("DBT_RECORDER_MODE"):
        return
    from dbt_common.clients.jinja import MacroFuzzEnvironment

    original = MacroFuzzEnvironment.parse
    kept = _Lru(entries)

    @functools.wraps(original)
    def parse(self, source, name=None, filename=None):
        key = (source, name, filename, type(self), tuple(self.extensions))
        tree = kept.get(key)
        if tree is None:
            tree = original(self, source, name, filename)
            kept.put(key, tree)
        return tree

    parse._dbtt_fast = True  # type: ignore[attr-defined]
    parse.cache = kept.items  # type: ignore[attr-defined]
    MacroFuzzEnvironment.parse = parse


COMPILE_CACHE_ENTRIES = 2048
COMPILE_CACHE_CHARS = 2_000_000
"""Compiled templates kept per engine (least recently used go first): at most 2,048, and at most
2M characters of their sources (a template's code is a few times its source: ~10 MiB at most)."""

# What an Environment's code generation reads besides the source (jinja2 3.1: the lexer's
# settings, the optimizer, finalize, autoescape, async); with its class and extensions, the key.
_CODEGEN_SETTINGS = (
    "block_start_string", "block_end_string", "variable_start_string", "variable_end_string",
    "comment_start_string", "comment_end_string", "line_statement_prefix", "line_comment_prefix",
    "trim_blocks", "lstrip_blocks", "newline_sequence", "keep_trailing_newline", "optimized",
    "finalize", "autoescape", "is_async",
)


def _check_compile_cache():
    import inspect

    import jinja2

    params = list(inspect.signature(jinja2.Environment.compile).parameters)
    if params != ["self", "source", "name", "filename", "raw", "defer_init"] \
            or "compile" not in jinja2.Environment.from_string.__code__.co_names \
            or not all(hasattr(jinja2.Environment(), a) for a in _CODEGEN_SETTINGS):
        return "jinja2.Environment.compile(source, name, filename, raw, defer_init) behind from_string"
    return None


def install_compile_cache(entries=COMPILE_CACHE_ENTRIES, chars=COMPILE_CACHE_CHARS):
    """Environment.compile of a template's source keeps its code, keyed by the source, name,
    file, raw/defer_init, and the environment's class, extensions and code-generation settings
    (all the generated code depends on). dbt makes a new Environment for every render, so Jinja's
    own cache never serves: each node's SQL was compiled to Python again on every run, and each
    generic test's identical `{{ test_not_null(**_dbt_generic_test_kwargs) }}` once per test.
    The code is rebound to the calling environment as Jinja's bytecode cache does. Errors are
    not kept. Left out under dbt's record/replay mode (DBT_RECORDER_MODE)."""
    if os.environ.get("DBT_RECORDER_MODE"):
        return
    import jinja2

    original = jinja2.Environment.compile
    if getattr(original, "_dbtt_fast", False):
        return
    kept = _Lru(entries, size=chars, weigh=lambda key: len(key[0]))  # key[0]: the source

    @functools.wraps(original)
    def cached_compile(self, source, name=None, filename=None, raw=False, defer_init=False):
        fuzz = sys.modules.get("dbt_common.clients.jinja")
        if not isinstance(source, str) or getattr(fuzz, "MACRO_DEBUGGING", False):
            # An AST, or dbt's macro debugging (each compile files its source for tracebacks).
            return original(self, source, name, filename, raw, defer_init)
        try:
            settings = tuple(getattr(self, a) for a in _CODEGEN_SETTINGS)
            key = (source, name, filename, raw, defer_init, type(self), tuple(self.extensions), settings)
            hash(key)
        except (AttributeError, TypeError):  # an unhashable setting: Jinja's own path
            return original(self, source, name, filename, raw, defer_init)
        code = kept.get(key)
        if code is None:
            code = original(self, source, name, filename, raw, defer_init)
            if len(source) <= chars // 8:  # one huge template would push out many
                kept.put(key, code)
        return code

    cached_compile._dbtt_fast = True  # type: ignore[attr-defined]
    cached_compile.cache = kept.items  # type: ignore[attr-defined]
    jinja2.Environment.compile = cached_compile


def install_fast_namespaces():
    """MacroNamespaceBuilder.build_namespace in one loop: the same MacroGenerators in the same
    dicts, the same DuplicateMacroNameError, the builder's state left as dbt's leaves it."""
    from dbt.clients.jinja import MacroGenerator
    from dbt.context.macros import MacroNamespace, MacroNamespaceBuilder
    from dbt.exceptions import DuplicateMacroNameError

    new = object.__new__

    def build_namespace(self, macros_by_package, ctx):
        node, stack = self.node, self.thread_ctx
        internal_names, search, root = self.internal_package_names, self.search_package, self.root_package
        internal, packages, local_ns, global_ns = self.internal_packages, self.packages, self.locals, self.globals
        for package in macros_by_package.values():
            for macro in package.values():
                func = new(MacroGenerator)
                func.__dict__ = {"context": ctx, "macro": macro, "node": node, "stack": stack}
                name, owner = macro.name, macro.package_name
                is_internal = owner in internal_names
                hierarchy = internal if is_internal else packages
                namespace = hierarchy.get(owner)
                if namespace is None:
                    namespace = hierarchy[owner] = {}
                if name in namespace:
                    raise DuplicateMacroNameError(macro, macro, owner)
                namespace[name] = func
                if not is_internal:
                    if owner == search:
                        local_ns[name] = func
                    elif owner == root:
                        global_ns[name] = func
        global_project_namespace = {}
        for pkg in reversed(self.internal_package_names_order):
            if pkg in internal:
                global_project_namespace.update(internal[pkg])
        return MacroNamespace(global_namespace=global_ns, local_namespace=local_ns,
                              global_project_namespace=global_project_namespace, packages=packages)

    build_namespace._dbtt_fast = True  # type: ignore[attr-defined]
    MacroNamespaceBuilder.build_namespace = build_namespace


def install_indexed_get_relation():
    """BaseAdapter.get_relation through the relation cache's index (see the module's doc).
    Left out under dbt's record/replay mode (DBT_RECORDER_MODE), which records dbt's own."""
    if os.environ.get("DBT_RECORDER_MODE"):
        return
    from dbt.adapters.base.impl import BaseAdapter
    from dbt.adapters.reference_keys import _ReferenceKey, lowercase

    original = BaseAdapter.get_relation
    own = (BaseAdapter.list_relations, BaseAdapter._make_match, BaseAdapter._schema_is_cached)

    @functools.wraps(original)
    def get_relation(self, database, schema, identifier):
        cls = type(self)
        cache = self.cache
        if database is None or schema is None or identifier is None or cache is None \
                or (cls.list_relations, cls._make_match, cls._schema_is_cached) != own \
                or (database, schema) not in cache:
            return original(self, database, schema, identifier)
        with cache.lock:
            hit = cache.relations.get(_ReferenceKey(lowercase(database), lowercase(schema), lowercase(identifier)))
        if hit is not None and hit.inner is None:
            return original(self, database, schema, identifier)
        matches = self._make_match([hit.inner] if hit is not None else [], database, schema, identifier)
        return matches[0] if matches else None

    get_relation._dbtt_fast = True  # type: ignore[attr-defined]
    BaseAdapter.get_relation = get_relation
