// Options that read an earlier run's stored artifacts: retry_from (dbt retry), state_manifest_ref
// (state:modified) and defer_manifest_ref (--defer). Needs WRITE_ARTIFACTS + a local ARTIFACT_STORE.
import { cp, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dumpDuckDbFile } from '../support/duckdb-dump.js';
import { useE2eWorker } from '../support/e2e-worker.js';
import { PARITY_FAILING, PARITY_MAIN, parityWorkerEnv } from '../support/parity-fixtures.js';
import { dbtLsIds, runDbtArgs } from '../support/parity-oracle.js';

let store: string;

const e2e = useE2eWorker('run-state', (scratch) => {
  store = join(scratch, 'artifacts');
  return parityWorkerEnv([PARITY_MAIN, PARITY_FAILING], { WRITE_ARTIFACTS: 'true', ARTIFACT_STORE: store });
});

const RERUN = new Set(['error', 'fail', 'skipped', 'runtime error']);

describe('runs that start from stored artifacts', () => {
  it.concurrent('retry_from reruns exactly the failed and skipped nodes, like dbt retry', async () => {
    const db = join(e2e.scratch, 'retry-ours.duckdb');
    const first = await e2e.run({ project: 'parity_failing', env: { PARITY_DUCKDB_PATH: db } });
    expect(first.ok).toBe(false);
    const ref = first.output?.artifacts?.run_results_path;
    expect(ref, 'the failed run stored its run_results.json').toBeTruthy();
    const rerun = (first.output?.node_results ?? []).filter((r) => RERUN.has(r.status)).map((r) => r.unique_id).sort();

    // The oracle: dbt build, then dbt retry from the same target dir, with the fix in the env.
    const [built, retried] = [join(e2e.scratch, 'retry-oracle-build'), join(e2e.scratch, 'retry-oracle-retry')];
    const oracleEnv = { PARITY_DUCKDB_PATH: join(e2e.scratch, 'retry-oracle.duckdb') };
    await runDbtArgs(PARITY_FAILING.dir, ['build'], oracleEnv, built);
    const oracle = await runDbtArgs(PARITY_FAILING.dir, ['retry', '--state', built], { ...oracleEnv, PARITY_FIX: '1' }, retried);
    expect({ dbtRetry: [...oracle.statuses.keys()].sort() }).toEqual({ dbtRetry: rerun });

    const second = await e2e.run({ project: 'parity_failing', retry_from: ref ?? '', env: { PARITY_DUCKDB_PATH: db, PARITY_FIX: '1' } });
    const statuses = new Map(second.output?.node_results.map((r) => [r.unique_id, r.status]));
    expect([...statuses.keys()].sort()).toEqual(rerun);
    expect(statuses.get('model.parity_failing.bad_syntax')).toBe('success');
    expect(statuses.get('model.parity_failing.bad_child')).toBe('success');
    expect(statuses.get('test.parity_failing.accepted_values_tested_model_category__tools__toys.c3ea89393e')).toBe('fail');
  }, 600_000);

  it.concurrent('state:modified against a stored manifest plans exactly the edited node, and defer reads the rest', async ({ expect }) => {
    const db = join(e2e.scratch, 'state.duckdb');
    const base = await e2e.run({ project: 'parity_main', select: '+orders_enriched', env: { PARITY_DUCKDB_PATH: db } });
    expect(base.ok, base.message ?? '').toBe(true);
    const manifestRef = base.output?.artifacts?.manifest_path ?? '';
    expect(manifestRef, 'the run stored its manifest.json').toBeTruthy();

    // A copy of the project with one model edited, served by a second worker.
    const copy = join(e2e.scratch, 'parity_main');
    await cp(PARITY_MAIN.dir, copy, { recursive: true });
    const model = join(copy, 'models', 'marts', 'orders_enriched.sql');
    await writeFile(model, (await readFile(model, 'utf8')).replace('o.status', "o.status, 'v2' as version"));
    const edited = await e2e.startAnother(parityWorkerEnv([{ name: 'parity_main', dir: copy }], { WRITE_ARTIFACTS: 'true', ARTIFACT_STORE: store }));

    const listed = await e2e.client.run(edited.taskQueue, { command: 'list', select: 'state:modified', state_manifest_ref: manifestRef, env: { PARITY_DUCKDB_PATH: db } });
    expect(listed.ok, listed.message ?? '').toBe(true);
    expect(listed.output?.node_results.map((r) => r.unique_id)).toEqual(['model.parity_main.orders_enriched']);
    // dbt itself, on the edited copy against the stored manifest, must see only the edit too
    // (this fails when the stored manifest was rendered with other settings than the run's).
    const byDbt = await dbtLsIds(copy, ['--select', 'state:modified', '--state', dirname(manifestRef)], { PARITY_DUCKDB_PATH: db });
    const stored = JSON.parse(await readFile(manifestRef, 'utf8')) as { sources: Record<string, { database: string; schema: string }> };
    const where = Object.values(stored.sources).map((src) => `${src.database}.${src.schema}`);
    expect.soft({ dbtLsStateModified: byDbt }, `stored manifest's sources live in ${where.join(', ')}`)
      .toEqual({ dbtLsStateModified: ['model.parity_main.orders_enriched'] });

    // Build only the edited model into another schema; its unbuilt parents come from the stored manifest.
    const deferred = await e2e.client.run(edited.taskQueue, {
      command: 'run', select: 'state:modified', state_manifest_ref: manifestRef, defer_manifest_ref: manifestRef,
      env: { PARITY_DUCKDB_PATH: db, PARITY_SCHEMA: 'dev' },
    });
    const errors = (deferred.output?.node_results ?? []).filter((r) => r.status !== 'success').map((r) => `${r.unique_id}: ${r.message ?? ''}`);
    expect(deferred.ok, `${deferred.message ?? ''}\n${errors.join('\n')}`).toBe(true);
    // Nodes only (the project's hook operations are reported too, as in dbt's run_results.json).
    const nodes = deferred.output?.node_results.filter((r) => !r.unique_id.startsWith('operation.'));
    expect(nodes?.map((r) => [r.unique_id, r.status])).toEqual([['model.parity_main.orders_enriched', 'success']]);
    const dump = await dumpDuckDbFile(db);
    expect(dump['dev.orders_enriched']).toEqual(dump['main.orders_enriched']?.map((row) => [...row, 'v2']));
    expect(dump['dev.stg_customers']).toBeUndefined();
  }, 600_000);
});
