// A warm engine keeps one manifest per key across invocations and puts back what each
// invocation changed (compiled nodes, ephemeral CTEs, replaced maps). The engine's self-check
// compares the restored manifest with a fresh copy of the parse after every invocation.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../support/paths.js';

// Builds every node of the fixture one by one (dependency order) on one engine, like a run.
const SCRIPT = `
import importlib.util, json, os, sys
spec = importlib.util.spec_from_file_location("engine", sys.argv[1])
engine = importlib.util.module_from_spec(spec); spec.loader.exec_module(engine)
project, scratch = sys.argv[2], sys.argv[3]
common = ["--project-dir", project, "--profiles-dir", project, "--target-path", scratch + "/t", "--log-path", scratch + "/l"]
eng = engine.Engine(open(os.devnull, "w"))
base = {"key": "k", "parse_args": ["--quiet", "parse", *common, "--no-write-json"], "env": dict(os.environ), "cwd": scratch}
live = None
def run(i, selector, command="build", extra=(), env=None):
    req = dict(base, id=i, args=["--quiet", command, *common, "--select", selector, "--cache-selected-only", "--indirect-selection", "empty", *extra])
    if env: req["env"] = dict(base["env"], **env)
    out = eng.handle(req)
    return {"selector": selector, "success": out.get("success"), "diff": out.get("restore_differences")}

# What the project's on-run-start hook would have created (node invocations run no hooks).
import duckdb
db = duckdb.connect(os.environ["PARITY_DUCKDB_PATH"])
db.execute("create table landing_payments as select 1 as payment_id, 1 as order_id, 10 as amount, "
           "cast('2026-01-10 00:00:00' as timestamp) as loaded_at")
db.execute("create table run_audit (event varchar(20), node varchar(300), status varchar(40))")
db.close()
out = {"runs": []}
first = run(0, "raw_customers")
live = eng.manifests["k"]
m = live.manifest
order, done = [], set()
ids = [u for u, n in m.nodes.items() if n.resource_type.value in ("seed", "model", "snapshot", "test") and not n.is_ephemeral_model]
while len(order) < len(ids):
    for u in ids:
        if u not in done and all(d in done or d not in ids for d in getattr(m.nodes[u].depends_on, "nodes", [])):
            order.append(u); done.add(u)
out["runs"].append(first)
for i, uid in enumerate(order, start=1):
    node = m.nodes[uid]
    out["runs"].append(run(i, node.unique_id.split(".", 2)[2] if node.resource_type.value != "test" else node.name))
out["runs"].append(run(900, "customer_revenue", command="test", extra=()))
# Deferral rewrites every node: it runs on a fresh copy and leaves the live manifest alone.
os.makedirs(scratch + "/state", exist_ok=True)
m.writable_manifest().write(scratch + "/state/manifest.json")
out["runs"].append(run(901, "orders_enriched", extra=("--defer", "--state", scratch + "/state")))
# Control: without the restore, the self-check sees the compiled node and its ephemeral parent.
engine.VERIFY_RESTORE = False
run(902, "orders_enriched")
eng.pending = None
out["control"] = sorted(live.differences())
out["ephemeral"] = sorted(live.always)
print(json.dumps(out))
`;

describe('warm engine live manifest', () => {
  it('is back to its parsed state after every node of a build', async () => {
    const scratch = await mkdtemp(join(tmpdir(), 'live-manifest-'));
    try {
      const r = await execa(`${REPO_ROOT}.venv/bin/python`, ['-c', SCRIPT, `${REPO_ROOT}src/executor/warm/engine.py`, `${REPO_ROOT}test/fixtures/parity_main`, scratch], {
        cwd: scratch,
        env: { PARITY_DUCKDB_PATH: join(scratch, 'w.duckdb'), DBT_SEND_ANONYMOUS_USAGE_STATS: 'false', DBT_TEMPORAL_ENGINE_VERIFY_RESTORE: '1' },
        reject: false,
      });
      expect(r.exitCode, String(r.stderr).slice(-3000)).toBe(0);
      const out = JSON.parse(String(r.stdout).trim().split('\n').pop() as string) as {
        runs: { selector: string; success: boolean; diff: string[] | null }[]; control: string[]; ephemeral: string[];
      };
      expect(out.runs.length).toBeGreaterThan(15);
      for (const run of out.runs) expect(run.diff, run.selector).toEqual([]);
      // The build really ran: seeds, models, snapshot and tests succeeded on the restored manifest.
      expect(out.runs.filter((run) => !run.success).map((run) => run.selector)).toEqual([]);
      expect(out.ephemeral).toEqual(expect.arrayContaining(['model.parity_main.int_orders_doubled']));
      expect(out.control).toEqual(expect.arrayContaining(['nodes.model.parity_main.orders_enriched', 'nodes.model.parity_main.int_orders_doubled']));
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }, 240_000);
});
