"""The warm engine's per-node fast paths (dbt_reach_speed.py) give dbt's own answers: the same
macro namespace as dbt's MacroNamespaceBuilder, the same relation (or the same error) as dbt's
BaseAdapter.get_relation, over the cases dbt distinguishes."""
import json
import subprocess
from pathlib import Path

from support import DBT_PYTHON, WARM_DIR, Project

PRELUDE = f"import json, sys\nsys.dont_write_bytecode = True\nsys.path.insert(0, {str(WARM_DIR)!r})\nimport dbt_reach\n"


def run(code: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(DBT_PYTHON), "-c", PRELUDE + code], capture_output=True, text=True, timeout=180, check=False, env=env)


NAMESPACES = """
from dbt.cli.main import dbtRunner
from dbt.context.macros import MacroNamespaceBuilder, MacroStack
from dbt.exceptions import DuplicateMacroNameError
manifest = dbtRunner().invoke(["parse", "--quiet", *ARGS]).result
by_package = manifest.get_macros_by_package()
internal = ["dbt_duckdb", "dbt_postgres", "dbt"]

def shape(builder, namespace):
    def flat(d):
        return {k: [id(g.macro), id(g.context), g.node, id(g.stack), type(g).__name__] for k, g in d.items()}
    return {
        "globals": flat(namespace.global_namespace), "locals": flat(namespace.local_namespace),
        "project": flat(namespace.global_project_namespace),
        "packages": {p: flat(d) for p, d in namespace.packages.items()},
        "internal": {p: flat(d) for p, d in builder.internal_packages.items()},
        "keys": sorted(namespace),
    }

def build(search, node):
    stack, ctx = STACK, CTX
    builder = MacroNamespaceBuilder("jaffle_duck", search, stack, internal, node)
    return shape(builder, builder.build_namespace(by_package, ctx))

def duplicate():
    bad = {"jaffle_duck": dict(next(iter(by_package.values()))), "other": {}}
    first = next(iter(bad["jaffle_duck"].values()))
    bad["other"][first.name] = first
    try:
        MacroNamespaceBuilder("jaffle_duck", "jaffle_duck", STACK, internal, None).build_namespace(bad, CTX)
    except DuplicateMacroNameError as err:
        return str(err)
    return None

STACK, CTX = MacroStack(), {"x": 1}
cases = [("jaffle_duck", None), ("dbt", "node-1"), ("no_such_package", None)]
before = [build(s, n) for s, n in cases] + [duplicate()]
dbt_reach.install_fast_namespaces()
after = [build(s, n) for s, n in cases] + [duplicate()]
print(json.dumps({"same": before == after, "macros": len(before[0]["keys"]), "dup": after[-1] is not None}))
"""


def test_fast_namespaces_build_what_dbt_builds(jaffle: Project) -> None:
    args = [*jaffle.common_args()]
    r = run(f"ARGS = {args!r}\n" + NAMESPACES, env=jaffle.env)
    assert r.returncode == 0, r.stderr[-3000:]
    got = json.loads(r.stdout.strip().splitlines()[-1])
    assert got["same"] is True
    assert got["macros"] > 100
    assert got["dup"] is True


GET_RELATION = """
from types import SimpleNamespace
from dbt.adapters.base.impl import BaseAdapter
from dbt.adapters.base.relation import BaseRelation
from dbt.adapters.cache import RelationsCache

class Stub:
    Relation = BaseRelation
    list_relations = BaseAdapter.list_relations
    _make_match = BaseAdapter._make_match
    _make_match_kwargs = BaseAdapter._make_match_kwargs
    _schema_is_cached = BaseAdapter._schema_is_cached
    def __init__(self, quoting, uncached):
        self.config = SimpleNamespace(quoting=quoting)
        self.cache = RelationsCache()
        self.uncached = uncached
    def nice_connection_name(self):
        return "test"
    def list_relations_without_caching(self, schema_relation):
        return list(self.uncached)

def rel(db, schema, name, quoted=False):
    policy = {"database": quoted, "schema": quoted, "identifier": quoted}
    return BaseRelation.create(database=db, schema=schema, identifier=name, type="table", quote_policy=policy)

def answer(get, stub, db, schema, name):
    try:
        got = get(stub, db, schema, name)
        return None if got is None else [got.database, got.schema, got.identifier]
    except Exception as err:
        return type(err).__name__

plain = {"database": False, "schema": False, "identifier": False}
quoted = {"database": True, "schema": True, "identifier": True}
stubs = []
for quoting in (plain, quoted):
    stub = Stub(quoting, [rel("db", "other", "u1")])
    stub.cache.update_schemas([("db", "main"), ("db", "empty")])
    for r in [rel("db", "main", f"m{i}") for i in range(50)] + [rel("db", "main", "Mixed", quoted=True), rel("DB", "Main", "Upper")]:
        stub.cache.add(r)
    stubs.append(stub)
lookups = [("db", "main", "m7"), ("db", "main", "M7"), ("DB", "MAIN", "m7"), ("db", "main", "nope"),
           ("db", "main", "Mixed"), ("db", "main", "mixed"), ("db", "main", "upper"), ("db", "Main", "Upper"),
           ("db", "empty", "m1"), ("db", "other", "u1"), (None, "main", "m7"), ("db", "main", None)]
before = [answer(BaseAdapter.get_relation, s, *q) for s in stubs for q in lookups]
dbt_reach.install_indexed_get_relation()
fast = BaseAdapter.get_relation
after = [answer(fast, s, *q) for s in stubs for q in lookups]
print(json.dumps({"same": before == after, "fast": getattr(fast, "_dbtt_fast", False),
                  "available": getattr(fast, "_is_available_", False), "answers": after}))
"""


