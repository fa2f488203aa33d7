"""An engine collects its garbage in its idle time (engine.py collect_when_idle): after a closed
context or a finished invocation, once nothing came in for a while; never when a request came
meanwhile or a context is open (a waiting run's context pays nothing for it). The first such
collection freezes what survived it, once."""
import json
import subprocess

from support import DBT_PYTHON, WARM_DIR

CODE = f"""
import io, json, sys, time
sys.dont_write_bytecode = True
sys.path.insert(0, {str(WARM_DIR)!r})
import engine
calls = []
engine.gc.collect = lambda *a: calls.append(1) or 0
frozen = []
engine.gc.freeze = lambda: frozen.append(len(calls))
engine.IDLE_COLLECT_S = 0.05
e = engine.Engine(io.StringIO())
seen = []
e.collect_when_idle(); time.sleep(0.3); seen.append(len(calls))            # idle: collects
e.collect_when_idle(); e.requests += 1; time.sleep(0.3); seen.append(len(calls))  # a request came
e.context = object(); e.collect_when_idle(); time.sleep(0.3); seen.append(len(calls))  # a context is open
e.context = None; e.invoking = 1; e.collect_when_idle(); time.sleep(0.3); seen.append(len(calls))  # an invocation runs
e.invoking = 0; e.collect_when_idle(); time.sleep(0.3); seen.append(len(calls))  # idle again: collects
print(json.dumps({{"seen": seen, "frozen": frozen}}))
"""


def test_an_engine_collects_only_when_it_stayed_idle() -> None:
    r = subprocess.run([str(DBT_PYTHON), "-c", CODE], capture_output=True, text=True, timeout=180, check=False)
    assert r.returncode == 0, r.stdout + r.stderr
    got = json.loads(r.stdout.strip().splitlines()[-1])
    assert got["seen"] == [1, 1, 1, 1, 2]
    # The first idle collection also freezes what survived it (the engine's long-lived state),
    # once: later ones only collect.
    assert got["frozen"] == [1]
