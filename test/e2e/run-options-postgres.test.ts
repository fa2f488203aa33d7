// Two concurrent runs with different env, vars and target on one PostgreSQL database: each writes
// only to its own schema and sees only its own values.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { connectClient } from '../support/client.js';
import type { TestClient } from '../support/client.js';
import { PARITY_MAIN, startParityWorker } from '../support/parity-fixtures.js';
import { startPostgres } from '../support/postgres.js';
import type { PgServer } from '../support/postgres.js';
import type { WorkerProcess } from '../support/worker-process.js';

let pg: PgServer;
let worker: WorkerProcess;
let client: TestClient;

beforeAll(async () => {
  [pg, worker, client] = await Promise.all([startPostgres(), startParityWorker([PARITY_MAIN]), connectClient(inject('temporalAddress'))]);
});

afterAll(async () => {
  await client?.close();
  await worker?.stop();
  await pg?.close();
});

const TABLES = ['.landing_payments', '.raw_orders', '.run_audit', '.stg_orders', '.vars_model'];

describe('concurrent runs on PostgreSQL', () => {
  it('keeps two concurrent runs with different env, vars and target in their own schemas', async () => {
    const a = { schema: pg.freshSchema('conc_a'), target: 'pg', region: 'north', label: 'label_a' };
    const b = { schema: pg.freshSchema('conc_b'), target: 'pg_alt', region: 'south', label: 'label_b' };
    const [ra, rb] = await Promise.all([a, b].map((r) => client.run(worker.taskQueue, {
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
