// Reuse (docs/reuse.md) on one worker: a second run of an unchanged project rebuilds nothing
// (every node reported `no-op` "reused from <first run>"), a plan preview says what would be
// built and why without building, a run without reuse invalidates what it rebuilt, and
// `full_refresh` ignores the state. The plan's warehouse probe starts with its `dbt ls` when the
// last plan of its key probed what the run needs, and after it, deciding the same, when not.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { useE2eWorker } from '../support/e2e-worker.js';
import { runCli } from '../support/worker-process.js';
import { dumpDuckDbFile } from '../support/duckdb-dump.js';
import { runDbtArgs } from '../support/parity-oracle.js';
import { INITIAL_RAW, REUSE_FIXTURE, duckWarehouse } from '../support/reuse-fixture.js';
import type { ReuseWarehouse } from '../support/reuse-fixture.js';
import type { ExecutionPlan } from '../../src/shared/plan.js';
import { unpackPlan } from '../../src/shared/plan-pack.js';
import type { ExecuteNodeInput } from '../../src/shared/node-contract.js';

let wh: ReuseWarehouse;

const e2e = useE2eWorker('reuse', async (scratch) => {
  wh = duckWarehouse(join(scratch, 'wh.duckdb'));
  await wh.load(INITIAL_RAW);
  return { DBT_PROJECT_DIRS: REUSE_FIXTURE, WRITE_ARTIFACTS: 'true', ARTIFACT_STORE: join(scratch, 'store') };
});

const run = (input: Record<string, unknown>) => e2e.run({ project: 'reuse_proj', env: wh.env, ...input });
const statuses = (r: Awaited<ReturnType<typeof run>>) => new Map((r.output?.node_results ?? []).map((n) => [n.unique_id, n.status]));

/** The attributes of the run's 'reuse plan decided' log line (the worker's output may reach us after the run's result). */
async function planLog(r: Awaited<ReturnType<typeof run>>): Promise<Record<string, unknown>> {
  const ofRun = (): string[] => e2e.worker.logs().split('\n').filter((l) => l.includes('reuse plan decided') && l.includes(`"workflowId":"${r.workflowId}"`));
  for (let waited = 0; ofRun().length === 0 && waited < 5_000; waited += 50) await new Promise((wake) => setTimeout(wake, 50));
  const lines = ofRun();
  expect(lines.length, `one plan log line of ${r.workflowId}`).toBe(1);
  return JSON.parse(lines[0] as string) as Record<string, unknown>;
}

/** The run's plan (plan_project's result) and its node activities' inputs, as its history holds them. */
async function planAndNodeInputs(workflowId: string): Promise<{ plan: ExecutionPlan; nodeInputs: ExecuteNodeInput[] }> {
  const history = await e2e.client.client.workflow.getHandle(workflowId).fetchHistory();
  const decode = (p: { data?: Uint8Array | null } | undefined): unknown => JSON.parse(Buffer.from(p?.data ?? new Uint8Array()).toString('utf8'));
  const scheduled = new Map<string, string>();
  let plan: ExecutionPlan | null = null;
  const nodeInputs: ExecuteNodeInput[] = [];
  for (const e of history.events ?? []) {
    const s = e.activityTaskScheduledEventAttributes;
    if (s) scheduled.set(String(e.eventId), s.activityType?.name ?? '');
    if (s?.activityType?.name === 'execute_node') nodeInputs.push(decode(s.input?.payloads?.[0]) as ExecuteNodeInput);
    const done = e.activityTaskCompletedEventAttributes;
    if (done && scheduled.get(String(done.scheduledEventId)) === 'plan_project') {
      const sent = decode(done.result?.payloads?.[0]) as ExecutionPlan;
      expect(sent.packed_nodes, 'the plan travels packed').toBeDefined();
      plan = unpackPlan(sent);
    }
  }
  if (!plan) throw new Error(`no plan_project result in ${workflowId}'s history`);
  return { plan, nodeInputs };
}

/** Models and seeds the run executed (not reused), by name. */
const executed = (r: Awaited<ReturnType<typeof run>>): string[] =>
  (r.output?.node_results ?? []).filter((n) => n.status !== 'no-op' && /^(model|seed)\./.test(n.unique_id)).map((n) => n.unique_id.split('.').pop() as string).sort();

