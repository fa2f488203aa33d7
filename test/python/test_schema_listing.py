"""A run context's lookups of a schema its (emptied) relation cache does not hold: dbt lists the
schema and adds what it finds outside the cache's lock, so a listing that another thread started
before a swap's first rename lands in the cache after it, putting back the name the swap just
renamed away; the swap's second rename then fails ("Cache inconsistency detected"). With the
fence's reach-in (dbt_reach_cache.py) a listing holds the cache's lock, and a lookup that waited
for it reads the cache."""
from support import fence_code, run_json

CODE = fence_code("install_atomic_schema_listing", """
from dbt.adapters.base.impl import BaseAdapter
from dbt.adapters.base.relation import BaseRelation
from dbt.adapters.cache import RelationsCache

def rel(name):
    return BaseRelation.create(database="db", schema="s", identifier=name, type="table")

class Adapter:
    # What BaseAdapter.list_relations reads of its adapter (defined after the install: it takes
    # BaseAdapter's list_relations as it is then).
    Relation = BaseRelation
    _schema_is_cached = BaseAdapter._schema_is_cached
    list_relations = BaseAdapter.list_relations

    def __init__(self):
        self.cache = RelationsCache()  # a context's emptied cache (a resume, a retried node)
        self.config = types.SimpleNamespace(quoting={})
        self.lists = 0

    def nice_connection_name(self):
        return "master"

    def list_relations_without_caching(self, schema_relation):
        self.lists += 1
        return [rel("orders"), rel("customers")]  # the committed state other connections see

import threading
b_listing, a_renamed = threading.Event(), threading.Event()

class Racing(Adapter):
    def list_relations_without_caching(self, schema_relation):
        # Thread B's query runs while thread A looks up and renames (A's transaction is not
        # committed: B sees the committed state).
        if threading.current_thread().name == "B":
            b_listing.set()
            a_renamed.wait(0.5)
        return super().list_relations_without_caching(schema_relation)

a = Racing()  # a context's emptied cache (a resume, a retried node)
found = []

def thread_a():
    # A full refresh of orders: looks its relation up, then renames it to its backup.
    b_listing.wait(5)
    found.extend(sorted(r.identifier for r in a.list_relations("db", "s")))
    a.cache.rename(rel("orders"), rel("orders__dbt_backup"))
    a_renamed.set()

threads = [threading.Thread(target=lambda: a.list_relations("db", "s"), name="B"), threading.Thread(target=thread_a, name="A")]
for t in threads:
    t.start()
for t in threads:
    t.join(10)
# Thread A's second rename of the swap.
try:
    a.cache.rename(rel("orders__dbt_tmp"), rel("orders"))
    error = None
except Exception as err:
    error = str(err)[:120]
print(json.dumps({"found": found, "lists": a.lists, "error": error, "cached": sorted(k.identifier for k in a.cache.relations)}))
""")


def run(*args: str) -> dict[str, object]:
    out: dict[str, object] = run_json(CODE, *args)
    return out


def test_dbts_own_lookup_lists_again_and_breaks_a_concurrent_swap() -> None:
    out = run()
    assert out["found"] == ["customers", "orders"]
    assert out["lists"] == 2
    assert "Cache inconsistency detected" in str(out["error"])


def test_a_listed_schema_is_held_so_a_concurrent_swap_completes() -> None:
    out = run("installed")
    assert out["found"] == ["customers", "orders"]
    assert out["lists"] == 1
    assert out["error"] is None
    assert out["cached"] == ["customers", "orders", "orders__dbt_backup"]
