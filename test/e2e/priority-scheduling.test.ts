// TEMPORAL_PRIORITY_SCHEDULING: node activities carry a priority key (longest remaining chain
// first) and the run's invocation id as fairness key, as recorded in the workflow history.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { connectClient } from '../support/client.js';
import type { TestClient } from '../support/client.js';
import { SECOND_PROJECT } from '../support/paths.js';
import { startWorker } from '../support/worker-process.js';
import type { WorkerProcess } from '../support/worker-process.js';

let scratch: string;
let worker: WorkerProcess;
let client: TestClient;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'e2e-priority-'));
  worker = await startWorker({
    ...(process.env as Record<string, string>), TEMPORAL_ADDRESS: inject('temporalAddress'), DBT_PROJECT_DIR: SECOND_PROJECT,
    TEMPORAL_PRIORITY_SCHEDULING: 'true',
  });
  client = await connectClient(inject('temporalAddress'));
});

afterAll(async () => {
  await client?.close();
  await worker?.stop();
  await rm(scratch, { recursive: true, force: true });
});

describe('priority scheduling', () => {
  it('schedules each node with its critical-path priority and the run as fairness key', async () => {
    const res = await client.run(worker.taskQueue, { env: { SECOND_DUCKDB_PATH: join(scratch, 'p.duckdb') } });
    expect(res.ok, res.message ?? '').toBe(true);
    const history = await client.client.workflow.getHandle(res.workflowId).fetchHistory();
    const scheduled = (history.events ?? [])
      .map((e) => e.activityTaskScheduledEventAttributes)
      .filter((a) => a?.activityType?.name === 'execute_node')
      .map((a) => [a?.activityId, a?.priority?.priorityKey, a?.priority?.fairnessKey]);
    // seed -> stg_cities -> (unique test) -> city_summary: heights 3, 2, 1, 0.
    expect(Object.fromEntries(scheduled.map(([id, key]) => [id, key]))).toEqual({
      'seed:raw_cities': 2, 'model:stg_cities': 3, 'test:unique_stg_cities_city_id': 4, 'model:city_summary': 5,
    });
    expect(new Set(scheduled.map(([, , fair]) => fair))).toEqual(new Set([res.output?.invocation_id]));
  });
});
