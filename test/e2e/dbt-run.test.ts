// End to end on the real toolchain: Temporal dev server, the worker CLI, dbt-core, DuckDB.
// Plain dbt from the same venv is the oracle for statuses and warehouse contents.
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { statusMap } from '../support/client.js';
import { runPlainDbt } from '../support/dbt-oracle.js';
import { dumpDuckDb } from '../support/duckdb.js';
import { useE2eWorker } from '../support/e2e-worker.js';
import { BROKEN_PROJECT, EXAMPLE_PROJECT, SECOND_PROJECT } from '../support/paths.js';
import { hashTree } from '../support/tree-hash.js';

let workerTmp: string;
let treeBefore: string;

function sortedEntries(m: Map<string, string>): [string, string][] {
  return [...m.entries()].sort(([a], [b]) => a.localeCompare(b));
}

// The same suite runs once per engine mode: warm engines must match subprocess mode exactly.
describe.each(['subprocess', 'warm'] as const)('dbt_run end to end (%s engines)', (engineMode) => {
  const e2e = useE2eWorker('run', async (scratch) => {
    // The worker's own temp dir, apart from the tests' files, to see what it leaves there.
    workerTmp = join(scratch, 'worker-tmp');
    await mkdir(workerTmp);
    treeBefore = await hashTree([EXAMPLE_PROJECT, BROKEN_PROJECT, SECOND_PROJECT]);
    return {
      DBT_PROJECT_DIRS: [EXAMPLE_PROJECT, BROKEN_PROJECT, SECOND_PROJECT].join(','),
      TMPDIR: workerTmp,
      WORKER_MAX_CONCURRENT_ACTIVITIES: '4',
      DBT_ENGINE_MODE: engineMode,
    };
  });

  it('builds the example project with the same statuses and rows as plain dbt build', async () => {
    const oracleDb = join(e2e.scratch, 'oracle-jaffle.duckdb');
    const oursDb = join(e2e.scratch, 'ours-jaffle.duckdb');
    const oracle = await runPlainDbt(EXAMPLE_PROJECT, ['build'], { JAFFLE_DUCKDB_PATH: oracleDb });
    expect(oracle.exitCode).toBe(0);

    const res = await e2e.run({ project: 'jaffle_duck', env: { JAFFLE_DUCKDB_PATH: oursDb } });
    expect(res.ok).toBe(true);
    expect(res.output?.success).toBe(true);
    expect(res.output?.invocation_id).toMatch(/[0-9a-f-]{36}/);
    expect(sortedEntries(statusMap(res.output))).toEqual(sortedEntries(oracle.statuses));
    for (const r of res.output?.node_results ?? []) {
      expect(r.timing.length).toBeGreaterThan(0);
      if (r.unique_id.startsWith('model.')) expect(r.compiled_code).toMatch(/select/i);
    }
    expect(await dumpDuckDb(oursDb)).toEqual(await dumpDuckDb(oracleDb));
  });

  it('fails a broken project like dbt build does, with the complete output in the failure', async () => {
    const oracleDb = join(e2e.scratch, 'oracle-broken.duckdb');
    const oursDb = join(e2e.scratch, 'ours-broken.duckdb');
    const oracle = await runPlainDbt(BROKEN_PROJECT, ['build'], { BROKEN_DUCKDB_PATH: oracleDb });
    expect(oracle.exitCode).toBe(1);

    const res = await e2e.run({ project: 'broken_duck', env: { BROKEN_DUCKDB_PATH: oursDb } });
    expect(res.ok).toBe(false);
    expect(res.errorType).toBe('DbtRunFailed');
    expect(res.output?.success).toBe(false);
    const ours = statusMap(res.output);
    expect(sortedEntries(ours)).toEqual(sortedEntries(oracle.statuses));
    // The fixture's intent, spelled out: errors skip their branch, warn does not, others succeed.
    expect(ours.get('model.broken_duck.bad_sql')).toBe('error');
    expect(ours.get('model.broken_duck.bad_sql_child')).toBe('skipped');
    expect(ours.get('model.broken_duck.tested_child')).toBe('skipped');
    expect(ours.get('model.broken_duck.good_a_child')).toBe('success');
    expect(ours.get('model.broken_duck.independent')).toBe('success');
    const bad = res.output?.node_results.find((r) => r.unique_id === 'model.broken_duck.bad_sql');
    expect(bad?.message).toMatch(/this_column_does_not_exist/);
    expect(await dumpDuckDb(oursDb)).toEqual(await dumpDuckDb(oracleDb));
  });

  it('serves a second run concurrently on the same worker', async () => {
    const [a, b] = await Promise.all([
      e2e.run({ project: 'second_duck', env: { SECOND_DUCKDB_PATH: join(e2e.scratch, 'second-a.duckdb') } }),
      e2e.run({ project: 'second_duck', command: 'seed', env: { SECOND_DUCKDB_PATH: join(e2e.scratch, 'second-b.duckdb') } }),
    ]);
    expect(a.ok && b.ok).toBe(true);
    expect(a.output?.node_results).toHaveLength(4);
    expect(b.output?.node_results.map((r) => r.unique_id)).toEqual(['seed.second_duck.raw_cities']);
    expect(await dumpDuckDb(join(e2e.scratch, 'second-a.duckdb'))).toHaveProperty(['main.city_summary']);
  });

  it('never writes into the project directories and leaves no temp dirs behind', async () => {
    expect(await hashTree([EXAMPLE_PROJECT, BROKEN_PROJECT, SECOND_PROJECT])).toBe(treeBefore);
    // Per-task scratch is gone; what stays for the worker's lifetime is its manifest dir (frozen
    // manifests its engines share, the start-up partial-parse seed), removed at shutdown.
    const left = await readdir(workerTmp);
    expect(left.filter((d) => !/^dbtt-manifests-\d+-/.test(d))).toEqual([]);
    for (const dir of left) {
      expect((await readdir(join(workerTmp, dir))).filter((f) => !/\.(pickle|json|lock|msgpack|sock)$/.test(f))).toEqual([]);
    }
  });
});
