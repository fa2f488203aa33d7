// NEXUS_ENABLED: the worker's Nexus service `dbt` (operation `dbt_run`) called through an
// endpoint from a workflow in a second namespace (the example caller of examples/nexus_caller):
// the caller gets the run's output, a failing run's failure with its details, and
// cancelling the caller cancels the run.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApplicationFailure, CancelledFailure, Client, WorkflowFailedError } from '@temporalio/client';
import { NexusOperationFailure } from '@temporalio/common';
import { NativeConnection, Worker } from '@temporalio/worker';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DbtRunOutput } from '../../src/shared/contracts.js';
import { temporalExecutable } from '../../src/supervisor/dev-server.js';
import { connectClient } from '../support/client.js';
import type { TestClient } from '../support/client.js';
import { BROKEN_PROJECT, REPO_ROOT } from '../support/paths.js';
import { startWorker } from '../support/worker-process.js';
import type { WorkerProcess } from '../support/worker-process.js';
import { SLOW_PROJECT } from './observability-support.js';

const CALLERS = `dbt-callers-${randomUUID().slice(0, 6)}`;
const ENDPOINT = `dbt-e2e-${randomUUID().slice(0, 6)}`;
const CALLER_QUEUE = 'nexus-callers';
let scratch: string;
let dbtWorker: WorkerProcess;
let client: TestClient;
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

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'e2e-nexus-'));
  client = await connectClient(inject('temporalAddress'));
  const cli = (args: string[]) => execa(temporalExecutable(process.env), [...args, '--address', inject('temporalAddress')]);
  await cli(['operator', 'namespace', 'create', '--namespace', CALLERS]);
  dbtWorker = await startWorker({ ...(process.env as Record<string, string>), TEMPORAL_ADDRESS: inject('temporalAddress'), DBT_PROJECT_DIRS: `${SLOW_PROJECT},${BROKEN_PROJECT}`, NEXUS_ENABLED: 'true' });
  // The endpoint exactly as docs tell operators to create it.
  await cli(['operator', 'nexus', 'endpoint', 'create', '--name', ENDPOINT, '--target-namespace', 'default', '--target-task-queue', dbtWorker.taskQueue]);
  callerConnection = await NativeConnection.connect({ address: inject('temporalAddress') });
  caller = await retry('caller worker', () => Worker.create({
    connection: callerConnection, namespace: CALLERS, taskQueue: CALLER_QUEUE, workflowsPath: `${REPO_ROOT}examples/nexus_caller/workflows.ts`,
  }));
  callerRun = caller.run();
});

afterAll(async () => {
  caller?.shutdown();
  await callerRun;
  await callerConnection?.close();
  await dbtWorker?.stop();
  await client?.close();
  await rm(scratch, { recursive: true, force: true });
});

/** Starts the example caller workflow in the callers' namespace. */
function startCaller(input: Record<string, unknown>) {
  const callers = new Client({ connection: client.client.connection, namespace: CALLERS });
  return callers.workflow.start('dbtRunViaNexus', { taskQueue: CALLER_QUEUE, workflowId: `caller-${randomUUID()}`, args: [input, ENDPOINT] });
}

describe('Nexus service dbt', () => {
  it('runs dbt_run for a caller in another namespace and returns its output', async () => {
    const handle = await startCaller({ project: 'slow_duck', command: 'run', select: 'c1', env: { SLOW_DUCKDB_PATH: join(scratch, 'ok.duckdb') } });
    const output = (await handle.result()) as DbtRunOutput;
    expect(output.success).toBe(true);
    expect(output.node_results.map((r) => [r.unique_id, r.status])).toEqual([['model.slow_duck.c1', 'success']]);
    // The run is an ordinary dbt_run workflow on the worker's queue, whose run id is the invocation id.
    const runs = [];
    for await (const wf of client.client.workflow.list({ query: `WorkflowType = 'dbt_run' AND TaskQueue = '${dbtWorker.taskQueue}'` })) runs.push(wf);
    expect(runs.map((r) => r.runId)).toContain(output.invocation_id);
    expect(runs.find((r) => r.runId === output.invocation_id)?.workflowId).toMatch(/^dbt-nexus-/);
  });

  it('hands a failing run to the caller as a failure with the run output in its details', async () => {
    const handle = await startCaller({ project: 'broken_duck', command: 'run', select: 'bad_sql', env: { BROKEN_DUCKDB_PATH: join(scratch, 'bad.duckdb') } });
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
    const handle = await startCaller({ project: 'slow_duck', command: 'run', select: 'slow', env: { SLOW_DUCKDB_PATH: join(scratch, 'cancel.duckdb'), SLOW_ROWS_K: '100000' } });
    const runId = await retry('nexus run started', async () => {
      for await (const wf of client.client.workflow.list({ query: `WorkflowType = 'dbt_run' AND TaskQueue = '${dbtWorker.taskQueue}' AND ExecutionStatus = 'Running'` })) return wf.workflowId;
      throw new Error('no running dbt_run yet');
    });
    const run = client.client.workflow.getHandle(runId);
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
