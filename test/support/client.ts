// Starts dbt_run workflows from tests through the real Temporal client.
import { randomUUID } from 'node:crypto';
import { Client, Connection, WorkflowFailedError, ApplicationFailure } from '@temporalio/client';
import type { DbtRunInput, DbtRunOutput } from '../../src/shared/contracts.js';
import { WORKFLOW_TYPE } from '../../src/shared/names.js';
import { failedRunOutput } from '../../src/supervisor/cli/run-failure.js';

export interface TestClient {
  client: Client;
  /** Starts a run and waits; failed runs resolve with their output and failure type. */
  run(taskQueue: string, input: DbtRunInput): Promise<RunResult>;
  close(): Promise<void>;
}

export interface RunResult {
  ok: boolean;
  output: DbtRunOutput | null;
  errorType: string | null;
  message: string | null;
  workflowId: string;
}

export async function connectClient(address: string): Promise<TestClient> {
  const connection = await Connection.connect({ address });
  const client = new Client({ connection });
  return {
    client,
    async run(taskQueue, input) {
      const workflowId = `test-${randomUUID()}`;
      const handle = await client.workflow.start(WORKFLOW_TYPE, { taskQueue, workflowId, args: [input] });
      try {
        const output = (await handle.result()) as DbtRunOutput;
        return { ok: true, output, errorType: null, message: null, workflowId };
      } catch (err) {
        if (!(err instanceof WorkflowFailedError)) throw err;
        const cause = err.cause;
        const type = cause instanceof ApplicationFailure ? (cause.type ?? null) : (cause?.name ?? null);
        const output = failedRunOutput(err);
        return { ok: false, output, errorType: type, message: cause?.message ?? err.message, workflowId };
      }
    },
    close: () => connection.close(),
  };
}

/** unique_id -> status of a run's node results. */
export function statusMap(output: DbtRunOutput | null): Map<string, string> {
  return new Map((output?.node_results ?? []).map((r) => [r.unique_id, r.status]));
}
