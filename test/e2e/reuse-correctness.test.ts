// Reuse's correctness rule (docs/reuse.md), table-driven on DuckDB and Postgres: after each
// edit (model SQL, a comment, source rows with and without loaded_at_field, a var, a failing
// parent and its fix, a deleted node), a `reuse: true` build rebuilds exactly what changed, and
// the warehouse equals plain `dbt build` from scratch (a fresh database) table by table.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { JsonValue } from '../../src/shared/contracts.js';
import { useE2eWorker } from '../support/e2e-worker.js';
import { runDbtArgs } from '../support/parity-oracle.js';
import { usePostgres } from '../support/use-postgres.js';
import { INITIAL_RAW, copyFixture, duckWarehouse, editModel, pgWarehouse } from '../support/reuse-fixture.js';
import type { RawData, ReuseWarehouse } from '../support/reuse-fixture.js';
import type { WorkerProcess } from '../support/worker-process.js';
import { rmSync } from 'node:fs';

// Before the worker's hooks, so it is up before the worker starts and closed after it stops.
const pg = usePostgres();

// The worker serves a copy of the fixture that the steps edit (restarted after each code edit).
const projectIn = (scratch: string): string => join(scratch, 'project');
const e2e = useE2eWorker('reuse-rule', async (scratch) => {
  await copyFixture(projectIn(scratch));
  return { DBT_PROJECT_DIRS: projectIn(scratch), WRITE_ARTIFACTS: 'true', ARTIFACT_STORE: join(scratch, 'store') };
});

const MODELS = ['stg_orders', 'stg_customers', 'orders_by_customer', 'region_totals', 'big_customers', 'leaf_report'];
const BELOW_OBC = ['orders_by_customer', 'region_totals', 'big_customers', 'leaf_report'];

interface Step {
  name: string;
  /** Edits the project copy (the worker then re-reads the project). */
  edit?: (dir: string) => Promise<void>;
  /** Rows the raw tables gain (inserted outside dbt). */
  rows?: Partial<RawData>;
  vars?: Record<string, JsonValue>;
  /** Models (by name) the reuse run executes; every other model of the plan is reused. */
  built: string[];
  ok?: boolean;
}

const NEWER_ORDER = "(5, 2, 9, '2024-02-01 00:00:00')";
const NEW_CUSTOMER = "(4, 'dee', 's')";
const BROKEN = 'sum(o.no_such_column)';

// Edits that need a new worker (code) are paired with data edits where the expected sets stay
// telling, to keep the worker restarts (a deploy each) few.
const STEPS: Step[] = [
  { name: 'first build', built: [...MODELS, 'regions'] },
  { name: 'nothing changed', built: [] },
  {
    name: 'a comment changed, and a source with loaded_at_field gains rows',
    edit: (d) => editModel(d, 'stg_customers', '-- customers as loaded', '-- customers, as the loader wrote them\n/* reformatted */'),
    rows: { orders: [NEWER_ORDER] }, built: ['stg_orders', ...BELOW_OBC],
  },
  { name: 'model SQL changed', edit: (d) => editModel(d, 'stg_customers', 'select id, name,', 'select id, upper(name) as name,'), built: ['stg_customers', ...BELOW_OBC] },
  { name: 'a source without loaded_at_field gains rows', rows: { customers: [NEW_CUSTOMER] }, built: ['stg_customers', ...BELOW_OBC] },
  { name: 'a var changed', vars: { multiplier: 2 }, built: BELOW_OBC },
  { name: 'a parent fails', vars: { multiplier: 2 }, edit: (d) => editModel(d, 'orders_by_customer', 'sum(o.amount)', BROKEN), built: ['orders_by_customer'], ok: false },
  {
    name: 'the parent is fixed, and a node is deleted', vars: { multiplier: 2 },
    edit: async (d) => {
      await editModel(d, 'orders_by_customer', BROKEN, 'sum(o.amount)');
      rmSync(join(d, 'models', 'leaf_report.sql'));
    },
    built: [],
  },
];

interface Side {
  target: 'duck' | 'pg';
  ours: ReuseWarehouse;
  oracle: (step: number) => ReuseWarehouse;
}

/** One step on one warehouse: the reuse run and plain dbt from scratch, then the comparison. */
async function runStep(worker: WorkerProcess, dir: string, side: Side, i: number, step: Step, raw: RawData): Promise<void> {
  const label = `${side.target} step ${i} (${step.name})`;
  for (const table of ['orders', 'customers'] as const) {
    const added = step.rows?.[table] ?? [];
    if (added.length > 0) await side.ours.exec([`insert into ${side.ours.rawSchema}.${table} values ${added.join(', ')}`]);
  }
  const oracle = side.oracle(i);
  await oracle.load(raw);
  const vars = step.vars ? ['--vars', JSON.stringify(step.vars)] : [];
  const [run, plain] = await Promise.all([
    e2e.client.run(worker.taskQueue, { project: 'reuse_proj', target: side.target, reuse: true, ...(step.vars ? { vars: step.vars } : {}), env: side.ours.env }),
    runDbtArgs(dir, ['build', '--target', side.target, ...vars], oracle.env),
  ]);
  expect(run.output, `${label}: ${run.message ?? ''}`).not.toBeNull();
  expect({ label, ok: run.ok, plainDbtOk: plain.exitCode === 0 }).toEqual({ label, ok: step.ok ?? true, plainDbtOk: step.ok ?? true });
  const results = run.output?.node_results ?? [];
  const executed = results.filter((r) => r.status !== 'no-op' && r.status !== 'skipped' && /^(model|seed)\./.test(r.unique_id)).map((r) => r.unique_id.split('.').pop()).sort();
  expect({ label, executed }).toEqual({ label, executed: [...step.built].sort() });
  for (const r of results.filter((x) => x.status === 'no-op')) expect(r.message, label).toMatch(/^reused from \S+/);
  // The warehouse equals plain dbt's from scratch, on every relation plain dbt built.
  const [mine, theirs] = await Promise.all([side.ours.dump(), oracle.dump()]);
  const compared = Object.fromEntries(Object.keys(theirs).map((k) => [k, mine[k]]));
  expect({ label, tables: compared }).toEqual({ label, tables: theirs });
}

describe('reuse: the warehouse after a reuse run equals plain dbt build from scratch', () => {
  it('on DuckDB and Postgres, through every kind of edit', async () => {
    const dir = projectIn(e2e.scratch);
    const sides: Side[] = [
      { target: 'duck', ours: duckWarehouse(join(e2e.scratch, 'ours.duckdb')), oracle: (i) => duckWarehouse(join(e2e.scratch, `oracle-${i}.duckdb`)) },
      { target: 'pg', ours: pgWarehouse(pg, pg.freshSchema('rz_ours')), oracle: (i) => pgWarehouse(pg, pg.freshSchema(`rz_or${i}`)) },
    ];
    const raw: RawData = { orders: [...INITIAL_RAW.orders], customers: [...INITIAL_RAW.customers] };
    await Promise.all(sides.map((side) => side.ours.load(raw)));
    for (const [i, step] of STEPS.entries()) {
      // A code edit reaches a worker when it starts (it parses its projects once), as in a deploy.
      if (step.edit) {
        await step.edit(dir);
        await e2e.restart();
      }
      for (const table of ['orders', 'customers'] as const) raw[table].push(...(step.rows?.[table] ?? []));
      const w = e2e.worker;
      await Promise.all(sides.map((side) => runStep(w, dir, side, i, step, raw)));
    }
  }, 1_200_000);
});
