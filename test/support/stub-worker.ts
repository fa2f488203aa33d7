// Runs one dbt_run on the suite's dev server with the real workflow bundle (dist/workflow-bundle.js,
// with the interceptors bundled into it, as the worker registers it) and stubbed activities, in
// a worker inside the test process on its own task queue (Temporal's samples-typescript way).
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { ApplicationFailure, Client, Connection, WorkflowFailedError } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import type { InjectedSinks } from '@temporalio/worker';
import type { DbtRunInput, DbtRunOutput } from '../../src/shared/contracts.js';
import { WORKFLOW_TYPE } from '../../src/shared/names.js';
import { PAYLOAD_WARN_BYTES } from '../../src/shared/payload-budget.js';
import type { Activities } from '../../src/supervisor/activities/index.js';
import type { RunMetricsSinks } from '../../src/supervisor/metrics/run-interceptor.js';
import { REPO_ROOT } from './paths.js';

const BUNDLE_PATH = `${REPO_ROOT}dist/workflow-bundle.js`;
const PAYLOAD_CONVERTER_PATH = `${REPO_ROOT}dist/src/supervisor/payload-converter.js`;

/** Worker lifecycle lines and the expected "Workflow failed" warnings would bury the test report: errors only. */
function quietRuntime(): void {
  try {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
  } catch {
    // This test process already has its runtime (installed once per process).
  }
}

export interface StubRunResult {
  /** The run's output: its result, or the details of its DbtRunFailed failure. */
  output: DbtRunOutput | null;
  /** The failure the run ended with (null when it completed). */
  failure: ApplicationFailure | null;
  workflowId: string;
  firstExecutionRunId: string;
  /** What the bundled run-metrics interceptor reported: `started <command>` / `finished <command> <status>`. */
  metrics: string[];
}

/** Starts `input` as a dbt_run served by a worker with `activities`, and waits for its end (across continue-as-new). */
export async function runWithStubs(address: string, activities: Activities, input: DbtRunInput): Promise<StubRunResult> {
  if (!existsSync(BUNDLE_PATH)) throw new Error(`${BUNDLE_PATH} is missing: run \`npm run build\` first`);
  quietRuntime();
  const metrics: string[] = [];
  const sinks: InjectedSinks<RunMetricsSinks> = {
    runMetrics: {
      started: { fn: (_info, command) => void metrics.push(`started ${command}`) },
      finished: { fn: (_info, command, status) => void metrics.push(`finished ${command} ${status}`) },
    },
  };
  const taskQueue = `stub-${randomUUID()}`;
  const workflowId = `stub-run-${randomUUID()}`;
  // As the worker connects: large runs' payloads are expected up to our budget.
  const nativeConnection = await NativeConnection.connect({ address, payloadLimits: { payloadsWarnSize: PAYLOAD_WARN_BYTES } });
  const connection = await Connection.connect({ address });
  try {
    const worker = await Worker.create({
      connection: nativeConnection, taskQueue, activities, sinks,
      workflowBundle: { codePath: BUNDLE_PATH },
      dataConverter: { payloadConverterPath: PAYLOAD_CONVERTER_PATH },
    });
    const client = new Client({ connection });
    const handle = await client.workflow.start(WORKFLOW_TYPE, { taskQueue, workflowId, args: [input], workflowExecutionTimeout: '2 minutes' });
    const base = { workflowId, firstExecutionRunId: handle.firstExecutionRunId, metrics };
    try {
      const output = await worker.runUntil(handle.result() as Promise<DbtRunOutput>);
      return { ...base, output, failure: null };
    } catch (err) {
      const cause = err instanceof WorkflowFailedError ? err.cause : undefined;
      if (!(cause instanceof ApplicationFailure)) throw err;
      return { ...base, output: (cause.details?.[0] as DbtRunOutput | undefined) ?? null, failure: cause };
    }
  } finally {
    await connection.close();
    await nativeConnection.close();
  }
}
