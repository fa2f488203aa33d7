// Warm engines under faults, on the real toolchain: an engine that crashes or hangs mid-node
// is replaced and the node retried; runs sharing an engine never see each other's vars or
// env; and no engine process outlives the worker, even when the worker is killed.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { statusMap } from '../support/client.js';
import { queryDuckDb } from '../support/duckdb.js';
import { useE2eWorker } from '../support/e2e-worker.js';
import { REPO_ROOT } from '../support/paths.js';
import { enginePids, findWorkerPid, stillAlive, waitGone } from '../executor/process-tree.js';

const WARM_PROJECT = `${REPO_ROOT}test/fixtures/warm_duck`;

let workerPid: number;

const e2e = useE2eWorker('warm', () => ({
  DBT_PROJECT_DIRS: WARM_PROJECT,
  DBT_ENGINE_MODE: 'warm',
  // One engine: every run below shares it. The timeout turns a hung engine into a retry.
  WORKER_MAX_CONCURRENT_ACTIVITIES: '1',
  DBT_NODE_TIMEOUT_SECS: '45',
}));

beforeAll(async () => {
  workerPid = await findWorkerPid(e2e.worker.taskQueue);
});

describe('warm dbt engines', () => {
  it('never leaks one run\'s vars or env into another run on the same engine', async () => {
    const probe = async (name: string, vars: Record<string, string>, env: Record<string, string>) => {
      const db = join(e2e.scratch, `${name}.duckdb`);
      const res = await e2e.run({ project: 'warm_duck', select: 'probe', vars, env: { ...env, WARM_DUCKDB_PATH: db } });
      expect(res.ok, JSON.stringify(res.output?.node_results ?? res.message)).toBe(true);
      return queryDuckDb(db, 'select color, shade from probe');
    };
    expect(await probe('first', { color: 'red' }, { SHADE: 'dark' })).toEqual([['red', 'dark']]);
    const engines = await enginePids(workerPid);
    expect(engines).toHaveLength(1);
    expect(await probe('second', {}, {})).toEqual([['unset', 'unset']]);
    expect(await probe('third', { color: 'blue' }, {})).toEqual([['blue', 'unset']]);
    expect(await probe('fourth', {}, { SHADE: 'light' })).toEqual([['unset', 'light']]);
    // The same engine served every run.
    expect(await enginePids(workerPid)).toEqual(engines);
  });

  for (const mode of ['crash', 'hang'] as const) {
    it(`replaces an engine that ${mode === 'crash' ? 'crashes' : 'hangs'} mid-node, retries the node and completes the run`, async () => {
      const before = await enginePids(workerPid);
      const marker = join(e2e.scratch, `${mode}.marker`);
      const db = join(e2e.scratch, `${mode}.duckdb`);
      const res = await e2e.run({
        project: 'warm_duck',
        select: 'fault+',
        env: { WARM_DUCKDB_PATH: db, FAULT_MODE: mode, FAULT_MARKER: marker },
      });
      expect(existsSync(marker)).toBe(true); // the fault really happened
      expect(res.ok).toBe(true);
      expect(statusMap(res.output)).toEqual(new Map([['model.warm_duck.fault', 'success'], ['model.warm_duck.after_fault', 'success']]));
      expect(await queryDuckDb(db, 'select ok_plus_one from after_fault')).toEqual([[2]]);
      // The faulty engine is gone, and a fresh one took over.
      expect(await stillAlive(before)).toEqual([]);
      const after = await enginePids(workerPid);
      expect(after).toHaveLength(1);
      expect(after).not.toEqual(before);
    });
  }

  it('leaves no engine process behind when the worker is killed', async () => {
    const engines = await enginePids(workerPid);
    expect(engines.length).toBeGreaterThan(0);
    process.kill(workerPid, 'SIGKILL');
    expect(await waitGone([workerPid], 10_000)).toEqual([]);
    expect(await waitGone(engines, 10_000)).toEqual([]);
  });
});
