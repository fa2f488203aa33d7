// Parity on DuckDB: every command on the parity fixtures, through dbt-temporal and through plain
// dbt on fresh database files; equal node statuses, outcomes and warehouse contents at each step.
import { describe, expect, it } from 'vitest';
import type { DbtRunInput } from '../../src/shared/contracts.js';
import { duckDbSide } from '../support/duckdb-dump.js';
import { useE2eWorker } from '../support/e2e-worker.js';
import { PARITY_FAILING, PARITY_MAIN, parityWorkerEnv } from '../support/parity-fixtures.js';
import { runParitySteps } from '../support/parity-steps.js';
import type { ParityProject, ParitySide } from '../support/parity-steps.js';

const e2e = useE2eWorker('parity-duck', () => parityWorkerEnv([PARITY_MAIN, PARITY_FAILING]));

function duckSide(name: string): ParitySide {
  return duckDbSide(e2e.scratch, name);
}

function parity(project: ParityProject, name: string, steps: DbtRunInput[]) {
  return runParitySteps(e2e.client, e2e.worker.taskQueue, project, steps, duckSide(`${name}-ours`), duckSide(`${name}-oracle`));
}

const ROUND_2 = { snapshot_round: 2, max_order_id: 8 };

describe('parity with plain dbt on DuckDB', () => {
  it.concurrent('builds, rebuilds incrementally with a snapshot change, then full-refreshes like dbt build', async () => {
    const [, second, third] = await parity(PARITY_MAIN, 'lifecycle', [
      { command: 'build' },
      // Round 2 changes a snapshotted customer and widens the incremental window.
      { command: 'build', vars: ROUND_2, select: 'stg_customers customers_snapshot stg_orders orders_incremental' },
      { command: 'build', vars: { ...ROUND_2, label: 'refreshed' }, full_refresh: true, select: 'tag:nightly' },
    ]);
    // The fixture's intent, spelled out: the warn test stays a warning and the runs succeed.
    expect(second?.ours.output?.success).toBe(true);
    expect(second?.ours.output?.node_results.find((r) => r.unique_id.includes('accepted_values'))?.status).toBe('warn');
    expect(third?.ours.output?.node_results.map((r) => r.unique_id)).toContain('model.parity_main.orders_incremental');
  });

  it.concurrent('runs seed, run, test, snapshot, source-freshness and compile one after another like dbt', async () => {
    const [, , , , freshness, compile] = await parity(PARITY_MAIN, 'commands', [
      { command: 'seed' },
      { command: 'run', vars: { label: 'from_vars', vars_alias: 'vars_renamed' }, env: { PARITY_REGION: 'us' } },
      { command: 'test' },
      { command: 'snapshot' },
      { command: 'source-freshness' },
      { command: 'compile', vars: { label: 'compiled_label' }, select: 'stg_orders path:models/marts' },
    ]);
    const fresh = new Map(freshness?.ours.output?.node_results.map((r) => [r.unique_id, r.status]));
    expect(fresh.get('source.parity_main.landing.landing_payments')).toBe('warn');
    expect(fresh.get('source.parity_main.landing.payments_live')).toBe('pass');
    expect(fresh.has('source.parity_main.landing.payments_untracked')).toBe(false);
    const stg = compile?.ours.output?.node_results.find((r) => r.unique_id === 'model.parity_main.stg_orders');
    expect(stg?.compiled_code).toContain('compiled_label');
  });

  it.concurrent('fails, skips and warns node by node like dbt on a project with failures', async () => {
    const [build] = await parity(PARITY_FAILING, 'failing', [
      { command: 'build' },
      { command: 'test' },
    ]);
    expect(build?.ours.errorType).toBe('DbtRunFailed');
    const st = new Map(build?.ours.output?.node_results.map((r) => [r.unique_id, r.status]));
    expect(st.get('model.parity_failing.bad_syntax')).toBe('error');
    expect(st.get('model.parity_failing.bad_child')).toBe('skipped');
    expect(st.get('unit_test.parity_failing.unit_tested.price_plus_one_is_wrong')).toBe('fail');
    expect(st.get('model.parity_failing.unit_child')).toBe('skipped');
  });
});