def test_indexed_get_relation_answers_as_dbt_does() -> None:
    r = run(GET_RELATION)
    assert r.returncode == 0, r.stderr[-3000:]
    got = json.loads(r.stdout.strip().splitlines()[-1])
    assert got["fast"] is True and got["available"] is True
    assert got["same"] is True, got["answers"]
    # The cases cover a hit, a miss, an uncached schema and dbt's own errors.
    answers = got["answers"]
    assert ["db", "main", "m7"] in answers and None in answers and ["db", "other", "u1"] in answers
    assert any(isinstance(a, str) for a in answers), answers


def test_self_check_names_a_fast_path_target_that_is_gone() -> None:
    r = run("from dbt.adapters.base.impl import BaseAdapter\ndel BaseAdapter._make_match\ndbt_reach.self_check()")
    assert r.returncode == 1
    assert "lacks dbt.adapters.base.impl.BaseAdapter._make_match" in r.stderr


def test_fast_paths_stay_out_under_dbts_record_mode(tmp_path: Path) -> None:
    code = ("dbt_reach.install_indexed_get_relation()\n"
            "from dbt.adapters.base.impl import BaseAdapter\n"
            "print(json.dumps(getattr(BaseAdapter.get_relation, '_dbtt_fast', False)))\n")
    r = run(code, env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "DBT_RECORDER_MODE": "record"})
    assert r.returncode == 0, r.stderr[-3000:]
    assert json.loads(r.stdout.strip().splitlines()[-1]) is False


PARSE_CACHE = """
from dbt.cli.main import dbtRunner
from dbt_common.clients import jinja
from dbt_common.clients.jinja import MacroFuzzEnvironment
from dbt_common.exceptions import CompilationError

def shape():
    m = dbtRunner().invoke(["parse", "--quiet", "--no-partial-parse", *ARGS]).result
    macros = {k: [v.macro_sql, sorted(v.depends_on.macros)] for k, v in m.macros.items()}
    nodes = {k: [v.depends_on.to_dict(), v.config.to_dict()] for k, v in m.nodes.items()}
    return {"macros": macros, "nodes": nodes}

def bad():
    try:
        jinja.parse("{% macro broken( %}")
    except CompilationError as err:
        return type(err).__name__
    return None

before = shape()
dbt_reach.install_parse_cache()
kept = MacroFuzzEnvironment.parse.cache
first = shape()
filled = len(kept)
second = shape()
print(json.dumps({"same": before == first == second, "macros": len(before["macros"]), "filled": filled,
                  "grew": len(kept) - filled, "errors": [bad(), bad()], "bad_kept": any("broken" in k[0] for k in kept)}))
"""


def test_parse_cache_parses_what_dbt_parses(jaffle: Project) -> None:
    r = run(f"ARGS = {jaffle.common_args()!r}\n" + PARSE_CACHE, env=jaffle.env)
    assert r.returncode == 0, r.stderr[-3000:]
    got = json.loads(r.stdout.strip().splitlines()[-1])
    assert got["same"] is True
    assert got["macros"] > 100 and got["filled"] > 100
    # A second parse of the same project finds every tree kept; a parse error is raised each time, never kept.
    assert got["grew"] == 0
    assert got["errors"] == ["CompilationError", "CompilationError"] and got["bad_kept"] is False