describe('reuse on one worker', () => {
  it('reuses every node of an unchanged project, says so in a plan preview, and rebuilds after a run without reuse', async () => {
    const first = await run({ reuse: true });
    expect(first.ok, first.message ?? '').toBe(true);
    expect([...statuses(first).values()].filter((s) => s === 'no-op')).toEqual([]);
    const before = await wh.dump();
    // What the builds record stays out of Temporal's history: one file of the run's holds it.
    const { plan, nodeInputs } = await planAndNodeInputs(first.workflowId);
    expect(plan.reuse_records).toBe(join(e2e.scratch, 'store', first.output?.invocation_id ?? '', 'reuse-records.json'));
    expect(JSON.stringify(plan.nodes)).not.toMatch(/"parts"|"fp"/);
    expect(nodeInputs.length).toBeGreaterThan(0);
    for (const input of nodeInputs) expect(input).toMatchObject({ reuse_records: plan.reuse_records });
    expect(nodeInputs.some((input) => 'reuse_record' in input)).toBe(false);
    const recorded = JSON.parse(await readFile(plan.reuse_records ?? '', 'utf8')) as Record<string, { parts: Record<string, string> }>;
    expect(Object.keys(recorded).sort()).toEqual(nodeInputs.map((input) => input.unique_id).sort());

    // Nothing changed: nothing runs, every node says where its result comes from.
    const second = await run({ reuse: true });
    expect(second.ok, second.message ?? '').toBe(true);
    const results = second.output?.node_results ?? [];
    expect(results.length).toBe(first.output?.node_results.length);
    for (const r of results) expect({ id: r.unique_id, status: r.status, message: r.message }).toEqual({ id: r.unique_id, status: 'no-op', message: `reused from ${first.output?.invocation_id ?? ''}` });
    expect(await wh.dump()).toEqual(before);

    // The preview, through the CLI: a var the middle model uses would rebuild it and its children.
    const cli = await runCli(['run', 'build', '--project', 'reuse_proj', '--plan', '--reuse', '--vars', '{multiplier: 3}', ...Object.entries(wh.env).flatMap(([k, v]) => ['--env', `${k}=${v}`]), '--task-queue', e2e.worker.taskQueue],
      { ...process.env, TEMPORAL_ADDRESS: inject('temporalAddress') });
    expect(cli.exitCode, cli.stderr).toBe(0);
    expect(cli.stdout).toMatch(/BUILD\s+model\.reuse_proj\.orders_by_customer\s+changed: sql, vars_env/);
    expect(cli.stdout).toMatch(/BUILD\s+model\.reuse_proj\.big_customers\s+parent model\.reuse_proj\.orders_by_customer is rebuilt/);
    expect(cli.stdout).toMatch(/REUSE\s+model\.reuse_proj\.stg_orders\s+unchanged since/);
    expect(cli.stdout).toContain('Plan: 5 to build, 4 to reuse (nothing was built)');
    expect(await wh.dump(), 'a plan builds nothing').toEqual(before);

    // A run without reuse rebuilds, and invalidates: the next reuse run builds again, then reuses.
    const plain = await run({});
    expect([...statuses(plain).values()].includes('no-op')).toBe(false);
    const afterPlain = await run({ reuse: true, plan_only: true });
    expect(afterPlain.output?.plan?.every((e) => e.action === 'build' && /without reuse|parent .* is rebuilt/.test(e.reason)), JSON.stringify(afterPlain.output?.plan)).toBe(true);
    const refreshed = await run({ reuse: true, full_refresh: true });
    expect([...statuses(refreshed).values()].includes('no-op')).toBe(false);
    const again = await run({ reuse: true });
    expect([...statuses(again).values()].every((s) => s === 'no-op')).toBe(true);
  });

  it('probes while the plan lists what the last plan of its key probed, and after the list, deciding the same, when that does not cover the run', async () => {
    // Unchanged project: the second plan takes the probe started with its ls.
    const warm = await run({ reuse: true });
    expect(warm.ok, warm.message ?? '').toBe(true);
    const again = await run({ reuse: true });
    expect([...statuses(again).values()].every((s) => s === 'no-op')).toBe(true);
    expect(await planLog(again)).toMatchObject({ speculated: 1, speculative: 1 });

    // The env puts the models in another schema and reads the sources from another: a new key,
    // so its first plan has nothing to speculate on (and builds everything).
    await wh.exec(['create schema raw2', 'create table raw2.orders as select * from raw.orders', 'create table raw2.customers as select * from raw.customers']);
    const moved = { ...wh.env, REUSE_SCHEMA: 'alt', REUSE_RAW_SCHEMA: 'raw2' };
    const first = await run({ reuse: true, env: moved });
    expect(first.ok, first.message ?? '').toBe(true);
    expect(executed(first)).toEqual(['big_customers', 'leaf_report', 'orders_by_customer', 'region_totals', 'regions', 'stg_customers', 'stg_orders']);
    expect(await planLog(first)).toMatchObject({ speculated: 0, speculative: 0 });
    // A customer arrives: the next plan's speculative probe reads it, and rebuilds what it feeds.
    const NEW_CUSTOMER = "(4, 'dee', 's')";
    await wh.exec([`insert into raw2.customers values ${NEW_CUSTOMER}`]);
    const second = await run({ reuse: true, env: moved });
    expect(second.ok, second.message ?? '').toBe(true);
    expect(executed(second)).toEqual(['big_customers', 'leaf_report', 'orders_by_customer', 'region_totals', 'stg_customers']);
    expect(await planLog(second)).toMatchObject({ speculated: 1, speculative: 1 });
    // Its plan asked the run's scope presence (the run waited for the grant without asking).
    expect((await planAndNodeInputs(second.workflowId)).plan.coordination?.presence_asked).toBe(true);
    // A narrower run, then the whole project, under another key: the narrow plan's probe does
    // not cover the whole project's, so that plan probes after its ls, and reuses everything.
    const narrow = await run({ reuse: true, env: { ...moved, OTHER_KEY: '1' }, select: 'stg_orders' });
    expect(narrow.ok, narrow.message ?? '').toBe(true);
    const whole = await run({ reuse: true, env: { ...moved, OTHER_KEY: '1' } });
    expect(whole.ok, whole.message ?? '').toBe(true);
    expect(await planLog(whole)).toMatchObject({ speculated: 1, speculative: 0 });
    expect(executed(whole)).toEqual([]);

    // The moved relations equal plain dbt's on the same data.
    const oracle = duckWarehouse(join(e2e.scratch, 'oracle.duckdb'));
    await oracle.load({ orders: INITIAL_RAW.orders, customers: [...INITIAL_RAW.customers, NEW_CUSTOMER] });
    const plain = await runDbtArgs(REUSE_FIXTURE, ['build', '--target', 'duck'], oracle.env);
    expect(plain.exitCode, plain.stdout).toBe(0);
    const alt = Object.entries(await dumpDuckDbFile(join(e2e.scratch, 'wh.duckdb'))).filter(([k]) => k.startsWith('alt.')).map(([k, rows]) => [k.replace(/^alt\./, 'main.'), rows]);
    expect(Object.fromEntries(alt)).toEqual(await oracle.dump());
  });
});
