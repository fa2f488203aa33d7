// Many runs, many workers, small budgets (real Temporal, dbt, PostgreSQL, DuckDB; plain dbt as
// the oracle): more concurrent runs than engines take turns and stay in their own schemas with
// dbt's statuses, parsing once per distinct env; three workers on one queue run every node of a
// run once; a memory budget holds engines back instead of being crossed.
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DbtRunInput } from '../../src/shared/contracts.js';
import { statusMap } from '../support/client.js';
import { runPlainDbt } from '../support/dbt-oracle.js';
import { useE2eWorker } from '../support/e2e-worker.js';
import { PARITY_MAIN } from '../support/parity-fixtures.js';
import { REPO_ROOT } from '../support/paths.js';
import { usePostgres } from '../support/use-postgres.js';
import type { WorkerProcess } from '../support/worker-process.js';
import { healthPort, httpGet } from './operations-support.js';

// Before the workers' hooks (one worker set-up per describe): Postgres outlives them all.
const pg = usePostgres();

/** Every sample of `name` (summed over its label sets) on the worker's /metrics. */
async function metric(worker: WorkerProcess, name: string): Promise<number> {
  const port = healthPort(worker.logs());
  const { body } = await httpGet(`http://127.0.0.1:${port}/metrics`);
  return body.split('\n').filter((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`))
    .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}

const SELECT = 'raw_orders stg_orders vars_model';
const TABLES = ['.landing_payments', '.raw_orders', '.run_audit', '.stg_orders', '.vars_model'];

async function oracle(target: string, label: string): Promise<Map<string, string>> {
  const env = pg.env(pg.freshSchema(`oracle_${target}`));
  const r = await runPlainDbt(PARITY_MAIN.dir, ['build', '--select', ...SELECT.split(' '), '--indirect-selection', 'empty', '--target', target, '--vars', JSON.stringify({ label })], env);
  return r.statuses;
}

describe('more concurrent runs than engines', () => {
  const e2e = useE2eWorker('turns', () => ({ DBT_PROJECT_DIRS: PARITY_MAIN.dir, WORKER_MAX_CONCURRENT_ACTIVITIES: '100', WORKER_MAX_ENGINES: '1', HEALTH_PORT: '0' }));

  it('serves four runs with different env, vars and targets on one engine, each in its own schema with plain dbt\'s statuses', async () => {
    const worker = e2e.worker;
    const runs = [0, 1, 2, 3].map((i) => ({ schema: pg.freshSchema(`turns_${i}`), target: i % 2 === 0 ? 'pg' : 'pg_alt', label: `label_${i}`, region: `region_${i}` }));
    const results = await Promise.all(runs.map((r) => e2e.run({
      project: 'parity_main', command: 'build', select: SELECT, indirect_selection: 'empty',
      target: r.target, vars: { label: r.label }, env: { ...pg.env(r.schema), PARITY_REGION: r.region },
    } satisfies DbtRunInput)));
    const expected = { pg: await oracle('pg', 'x'), pg_alt: await oracle('pg_alt', 'x') };
    for (const [i, res] of results.entries()) {
      const r = runs[i] as (typeof runs)[number];
      expect(res.ok, res.message ?? '').toBe(true);
      expect([...statusMap(res.output)].sort()).toEqual([...expected[r.target as 'pg' | 'pg_alt']].sort());
      const dump = await pg.dump(r.target === 'pg' ? r.schema : `${r.schema}_alt`);
      expect(Object.keys(dump).sort()).toEqual(TABLES);
      expect(new Set(dump['.stg_orders']?.map((row) => `${String(row[5])}/${String(row[6])}`))).toEqual(new Set([`${r.label}/${r.region}`]));
      expect(dump['.vars_model']).toEqual([[r.label, '5']]);
    }
    expect(await metric(worker, 'dbt_temporal_engine_processes_max')).toBe(1);
    // One parse per distinct (target, vars, env the parse read): four here, whichever engine
    // or turn served each run's plan and nodes; every context opened after its run's plan.
    expect(await metric(worker, 'dbt_temporal_engine_manifest_parses_total')).toBeLessThanOrEqual(4);
    expect(await metric(worker, 'dbt_temporal_engine_context_opens_total')).toBeGreaterThanOrEqual(4);
  }, 600_000);
});

describe('three workers on one task queue', () => {
  const queue = `three-${Date.now()}`;
  const e2e = useE2eWorker('three', () => ({ DBT_PROJECT_DIRS: PARITY_MAIN.dir, WORKER_MAX_CONCURRENT_ACTIVITIES: '4', TEMPORAL_TASK_QUEUE: queue }));
  beforeAll(async () => {
    await Promise.all([1, 2].map(() => e2e.startAnother(e2e.settings)));
  });

  it('runs every node of one run exactly once across the workers, with plain dbt\'s statuses', async () => {
    const schema = pg.freshSchema('three');
    const res = await e2e.client.run(queue, { project: 'parity_main', command: 'build', select: SELECT, indirect_selection: 'empty', target: 'pg', vars: { label: 'three' }, env: pg.env(schema) });
    expect(res.ok, res.message ?? '').toBe(true);
    expect([...statusMap(res.output)].sort()).toEqual([...(await oracle('pg', 'three'))].sort());
    const history = await e2e.client.client.workflow.getHandle(res.workflowId).fetchHistory();
    const scheduled = new Map<string, string>();
    const ranBy = new Map<string, string[]>();
    for (const e of history.events ?? []) {
      const s = e.activityTaskScheduledEventAttributes;
      if (s?.activityType?.name === 'execute_node') scheduled.set(String(e.eventId), s.activityId ?? '');
      const st = e.activityTaskStartedEventAttributes;
      const id = st ? scheduled.get(String(st.scheduledEventId)) : undefined;
      if (st && id) ranBy.set(id, [...(ranBy.get(id) ?? []), st.identity ?? '']);
    }
    // Project hooks (operation.*) are results of their own activity, not nodes.
    expect(ranBy.size).toBe(res.output?.node_results.filter((r) => !r.unique_id.startsWith('operation.')).length);
    for (const [id, by] of ranBy) expect(by, id).toHaveLength(1);
    expect(Object.keys(await pg.dump(schema)).sort()).toEqual(TABLES);
  }, 600_000);
});

describe('a worker under a memory budget', () => {
  const e2e = useE2eWorker('budget', () => ({
    DBT_PROJECT_DIRS: `${REPO_ROOT}test/fixtures/ctx_duck`,
    // Room for the worker and one engine (~450 MiB together), never for a second engine.
    WORKER_MAX_ENGINES: '4', WORKER_MEMORY_LIMIT: '480Mi', HEALTH_PORT: '0',
  }));

  it('starts no engine beyond WORKER_MEMORY_LIMIT and completes every run', async () => {
    const worker = e2e.worker;
    const scratch = e2e.scratch;
    let peakEngines = 0;
    let peakMb = 0;
    let limited = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        peakEngines = Math.max(peakEngines, await metric(worker, 'dbt_temporal_engine_processes'));
        const mb = ((await metric(worker, 'dbt_temporal_engine_resident_memory_bytes')) + (await metric(worker, 'process_resident_memory_bytes'))) / 1048576;
        peakMb = Math.max(peakMb, mb);
        limited = Math.max(limited, await metric(worker, 'dbt_temporal_engine_memory_limited'));
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
    const results = await Promise.all([0, 1, 2].map((i) => e2e.run({
      target: 'envpath', vars: { color: `c${i}` }, env: { CTX_DUCKDB_PATH: join(scratch, `budget-${i}.duckdb`), SHADE: `s${i}` },
    })));
    sampling = false;
    await sampler;
    for (const r of results) expect(r.ok, r.message ?? '').toBe(true);
    expect(await metric(worker, 'dbt_temporal_engine_memory_limit_bytes')).toBe(480 * 1048576);
    expect(peakEngines).toBe(1);
    expect(limited).toBe(1);
    expect(peakMb).toBeLessThanOrEqual(480);
  }, 600_000);
});
