// select/exclude use dbt's own selection: the nodes a run executes are exactly `dbt ls`'s.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DbtRunInput } from '../../src/shared/contracts.js';
import { plainDbtLs, runPlainDbt } from '../support/dbt-oracle.js';
import { useE2eWorker } from '../support/e2e-worker.js';
import { EXAMPLE_PROJECT } from '../support/paths.js';

const RESOURCE_TYPES: Record<string, string[]> = {
  build: ['model', 'seed', 'snapshot', 'test', 'unit_test'],
  run: ['model'],
  test: ['test', 'unit_test'],
  seed: ['seed'],
};

const CASES: { command: string; select?: string; exclude?: string; indirect_selection?: string }[] = [
  { command: 'run', select: 'stg_orders' },
  { command: 'run', select: '+customers', exclude: 'stg_payments' },
  { command: 'build', select: 'stg_customers' },
  { command: 'build', select: 'stg_customers', indirect_selection: 'cautious' },
  { command: 'test', select: 'customers' },
  { command: 'seed', exclude: 'raw_payments raw_orders' },
  { command: 'run', select: 'path:models/marts,config.materialized:table', exclude: 'orders' },
];

let db: string;

const e2e = useE2eWorker('select', async (scratch) => {
  db = join(scratch, 'jaffle.duckdb');
  // A built warehouse, so `test` and `run` selections have their upstream relations.
  expect((await runPlainDbt(EXAMPLE_PROJECT, ['build'], { JAFFLE_DUCKDB_PATH: db })).exitCode).toBe(0);
  return { DBT_PROJECT_DIR: EXAMPLE_PROJECT, WORKER_MAX_CONCURRENT_ACTIVITIES: '4' };
});

describe('selection', () => {
  for (const c of CASES) {
    it(`${c.command} --select ${c.select ?? '-'} --exclude ${c.exclude ?? '-'} ${c.indirect_selection ?? ''} runs exactly dbt ls's nodes`, async () => {
      const args = (RESOURCE_TYPES[c.command] ?? []).flatMap((t) => ['--resource-type', t]);
      if (c.select) args.push('--select', c.select);
      if (c.exclude) args.push('--exclude', c.exclude);
      if (c.indirect_selection) args.push('--indirect-selection', c.indirect_selection);
      const expected = await plainDbtLs(EXAMPLE_PROJECT, args, { JAFFLE_DUCKDB_PATH: db });
      expect(expected.length).toBeGreaterThan(0);

      const input: DbtRunInput = { ...c, env: { JAFFLE_DUCKDB_PATH: db } };
      const res = await e2e.run(input);
      expect(res.ok, res.message ?? '').toBe(true);
      expect(res.output?.node_results.map((r) => r.unique_id).sort()).toEqual(expected);
    });
  }
});
