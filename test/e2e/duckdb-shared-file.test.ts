// A DuckDB file held by another process (a second worker, a notebook): the first lock conflict
// is named in one warning (file and holder), and once the other process lets go the node's
// retry succeeds.
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { parseDuckDbConflict } from '../../src/supervisor/duckdb-conflicts.js';
import { connectClient } from '../support/client.js';
import type { TestClient } from '../support/client.js';
import { REPO_ROOT, SECOND_PROJECT } from '../support/paths.js';
import { spawnWorker, tempDir, waitFor } from './operations-support.js';
import type { SpawnedWorker } from './operations-support.js';

const HOLD = 'import duckdb, sys, time\nc = duckdb.connect(sys.argv[1])\nc.execute("create table if not exists held (i int)")\nprint("holding", flush=True)\ntime.sleep(600)\n';

describe('a DuckDB file shared by mistake', () => {
  const dir = tempDir('duckdb-shared-');
  const file = join(dir, 'shared.duckdb');
  let worker: SpawnedWorker | undefined;
  let client: TestClient | undefined;

  afterAll(async () => {
    await client?.close();
    worker?.signal('SIGTERM');
    await worker?.exited;
  });

  it('recognises DuckDB\'s lock conflict message', () => {
    expect(parseDuckDbConflict('IO Error: Could not set lock on file "/data/w.duckdb": Conflicting lock is held in /usr/bin/python3.11 (PID 4242) by user app. See also https://duckdb.org/docs/connect/concurrency'))
      .toEqual({ file: '/data/w.duckdb', holder: '/usr/bin/python3.11', pid: 4242 });
    expect(parseDuckDbConflict('Database Error: syntax error at or near "selec"')).toBeNull();
  });

  it('warns once, naming the file and the holder, and the retry succeeds once it is released', async () => {
    const holder = execa(`${REPO_ROOT}.venv/bin/python`, ['-c', HOLD, file], { reject: false, buffer: false });
    await new Promise<void>((resolve) => holder.stdout?.on('data', (c: Buffer) => c.toString().includes('holding') && resolve()));
    worker = spawnWorker({ TEMPORAL_ADDRESS: inject('temporalAddress'), TEMPORAL_TASK_QUEUE: `duckdb-shared-${process.pid}`, DBT_PROJECT_DIR: SECOND_PROJECT, SECOND_DUCKDB_PATH: file });
    await worker.waitForLog('worker connected');
    client = await connectClient(inject('temporalAddress'));
    const run = client.run(`duckdb-shared-${process.pid}`, { command: 'seed' });
    await waitFor(() => (worker?.logs().includes('is in use by another process') ? true : undefined));
    holder.kill('SIGTERM');
    await holder;
    const res = await run;
    expect(res.ok).toBe(true);
    const warnings = (worker.logs().match(/is in use by another process/g) ?? []).length;
    expect(warnings).toBe(1);
    expect(worker.logs()).toContain(`DuckDB file ${file} is in use by another process (PID ${holder.pid}`);
  });
});
