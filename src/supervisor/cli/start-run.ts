// Client side of a run: start `dbt_run` on a task queue and wait for its DbtRunOutput,
// which is returned both on success and on failure (from the failure's details).
import { randomUUID } from 'node:crypto';
import { ApplicationFailure, Client, Connection, WorkflowFailedError } from '@temporalio/client';
import type { ConnectionOptions } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import type { DbtRunInput, DbtRunOutput } from '../../shared/contracts.js';
import { WORKFLOW_TYPE } from '../../shared/names.js';
import { failedRunOutput } from './run-failure.js';
import type { Display } from './display.js';
import { watchProgress } from './progress.js';

export interface StartRunOptions {
  address: string;
  namespace: string;
  taskQueue: string;
  input: DbtRunInput;
  workflowId?: string;
  /** Live progress while waiting; none when absent (e.g. --json). */
  display?: Display;
  /** Called once the workflow is started (to print its UI link). */
  onStarted?: (run: { workflowId: string; runId: string }) => void;
  /** TLS / mTLS and API key, as the worker connects (TEMPORAL_TLS_*, TEMPORAL_API_KEY). @default plain */
  tls?: ConnectionOptions['tls'];
  apiKey?: string;
  /** The payload codec the workers use (DBT_TEMPORAL_CODEC_KEYS). @default none */
  codec?: PayloadCodec;
}

export type RunOutcome = (
  | { kind: 'completed'; output: DbtRunOutput }
  | { kind: 'failed'; output: DbtRunOutput }
  | { kind: 'rejected'; errorType: string; message: string }
) & { workflowId: string; runId: string; /** dbt lines the display showed live. */ shownLines: number };

export async function startRunAndWait(opts: StartRunOptions): Promise<RunOutcome> {
  const connection = await Connection.connect({
    address: opts.address,
    ...(opts.tls ? { tls: opts.tls } : {}),
    ...(opts.apiKey ? { apiKey: opts.apiKey } : {}),
  });
  try {
    const client = new Client({ connection, namespace: opts.namespace, ...(opts.codec ? { dataConverter: { payloadCodecs: [opts.codec] } } : {}) });
    const handle = await client.workflow.start(WORKFLOW_TYPE, {
      taskQueue: opts.taskQueue,
      workflowId: opts.workflowId ?? `dbt-run-${randomUUID()}`,
      args: [opts.input],
    });
    const ids = { workflowId: handle.workflowId, runId: handle.firstExecutionRunId };
    opts.onStarted?.(ids);
    const progress = opts.display ? watchProgress(handle, opts.display) : null;
    const seen = async () => {
      await progress?.stop();
      return { ...ids, shownLines: progress?.shownLines ?? 0 };
    };
    try {
      const output = (await handle.result()) as DbtRunOutput;
      return { kind: 'completed', output, ...(await seen()) };
    } catch (err) {
      if (!(err instanceof WorkflowFailedError)) throw err;
      const cause = err.cause;
      const output = failedRunOutput(err);
      if (output) return { kind: 'failed', output, ...(await seen()) };
      const type = cause instanceof ApplicationFailure ? (cause.type ?? 'Error') : (cause?.name ?? 'Error');
      return { kind: 'rejected', errorType: type, message: cause?.message ?? err.message, ...(await seen()) };
    } finally {
      await progress?.stop();
    }
  } finally {
    await connection.close();
  }
}
