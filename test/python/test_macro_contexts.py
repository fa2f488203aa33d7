"""Reused adapter macro contexts (dbt_reach_macro_contexts.py) answer as fresh ones do: each call
sees only its own statement results and its own context_override, a `context.update` in one call
does not reach the next, concurrent calls on two threads stay apart, and the reuse happens (one
context built for many calls)."""
import json
import subprocess

from support import DBT_PYTHON, WARM_DIR, Project

MACROS = """
{% macro dbtt_tagged(tag) %}
  {% call statement('probe', fetch_result=True) %} select '{{ tag }}' as t {% endcall %}
  {{ return(load_result('probe')['data'][0][0] ~ '|' ~ (dbtt_flag if dbtt_flag is defined else 'unset')) }}
{% endmacro %}

{% macro dbtt_keep(mode) %}
  {% if mode == 'store' %}
    {% call statement('kept', fetch_result=True) %} select 1 {% endcall %}
    {% do context.update({'dbtt_flag': 'leaked'}) %}
    {{ return('stored') }}
  {% endif %}
  {{ return((load_result('kept') is none) ~ '|' ~ (dbtt_flag if dbtt_flag is defined else 'unset')) }}
{% endmacro %}

{% macro dbtt_noop() %}{% endmacro %}
"""

SCRIPT = """
import json, sys, threading
sys.dont_write_bytecode = True
sys.path.insert(0, WARM_DIR)
import dbt_reach
if INSTALL:
    dbt_reach.install_macro_context_reuse()
from dbt.adapters.factory import FACTORY
from dbt.cli.main import dbtRunner
import dbt.context.providers as providers

res = dbtRunner().invoke(["run-operation", "dbtt_noop", *ARGS])
assert res.success, res.exception
adapter = FACTORY.adapters["duckdb"]
built = [0]
init = providers.MacroContext.__init__
def counting(self, *a, **k):
    built[0] += 1
    init(self, *a, **k)
providers.MacroContext.__init__ = counting

out = {}
with adapter.connection_named("dbtt-test"):
    out["sequence"] = [
        adapter.execute_macro("dbtt_tagged", kwargs={"tag": "one"}),
        adapter.execute_macro("dbtt_tagged", kwargs={"tag": "two"}, context_override={"dbtt_flag": "set"}),
        adapter.execute_macro("dbtt_tagged", kwargs={"tag": "three"}),
        adapter.execute_macro("dbtt_keep", kwargs={"mode": "store"}),
        adapter.execute_macro("dbtt_keep", kwargs={"mode": "load"}),
    ]
    out["built"] = built[0]
    relation = adapter.Relation.create(database=None, schema="main", identifier="customers")
    out["columns"] = [[c.name for c in adapter.get_columns_in_relation(relation)] for _ in range(3)]

def worker(name, answers):
    with adapter.connection_named(name):
        for i in range(15):
            answers.append(adapter.execute_macro("dbtt_tagged", kwargs={"tag": f"{name}-{i}"}))

answers = {"a": [], "b": []}
threads = [threading.Thread(target=worker, args=(n, answers[n])) for n in answers]
for t in threads:
    t.start()
for t in threads:
    t.join()
out["threads"] = answers
print(json.dumps(out, default=str))
"""


def run(project: Project, install: bool) -> dict:
    (project.dir / "macros").mkdir(exist_ok=True)
    (project.dir / "macros" / "dbtt_probe.sql").write_text(MACROS)
    args = project.common_args()
    code = f"WARM_DIR = {str(WARM_DIR)!r}\nINSTALL = {install!r}\nARGS = {args!r}\n" + SCRIPT
    r = subprocess.run([str(DBT_PYTHON), "-c", code], capture_output=True, text=True, timeout=180, check=False, env=project.env)
    assert r.returncode == 0, r.stderr[-3000:]
    return json.loads(r.stdout.strip().splitlines()[-1])


def test_reused_macro_contexts_answer_as_fresh_ones(jaffle: Project) -> None:
    build = subprocess.run([str(DBT_PYTHON.parent / "dbt"), "build", "--exclude", "broken", *jaffle.common_args()], capture_output=True, text=True,
                           timeout=300, check=False, env=jaffle.env, cwd=jaffle.scratch)
    assert build.returncode == 0, build.stdout[-3000:]
    fresh = run(jaffle, install=False)
    reused = run(jaffle, install=True)
    assert fresh["sequence"] == ["one|unset", "two|set", "three|unset", "stored", "True|unset"]
    for key in ("sequence", "columns"):
        assert reused[key] == fresh[key]
    assert reused["columns"][0], "customers has columns"
    # Two macros called five times: dbt builds five contexts, the reuse two.
    assert fresh["built"] == 5
    assert reused["built"] == 2
    for name, answers in reused["threads"].items():
        assert answers == [f"{name}-{i}|unset" for i in range(15)]


def test_self_check_names_the_macro_context_target_that_is_gone() -> None:
    code = (f"import sys\nsys.path.insert(0, {str(WARM_DIR)!r})\nimport dbt_reach\n"
            "from dbt.adapters.base.impl import BaseAdapter\ndel BaseAdapter.set_macro_context_generator\ndbt_reach.self_check()")
    r = subprocess.run([str(DBT_PYTHON), "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert r.returncode == 1
    assert "lacks dbt.adapters.base.impl.BaseAdapter.set_macro_context_generator" in r.stderr
