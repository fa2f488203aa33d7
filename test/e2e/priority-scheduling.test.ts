// TEMPORAL_PRIORITY_SCHEDULING: node activities carry a priority key (longest remaining chain
// first, weighted by the durations measured in earlier runs) and the run's invocation id as
// fairness key, as recorded in the workflow history.
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

  it('weights the next run of the project by the node durations it measured', async () => {
    const res = await client.run(worker.taskQueue, { env: { SECOND_DUCKDB_PATH: join(scratch, 'p2.duckdb') } });
    expect(res.ok, res.message ?? '').toBe(true);
    const history = await client.client.workflow.getHandle(res.workflowId).fetchHistory();
    const events = history.events ?? [];
    const planId = events.find((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'plan_project')?.eventId;
    const planDone = events.find((e) => String(e.activityTaskCompletedEventAttributes?.scheduledEventId) === String(planId));
    const data = planDone?.activityTaskCompletedEventAttributes?.result?.payloads?.[0]?.data;
    const plan = JSON.parse(Buffer.from(data as Uint8Array).toString('utf8')) as { nodes: { unique_id: string; duration_s?: number }[] };
    // Every node ran in the first run, so every node carries its measured duration.
    expect(plan.nodes.every((n) => typeof n.duration_s === 'number' && n.duration_s >= 0)).toBe(true);
    const keys = new Map((events.map((e) => e.activityTaskScheduledEventAttributes).filter((a) => a?.activityType?.name === 'execute_node'))
      .map((a) => [a?.activityId, a?.priority?.priorityKey]));
    // One chain: its head carries the whole critical path, and keys never rise along it.
    const chain = ['seed:raw_cities', 'model:stg_cities', 'test:unique_stg_cities_city_id', 'model:city_summary'].map((id) => keys.get(id) as number);
    expect(chain[0]).toBe(1);
    for (let i = 1; i < chain.length; i++) expect(chain[i]).toBeGreaterThanOrEqual(chain[i - 1] as number);
  });
});
