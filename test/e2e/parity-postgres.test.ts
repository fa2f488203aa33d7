// Parity on PostgreSQL (a real server started by the test): the parity fixtures through
// dbt-temporal and through plain dbt, each side in its own fresh schemas of one database; and two
// concurrent runs with different env, vars and target that must stay in their own schemas.
import { describe, expect, it } from 'vitest';
import type { DbtRunInput } from '../../src/shared/contracts.js';
import { useE2eWorker } from '../support/e2e-worker.js';
import { PARITY_FAILING, PARITY_MAIN, parityWorkerEnv } from '../support/parity-fixtures.js';
import { runParitySteps } from '../support/parity-steps.js';
import type { ParityProject, ParitySide } from '../support/parity-steps.js';
import { usePostgres } from '../support/use-postgres.js';

// Before the worker's hooks, so it is up before the worker starts and closed after it stops.
const pg = usePostgres();

const e2e = useE2eWorker('parity-pg', () => parityWorkerEnv([PARITY_MAIN, PARITY_FAILING]));

function pgSide(prefix: string): ParitySide {
  const schema = pg.freshSchema(prefix);
  return { env: pg.env(schema), dump: () => pg.dump(schema) };
}

function parity(project: ParityProject, name: string, steps: DbtRunInput[]) {
  return runParitySteps(e2e.client, e2e.worker.taskQueue, project, steps.map((s) => ({ ...s, target: 'pg' })), pgSide(`${name}_ours`), pgSide(`${name}_oracle`));
}

const ROUND_2 = { snapshot_round: 2, max_order_id: 8 };

describe('parity with plain dbt on PostgreSQL', () => {
  it.concurrent('builds, rebuilds incrementally with a snapshot change, then full-refreshes like dbt build', async () => {
    const [first, second] = await parity(PARITY_MAIN, 'lifecycle', [
      { command: 'build' },
      { command: 'build', vars: ROUND_2, select: 'stg_customers customers_snapshot stg_orders orders_incremental' },
      { command: 'build', vars: { ...ROUND_2, label: 'refreshed' }, full_refresh: true, select: 'tag:nightly' },
    ]);
    expect(first?.ours.ok).toBe(true);
    expect(second?.ours.output?.node_results.find((r) => r.unique_id === 'snapshot.parity_main.customers_snapshot')?.status).toBe('success');
  }, 900_000);

  // run, test and snapshot are covered by the builds above (and one by one on DuckDB).
  it.concurrent('runs seed, source-freshness and compile one after another like dbt', async () => {
    await parity(PARITY_MAIN, 'commands', [
      { command: 'seed' },
      { command: 'source-freshness' },
      { command: 'compile', select: 'stg_orders path:models/marts' },
    ]);
  }, 900_000);

  it.concurrent('fails, skips and warns node by node like dbt on a project with failures', async () => {
    const [build] = await parity(PARITY_FAILING, 'failing', [{ command: 'build' }, { command: 'test' }]);
    expect(build?.ours.errorType).toBe('DbtRunFailed');
  }, 900_000);
});

const TABLES = ['.landing_payments', '.raw_orders', '.run_audit', '.stg_orders', '.vars_model'];

describe('concurrent runs on PostgreSQL', () => {
  it.concurrent('keeps two concurrent runs with different env, vars and target in their own schemas', async () => {
    const a = { schema: pg.freshSchema('conc_a'), target: 'pg', region: 'north', label: 'label_a' };
    const b = { schema: pg.freshSchema('conc_b'), target: 'pg_alt', region: 'south', label: 'label_b' };
    const [ra, rb] = await Promise.all([a, b].map((r) => e2e.run({
      project: 'parity_main', command: 'build', select: 'raw_orders stg_orders vars_model', indirect_selection: 'empty',
      target: r.target, vars: { label: r.label }, env: { ...pg.env(r.schema), PARITY_REGION: r.region },
    })));
    expect(ra?.ok, ra?.message ?? '').toBe(true);
    expect(rb?.ok, rb?.message ?? '').toBe(true);

    // Run A's target writes to its schema; run B's target (pg_alt) to "<its schema>_alt".
    const schemas = (await pg.query("select schema_name from information_schema.schemata where schema_name like 'conc_%' order by 1")).map((r) => r[0]);
    expect(schemas).toEqual([a.schema, `${b.schema}_alt`]);
    for (const [r, prefix] of [[a, a.schema], [b, `${b.schema}_alt`]] as const) {
      const dump = await pg.dump(prefix);
      expect(Object.keys(dump).sort()).toEqual(TABLES);
      expect(new Set(dump['.stg_orders']?.map((row) => `${String(row[5])}/${String(row[6])}`))).toEqual(new Set([`${r.label}/${r.region}`]));
      expect(dump['.vars_model']).toEqual([[r.label, '5']]);
    }
    const compiledA = ra?.output?.node_results.find((n) => n.unique_id === 'model.parity_main.stg_orders')?.compiled_code ?? '';
    const compiledB = rb?.output?.node_results.find((n) => n.unique_id === 'model.parity_main.stg_orders')?.compiled_code ?? '';
    expect(compiledA).toContain(`"${a.schema}"."raw_orders"`);
    expect(compiledB).toContain(`"${b.schema}_alt"."raw_orders"`);
  }, 600_000);
});
