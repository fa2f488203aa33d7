// Reuse's correctness rule (docs/reuse.md), table-driven on DuckDB and Postgres: after each
// edit (model SQL, a comment, source rows with and without loaded_at_field, a var, a failing
// parent and its fix, a deleted node), a `reuse: true` build rebuilds exactly what changed, and
// the warehouse equals plain `dbt build` from scratch (a fresh database) table by table.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { JsonValue } from '../../src/shared/contracts.js';
import { connectClient } from '../support/client.js';
import type { TestClient } from '../support/client.js';
import { runDbtArgs } from '../support/parity-oracle.js';
import { startPostgres } from '../support/postgres.js';
import type { PgServer } from '../support/postgres.js';
import { INITIAL_RAW, copyFixture, duckWarehouse, editModel, pgWarehouse } from '../support/reuse-fixture.js';
import type { RawData, ReuseWarehouse } from '../support/reuse-fixture.js';
import { startWorker } from '../support/worker-process.js';
import type { WorkerProcess } from '../support/worker-process.js';
import { rmSync } from 'node:fs';

let scratch: string;
let client: TestClient;
let pg: PgServer;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'reuse-rule-'));
  [client, pg] = await Promise.all([connectClient(inject('temporalAddress')), startPostgres()]);
});

afterAll(async () => {
  await client?.close();
  await pg?.close();
  await rm(scratch, { recursive: true, force: true });
});

const MODELS = ['stg_orders', 'stg_customers', 'orders_by_customer', 'region_totals', 'big_customers', 'leaf_report'];
const BELOW_OBC = ['orders_by_customer', 'region_totals', 'big_customers', 'leaf_report'];

interface Step {
  name: string;
  /** Edits the project copy (code) or the raw data; returns whether the worker must re-read the project. */
  edit?: (dir: string, raw: RawData) => Promise<boolean>;
  vars?: Record<string, JsonValue>;
  /** Models (by name) the reuse run executes; every other model of the plan is reused. */
  built: string[];
  ok?: boolean;
}

const NEWER_ORDER = "(5, 2, 9, '2024-02-01 00:00:00')";
const NEW_CUSTOMER = "(4, 'dee', 's')";
const BROKEN = 'sum(o.no_such_column)';

const STEPS: Step[] = [
  { name: 'first build', built: [...MODELS, 'regions'] },
  { name: 'nothing changed', built: [] },
  { name: 'a comment changed', edit: async (d) => (await editModel(d, 'stg_customers', '-- customers as loaded', '-- customers, as the loader wrote them\n/* reformatted */'), true), built: [] },
  { name: 'model SQL changed', edit: async (d) => (await editModel(d, 'stg_customers', 'select id, name,', 'select id, upper(name) as name,'), true), built: ['stg_customers', ...BELOW_OBC] },
  { name: 'a source with loaded_at_field gains rows', edit: async (_d, raw) => (raw.orders.push(NEWER_ORDER), false), built: ['stg_orders', ...BELOW_OBC] },
  { name: 'a source without loaded_at_field gains rows', edit: async (_d, raw) => (raw.customers.push(NEW_CUSTOMER), false), built: ['stg_customers', ...BELOW_OBC] },
  { name: 'a var changed', vars: { multiplier: 2 }, built: BELOW_OBC },
  { name: 'a parent fails', vars: { multiplier: 2 }, edit: async (d) => (await editModel(d, 'orders_by_customer', 'sum(o.amount)', BROKEN), true), built: ['orders_by_customer'], ok: false },
  { name: 'the parent is fixed', vars: { multiplier: 2 }, edit: async (d) => (await editModel(d, 'orders_by_customer', BROKEN, 'sum(o.amount)'), true), built: [] },
  { name: 'a node is deleted', vars: { multiplier: 2 }, edit: async (d) => (rmSync(join(d, 'models', 'leaf_report.sql')), true), built: [] },
];

async function runTable(side: 'duck' | 'pg'): Promise<void> {
  const dir = join(scratch, `project-${side}`);
  await copyFixture(dir);
  const store = join(scratch, `store-${side}`);
  const ours: ReuseWarehouse = side === 'duck' ? duckWarehouse(join(scratch, 'ours.duckdb')) : pgWarehouse(pg, pg.freshSchema('rz_ours'));
  const raw: RawData = { orders: [...INITIAL_RAW.orders], customers: [...INITIAL_RAW.customers] };
  let worker: WorkerProcess | null = null;
  const start = () => startWorker({ ...(process.env as Record<string, string>), TEMPORAL_ADDRESS: inject('temporalAddress'), DBT_PROJECT_DIRS: dir, WRITE_ARTIFACTS: 'true', ARTIFACT_STORE: store });
  try {
    await ours.load(raw);
    for (const [i, step] of STEPS.entries()) {
      const label = `${side} step ${i} (${step.name})`;
      const reread = step.edit ? await step.edit(dir, raw) : false;
      if (reread || worker === null) {
        await worker?.stop();
        worker = await start();
      }
      if (step.edit && !reread) await ours.load(raw);
      const oracle: ReuseWarehouse = side === 'duck' ? duckWarehouse(join(scratch, `oracle-${i}.duckdb`)) : pgWarehouse(pg, pg.freshSchema(`rz_or${i}`));
      await oracle.load(raw);
      const [run, plain] = await Promise.all([
        client.run(worker.taskQueue, { project: 'reuse_proj', target: side, reuse: true, ...(step.vars ? { vars: step.vars } : {}), env: ours.env }),
        runDbtArgs(dir, ['build', '--target', side, ...(step.vars ? ['--vars', JSON.stringify(step.vars)] : [])], oracle.env),
      ]);
      expect(run.output, `${label}: ${run.message ?? ''}`).not.toBeNull();
      expect({ label, ok: run.ok }).toEqual({ label, ok: step.ok ?? true });
      expect({ label, ok: plain.exitCode === 0 }).toEqual({ label, ok: step.ok ?? true });
      const results = run.output?.node_results ?? [];
      const executed = results.filter((r) => r.status !== 'no-op' && r.status !== 'skipped' && /^(model|seed)\./.test(r.unique_id)).map((r) => r.unique_id.split('.').pop()).sort();
      expect({ label, executed }).toEqual({ label, executed: [...step.built].sort() });
      for (const r of results.filter((x) => x.status === 'no-op')) expect(r.message, label).toMatch(/^reused from \S+/);
      // The warehouse equals plain dbt's from scratch, on every relation plain dbt built.
      const [mine, theirs] = await Promise.all([ours.dump(), oracle.dump()]);
      const compared = Object.fromEntries(Object.keys(theirs).map((k) => [k, mine[k]]));
      expect({ label, tables: compared }).toEqual({ label, tables: theirs });
    }
  } finally {
    await worker?.stop();
  }
}

describe('reuse: the warehouse after a reuse run equals plain dbt build from scratch', () => {
  it('on DuckDB, through every kind of edit', async () => {
    await runTable('duck');
  }, 900_000);

  it('on Postgres, through every kind of edit', async () => {
    await runTable('pg');
  }, 900_000);
});