COMPILE = """
from dbt.clients import jinja as dj
from jinja2 import TemplateSyntaxError
import jinja2

sources = ["{{ 1 + 1 }}", "{% for i in range(3) %}{{ i }}{% endfor %}", "select {{ x }} as a", "{{ x | upper }}",
           "{% if x %}yes{% else %}no{% endif %}", "  {{ x }}\\n"]
ctx = {"x": "v"}

def answers():
    out = []
    for s in sources:
        for native in (False, True):
            r = dj.get_rendered(s, ctx, native=native)
            out.append([type(r).__name__, str(r)])
    try:
        dj.get_rendered("{% if %}", ctx)
        out.append("no error")
    except Exception as err:
        out.append(type(err).__name__)
    # Another environment setting (trim_blocks) changes the code: it must not share an entry.
    out.append(jinja2.Environment(trim_blocks=True).from_string("{% if 1 %}\\nA{% endif %}").render())
    out.append(jinja2.Environment().from_string("{% if 1 %}\\nA{% endif %}").render())
    return out

before = answers()
dbt_reach.install_compile_cache()
first = answers()
again = answers()
print(json.dumps({"same": before == first == again, "kept": len(jinja2.Environment.compile.cache),
                  "answers": again, "fast": getattr(jinja2.Environment.compile, "_dbtt_fast", False)}))
"""


def test_compile_cache_renders_what_jinja_renders() -> None:
    r = run(COMPILE)
    assert r.returncode == 0, r.stderr[-3000:]
    got = json.loads(r.stdout.strip().splitlines()[-1])
    assert got["fast"] is True
    assert got["same"] is True, got["answers"]
    # trim_blocks on and off keep apart entries (and native and text environments: `kept`).
    assert "A" in got["answers"] and "\nA" in got["answers"]
    assert "TemplateSyntaxError" in got["answers"] or "CompilationError" in got["answers"]
    assert got["kept"] >= len(["native", "text"]) * 6


def test_compile_cache_stays_within_its_bounds() -> None:
    code = """
import jinja2
dbt_reach.install_compile_cache(entries=4, chars=200)
env = jinja2.Environment()
outs = [env.from_string("{{ %d }}" % i + " " * (10 * i)).render() for i in range(12)]
outs.append(env.from_string("x" * 100).render())  # over chars // 8: never kept
cache = jinja2.Environment.compile.cache
print(json.dumps({"n": len(cache), "chars": sum(len(k[0]) for k in cache), "huge": any(len(k[0]) == 100 for k in cache),
                  "outs": [o.strip() for o in outs[:12]]}))
"""
    r = run(code)
    assert r.returncode == 0, r.stderr[-3000:]
    got = json.loads(r.stdout.strip().splitlines()[-1])
    assert got["outs"] == [str(i) for i in range(12)]
    assert 0 < got["n"] <= 4
    assert got["chars"] <= 200
    assert got["huge"] is False



QUIET_LISTING = """
from dbt.cli.main import dbtRunner
from dbt_common.events.base_types import EventMsg
manifest = dbtRunner().invoke(["parse", "--quiet", *ARGS]).result
printed = []

def ls(*extra):
    res = dbtRunner(manifest=manifest, callbacks=[lambda e: printed.append(e.info.name)]).invoke(["ls", "--quiet", "--output", "json", *extra, *ARGS])
    return [res.success, [str(line) for line in res.result]]

cases = [["--output-keys", "unique_id"], ["--output-keys", "unique_id", "--select", "+orders"], ["--output-keys", "unique_id", "name"], []]
before = [ls(*c) for c in cases]
dbt_printed = printed.count("PrintEvent")
dbt_reach.install_quiet_listing()
printed.clear()
after = [ls(*c) for c in cases]
bad = dbtRunner(manifest=manifest).invoke(["ls", "--quiet", "--select", "nosuchmethod:x", *ARGS])
print(json.dumps({"same": before == after, "ids": len(before[0][1]), "dbt_printed": dbt_printed, "printed": printed.count("PrintEvent"),
                  "sample": before[0][1][:1], "bad": [bad.success, type(bad.exception).__name__]}))
"""


def test_quiet_listing_lists_what_dbt_lists_without_printing_it(jaffle: Project) -> None:
    r = run(f"ARGS = {[*jaffle.common_args()]!r}\n" + QUIET_LISTING, env=jaffle.env)
    assert r.returncode == 0, r.stderr[-3000:]
    got = json.loads(r.stdout.strip().splitlines()[-1])
    assert got["same"] is True, got
    assert got["ids"] > 5 and got["sample"][0].startswith('{"unique_id": ')
    assert got["dbt_printed"] > 20 and got["printed"] == 0, got
    # A bad selection still fails as dbt fails it.
    assert got["bad"][0] is False, got


def test_self_check_names_the_listing_target_that_is_gone() -> None:
    r = run("from dbt.task.list import ListTask\ndel ListTask.output_results\ndbt_reach.self_check()")
    assert r.returncode == 1
    assert "lacks dbt.task.list.ListTask.output_results" in r.stderr
