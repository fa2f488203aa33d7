// Parity on PostgreSQL (a real server started by the test): the parity fixtures through
// dbt-temporal and through plain dbt, each side in its own fresh schemas of one database.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DbtRunInput } from '../../src/shared/contracts.js';
import { connectClient } from '../support/client.js';
import type { TestClient } from '../support/client.js';
import { PARITY_FAILING, PARITY_MAIN, startParityWorker } from '../support/parity-fixtures.js';
import { runParitySteps } from '../support/parity-steps.js';
import type { ParityProject, ParitySide } from '../support/parity-steps.js';
import { startPostgres } from '../support/postgres.js';
import type { PgServer } from '../support/postgres.js';
import type { WorkerProcess } from '../support/worker-process.js';

let pg: PgServer;
let worker: WorkerProcess;
let client: TestClient;

beforeAll(async () => {
  [pg, worker, client] = await Promise.all([
    startPostgres(),
    startParityWorker([PARITY_MAIN, PARITY_FAILING]),
    connectClient(inject('temporalAddress')),
  ]);
});

afterAll(async () => {
  await client?.close();
  await worker?.stop();
  await pg?.close();
});

function pgSide(prefix: string): ParitySide {
  const schema = pg.freshSchema(prefix);
  return { env: pg.env(schema), dump: () => pg.dump(schema) };
}

function parity(project: ParityProject, name: string, steps: DbtRunInput[]) {
  return runParitySteps(client, worker.taskQueue, project, steps.map((s) => ({ ...s, target: 'pg' })), pgSide(`${name}_ours`), pgSide(`${name}_oracle`));
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

  it.concurrent('runs seed, run, test, snapshot, source-freshness and compile one after another like dbt', async () => {
    await parity(PARITY_MAIN, 'commands', [
      { command: 'seed' },
      { command: 'run', vars: { label: 'from_vars', vars_alias: 'vars_renamed' }, env: { PARITY_REGION: 'us' } },
      { command: 'test' },
      { command: 'snapshot' },
      { command: 'source-freshness' },
      { command: 'compile', select: 'stg_orders path:models/marts' },
    ]);
  }, 900_000);

  it.concurrent('fails, skips and warns node by node like dbt on a project with failures', async () => {
    const [build] = await parity(PARITY_FAILING, 'failing', [{ command: 'build' }, { command: 'test' }]);
    expect(build?.ours.errorType).toBe('DbtRunFailed');
  }, 900_000);
});
