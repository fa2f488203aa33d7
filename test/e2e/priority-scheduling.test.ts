// TEMPORAL_PRIORITY_SCHEDULING: node activities carry a priority key (longest remaining chain
// first, weighted by the durations measured in earlier runs) and the run's invocation id as
// fairness key, as recorded in the workflow history.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useE2eWorker } from '../support/e2e-worker.js';
import { SECOND_PROJECT } from '../support/paths.js';

const e2e = useE2eWorker('priority', () => ({ DBT_PROJECT_DIR: SECOND_PROJECT, TEMPORAL_PRIORITY_SCHEDULING: 'true' }));

describe('priority scheduling', () => {
  it('schedules each node with its critical-path priority and the run as fairness key', async () => {
    const res = await e2e.run({ env: { SECOND_DUCKDB_PATH: join(e2e.scratch, 'p.duckdb') } });
    expect(res.ok, res.message ?? '').toBe(true);
    const history = await e2e.client.client.workflow.getHandle(res.workflowId).fetchHistory();
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
    const res = await e2e.run({ env: { SECOND_DUCKDB_PATH: join(e2e.scratch, 'p2.duckdb') } });
    expect(res.ok, res.message ?? '').toBe(true);
    const history = await e2e.client.client.workflow.getHandle(res.workflowId).fetchHistory();
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
