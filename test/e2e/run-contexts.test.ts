// Run contexts on the real toolchain (Temporal dev server, the worker CLI, dbt, DuckDB), with
// plain dbt from the same venv as the oracle: DuckDB profiles as people write them (a relative
// path, `:memory:`, no path) keep every node of a run in one database; run_started_at is one
// value per run; concurrent runs on one worker never see each other's vars or env.
import { existsSync } from 'node:fs';
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { statusMap } from '../support/client.js';
import { runPlainDbt } from '../support/dbt-oracle.js';
import { dumpDuckDb, queryDuckDb } from '../support/duckdb.js';
import { useE2eWorker } from '../support/e2e-worker.js';
import { REPO_ROOT } from '../support/paths.js';

const PROJECT = `${REPO_ROOT}test/fixtures/ctx_duck`;
const cwdIn = (scratch: string): string => join(scratch, 'worker-cwd');

const sorted = (m: Map<string, string>): [string, string][] => [...m.entries()].sort(([a], [b]) => a.localeCompare(b));

const e2e = useE2eWorker('ctx', async (scratch) => {
  await mkdir(cwdIn(scratch));
  return { DBT_PROJECT_DIRS: PROJECT, WORKER_MAX_CONCURRENT_ACTIVITIES: '4' };
}, { cwd: cwdIn });

describe('run contexts', () => {
  it('puts a relative DuckDB path where plain dbt puts it, with the same statuses and rows, and one run_started_at per run', async () => {
    const oracleCwd = join(e2e.scratch, 'oracle-cwd');
    await mkdir(oracleCwd);
    const vars = { record_start: true };
    const oracle = await runPlainDbt(PROJECT, ['build', '--vars', JSON.stringify(vars)], {}, { cwd: oracleCwd });
    expect(oracle.exitCode).toBe(0);
    const res = await e2e.run({ vars });
    expect(res.ok, JSON.stringify(res.output?.node_results.filter((r) => r.status !== 'success' && r.status !== 'pass') ?? res.message)).toBe(true);
    expect(sorted(statusMap(res.output))).toEqual(sorted(oracle.statuses));

    // Relative to the worker's working directory, as plain dbt resolves it against its own.
    const ours = join(cwdIn(e2e.scratch), 'ctx_duck.duckdb');
    expect(existsSync(ours)).toBe(true);
    expect((await readdir(PROJECT)).filter((f) => f.endsWith('.duckdb'))).toEqual([]);
    const dump = await dumpDuckDb(ours);
    const theirs = await dumpDuckDb(join(oracleCwd, 'ctx_duck.duckdb'));
    for (const table of ['main.numbers', 'main.raw_numbers', 'main.events_mb', 'main.probe']) expect(dump[table]).toEqual(theirs[table]);
    // The microbatch model reached the run's own start (its last batch holds today's event).
    expect(dump['main.events_mb']).toHaveLength(3);

    // One start time and invocation id in the on-run-start hook and in every model.
    const stamps = await queryDuckDb(ours, 'select started, inv from run_marks union select started, inv from stamp_a union select started, inv from stamp_b');
    expect(stamps).toHaveLength(1);
    expect(stamps[0]?.[1]).toBe(res.output?.invocation_id);
  });

  it.each(['memory', 'nopath'])('keeps every node of a run in one database with a %s profile, as plain dbt does', async (target) => {
    const oracle = await runPlainDbt(PROJECT, ['build', '--target', target], {});
    expect(oracle.exitCode).toBe(0);
    const res = await e2e.run({ target });
    expect(res.ok, JSON.stringify(res.output?.node_results.filter((r) => r.status !== 'success' && r.status !== 'pass') ?? res.message)).toBe(true);
    expect(sorted(statusMap(res.output))).toEqual(sorted(oracle.statuses));
    // The singular test that checks the seed's rows reached the model passed.
    expect(statusMap(res.output).get('test.ctx_duck.assert_numbers_loaded')).toBe('pass');
  });

  it('runs two runs at once on one worker, each seeing only its own vars and env', async () => {
    const run = (name: string, color: string, shade: string) => {
      const db = join(e2e.scratch, `${name}.duckdb`);
      return e2e.run({ target: 'envpath', select: 'probe', vars: { color }, env: { CTX_DUCKDB_PATH: db, SHADE: shade } })
        .then(async (res) => ({ res, rows: await queryDuckDb(db, 'select color, shade from probe') }));
    };
    const [a, b] = await Promise.all([run('iso-a', 'red', 'dark'), run('iso-b', 'blue', 'light')]);
    expect(a.res.ok && b.res.ok).toBe(true);
    expect(a.rows).toEqual([['red', 'dark']]);
    expect(b.rows).toEqual([['blue', 'light']]);
  });

  it('refuses an in-memory profile at plan time when several workers poll the queue, naming the profile', async () => {
    const second = await e2e.startAnother({ DBT_PROJECT_DIRS: PROJECT, TEMPORAL_TASK_QUEUE: e2e.worker.taskQueue }, { cwd: cwdIn(e2e.scratch) });
    try {
      // Both workers have polled once they have served a plan each.
      await Promise.all([e2e.run({ command: 'list' }), e2e.run({ command: 'list' })]);
      const res = await e2e.run({ target: 'memory' });
      expect(res.ok).toBe(false);
      expect(res.errorType).toBe('CONFIG_ERROR');
      expect(res.message).toMatch(/profile target 'memory' of project 'ctx_duck' uses an in-memory DuckDB database.*workers poll task queue/);
    } finally {
      await second.stop();
    }
  });
});
