// DuckDB allows one writing process per database file: concurrent runs on the same file, with
// several activity slots, must never collide (a collision would show as a retried attempt).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { connectClient } from '../support/client.js';
import type { TestClient } from '../support/client.js';
import { queryDuckDb } from '../support/duckdb.js';
import { SECOND_PROJECT } from '../support/paths.js';
import { startWorker } from '../support/worker-process.js';
import type { WorkerProcess } from '../support/worker-process.js';

let scratch: string;
let worker: WorkerProcess;
let client: TestClient;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'e2e-single-writer-'));
  worker = await startWorker({
    ...(process.env as Record<string, string>), TEMPORAL_ADDRESS: inject('temporalAddress'), DBT_PROJECT_DIR: SECOND_PROJECT,
    WORKER_MAX_CONCURRENT_ACTIVITIES: '6', DBT_ENGINE_MODE: 'subprocess',
  });
  client = await connectClient(inject('temporalAddress'));
});

afterAll(async () => {
  await client?.close();
  await worker?.stop();
  await rm(scratch, { recursive: true, force: true });
});

describe('DuckDB single writer', () => {
  it('runs concurrent runs on one DuckDB file without a single lock conflict', async () => {
    const env = { SECOND_DUCKDB_PATH: join(scratch, 'shared.duckdb') };
    const runs = await Promise.all([1, 2, 3].map(() => client.run(worker.taskQueue, { env })));
    for (const r of runs) expect(r.ok, r.message ?? '').toBe(true);
    for (const r of runs) {
      const history = await client.client.workflow.getHandle(r.workflowId).fetchHistory();
      const attempts = (history.events ?? []).map((e) => e.activityTaskStartedEventAttributes?.attempt).filter((a) => a !== undefined && a !== null);
      expect(attempts.length).toBeGreaterThan(0);
      expect(attempts.every((a) => a === 1)).toBe(true);
    }
    expect(await queryDuckDb(env.SECOND_DUCKDB_PATH, 'select city_count from city_summary')).toEqual([[3]]);
  });
});
