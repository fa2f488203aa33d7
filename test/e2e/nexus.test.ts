// NEXUS_ENABLED: the worker's Nexus service `dbt` (operation `dbt_run`) called through an
// endpoint from a workflow in a second namespace (the example caller of examples/nexus_caller):
// the caller gets the run's output, a failing run's failure with its details, and
// cancelling the caller cancels the run.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { ApplicationFailure, CancelledFailure, Client, WorkflowFailedError } from '@temporalio/client';
import { NexusOperationFailure } from '@temporalio/common';
import { NativeConnection, Worker } from '@temporalio/worker';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbtRunOutput } from '../../src/shared/contracts.js';
import { temporalExecutable } from '../../src/supervisor/dev-server.js';
import { useE2eWorker } from '../support/e2e-worker.js';
import { BROKEN_PROJECT, REPO_ROOT } from '../support/paths.js';
import { SLOW_PROJECT } from './observability-support.js';

const CALLERS = `dbt-callers-${randomUUID().slice(0, 6)}`;
const ENDPOINT = `dbt-e2e-${randomUUID().slice(0, 6)}`;
const CALLER_QUEUE = 'nexus-callers';
let callerConnection: NativeConnection;
let caller: Worker;
let callerRun: Promise<void>;

async function retry<T>(what: string, fn: () => Promise<T>, limitMs = 60_000): Promise<T> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`${what}: ${(err as Error).message}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

const cli = (args: string[]) => execa(temporalExecutable(process.env), [...args, '--address', e2e.address]);

const e2e = useE2eWorker('nexus', async () => {
  await cli(['operator', 'namespace', 'create', '--namespace', CALLERS]);
  return { DBT_PROJECT_DIRS: `${SLOW_PROJECT},${BROKEN_PROJECT}`, NEXUS_ENABLED: 'true' };
});

// After the dbt worker's hooks: the endpoint and the caller need its queue, and stop before it.
beforeAll(async () => {
  // The endpoint exactly as docs tell operators to create it.
  await cli(['operator', 'nexus', 'endpoint', 'create', '--name', ENDPOINT, '--target-namespace', 'default', '--target-task-queue', e2e.worker.taskQueue]);
  callerConnection = await NativeConnection.connect({ address: e2e.address });
  caller = await retry('caller worker', () => Worker.create({
    connection: callerConnection, namespace: CALLERS, taskQueue: CALLER_QUEUE, workflowsPath: `${REPO_ROOT}examples/nexus_caller/workflows.ts`,
  }));
  callerRun = caller.run();
});

afterAll(async () => {
  caller?.shutdown();
  await callerRun;
  await callerConnection?.close();
});

/** Starts the example caller workflow in the callers' namespace. */
function startCaller(input: Record<string, unknown>) {
  const callers = new Client({ connection: e2e.client.client.connection, namespace: CALLERS });
  return callers.workflow.start('dbtRunViaNexus', { taskQueue: CALLER_QUEUE, workflowId: `caller-${randomUUID()}`, args: [input, ENDPOINT] });
}

describe('Nexus service dbt', () => {
  it('runs dbt_run for a caller in another namespace and returns its output', async () => {
    const handle = await startCaller({ project: 'slow_duck', command: 'run', select: 'c1', env: { SLOW_DUCKDB_PATH: join(e2e.scratch, 'ok.duckdb') } });
    const output = (await handle.result()) as DbtRunOutput;
    expect(output.success).toBe(true);
    expect(output.node_results.map((r) => [r.unique_id, r.status])).toEqual([['model.slow_duck.c1', 'success']]);
    // The run is an ordinary dbt_run workflow on the worker's queue, whose run id is the invocation id.
    const runs = [];
    for await (const wf of e2e.client.client.workflow.list({ query: `WorkflowType = 'dbt_run' AND TaskQueue = '${e2e.worker.taskQueue}'` })) runs.push(wf);
    expect(runs.map((r) => r.runId)).toContain(output.invocation_id);
    expect(runs.find((r) => r.runId === output.invocation_id)?.workflowId).toMatch(/^dbt-nexus-/);
  });

  it('hands a failing run to the caller as a failure with the run output in its details', async () => {
    const handle = await startCaller({ project: 'broken_duck', command: 'run', select: 'bad_sql', env: { BROKEN_DUCKDB_PATH: join(e2e.scratch, 'bad.duckdb') } });
    const err = await handle.result().then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const nexusFailure = (err as WorkflowFailedError).cause;
    expect(nexusFailure).toBeInstanceOf(NexusOperationFailure);
    const cause = (nexusFailure as NexusOperationFailure).cause;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    expect((cause as ApplicationFailure).type).toBe('DbtRunFailed');
    const output = (cause as ApplicationFailure).details?.[0] as DbtRunOutput;
    expect(output.node_results.map((r) => [r.unique_id, r.status])).toEqual([['model.broken_duck.bad_sql', 'error']]);
  });

  it('cancels the run when the caller is cancelled', async () => {
    const handle = await startCaller({ project: 'slow_duck', command: 'run', select: 'slow', env: { SLOW_DUCKDB_PATH: join(e2e.scratch, 'cancel.duckdb'), SLOW_ROWS_K: '100000' } });
    const runId = await retry('nexus run started', async () => {
      for await (const wf of e2e.client.client.workflow.list({ query: `WorkflowType = 'dbt_run' AND TaskQueue = '${e2e.worker.taskQueue}' AND ExecutionStatus = 'Running'` })) return wf.workflowId;
      throw new Error('no running dbt_run yet');
    });
    const run = e2e.client.client.workflow.getHandle(runId);
    await handle.cancel();
    const err = await handle.result().then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect((err as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
    await retry('run cancelled', async () => {
      const { status } = await run.describe();
      if (status.name !== 'CANCELLED') throw new Error(`run is ${status.name}`);
    });
  });
});
