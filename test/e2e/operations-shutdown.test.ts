// SIGTERM during a run: the worker stops polling, the in-flight node finishes within
// WORKER_GRACEFUL_SHUTDOWN_SECS (or is cancelled after it and retried elsewhere), no dbt
// process outlives the worker, it exits 0, and a second worker completes the run.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { WORKFLOW_TYPE } from '../../src/shared/names.js';
import type { DbtRunOutput } from '../../src/shared/contracts.js';
import { connectClient } from '../support/client.js';
import type { TestClient } from '../support/client.js';
import { descendants, isAlive, spawnWorker, tempDir, waitFor, writeOpsProject } from './operations-support.js';

describe('operations: graceful shutdown on SIGTERM', () => {
  const dir = tempDir('ops-stop-');
  const projectDir = writeOpsProject(join(dir, 'project'));
  let client: TestClient;

  beforeAll(async () => {
    client = await connectClient(inject('temporalAddress'));
  });
  afterAll(() => client?.close());

  async function scenario(name: string, opts: { sleepOnA: number; grace: number }) {
    const taskQueue = `ops-stop-${name}-${process.pid}`;
    const env = (sleep: number) => ({
      TEMPORAL_ADDRESS: inject('temporalAddress'), TEMPORAL_TASK_QUEUE: taskQueue, DBT_PROJECT_DIR: projectDir,
      OPS_DUCKDB_PATH: join(dir, `${name}.duckdb`), OPS_SLEEP_S: String(sleep), WORKER_GRACEFUL_SHUTDOWN_SECS: String(opts.grace),
      WORKER_STICKY_QUEUE_TIMEOUT_SECS: '1',
    });
    const a = spawnWorker(env(opts.sleepOnA));
    await a.waitForLog('worker connected');
    const handle = await client.client.workflow.start(WORKFLOW_TYPE, { taskQueue, workflowId: `ops-stop-${randomUUID()}`, args: [{ command: 'run', select: 'slow+' }] });
    await waitFor(async () => {
      const pending = (await handle.describe()).raw.pendingActivities ?? [];
      return pending.some((p) => p.activityId === 'model:slow' && Number(p.state) === 2) ? true : undefined;
    });
    // The node's dbt engine process (spawned on demand) is a descendant of the worker.
    const dbtProcesses = await waitFor(() => {
      const pids = descendants(a.pid);
      return pids.length > 0 ? pids : undefined;
    });
    a.signal('SIGTERM');
    const b = spawnWorker(env(0));
    expect(await a.exited).toBe(0);
    expect(a.logs()).toContain('"msg":"shutting down"');
    expect(a.logs()).toContain('"msg":"worker stopped"');
    expect(dbtProcesses.filter(isAlive)).toEqual([]);
    try {
      const output = (await handle.result()) as DbtRunOutput;
      expect(new Map(output.node_results.map((r) => [r.unique_id, r.status]))).toEqual(new Map([['model.ops_duck.slow', 'success'], ['model.ops_duck.after_slow', 'success']]));
    } finally {
      b.signal('SIGTERM');
      expect(await b.exited).toBe(0);
    }
    return { a, handle };
  }

  it('lets the in-flight node finish within the grace period, then exits 0; the run completes on another worker', async () => {
    const { a } = await scenario('finish', { sleepOnA: 4, grace: 120 });
    expect(a.logs()).toMatch(/"unique_id":"model\.ops_duck\.slow","status":"success"[^\n]*"msg":"node finished"/);
    expect(a.logs()).not.toContain('model.ops_duck.after_slow');
  });

  it('cancels the in-flight node after the grace period, kills its dbt process, and retries it on another worker', async () => {
    const { a, handle } = await scenario('cancel', { sleepOnA: 600, grace: 1 });
    expect(a.logs()).not.toMatch(/"unique_id":"model\.ops_duck\.slow","status":"success"/);
    // Retried attempts are not history events: the final attempt's start records the previous failure.
    const history = await handle.fetchHistory();
    const retried = history.events?.map((e) => e.activityTaskStartedEventAttributes).filter((s) => s?.lastFailure?.applicationFailureInfo?.type === 'WORKER_SHUTDOWN') ?? [];
    expect(retried.map((s) => s?.attempt)).toEqual([2]);
  });
});
