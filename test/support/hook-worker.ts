// A second worker in the test process serving `hook_echo` on its own queue, and readers for the
// child workflows a run started (from its Temporal history).
import { fileURLToPath } from 'node:url';
import { NativeConnection, Worker } from '@temporalio/worker';
import type { TestClient } from './client.js';

export interface HookWorker {
  stop(): Promise<void>;
}

export async function startHookWorker(address: string, taskQueue: string): Promise<HookWorker> {
  const connection = await NativeConnection.connect({ address });
  const worker = await Worker.create({ connection, taskQueue, workflowsPath: fileURLToPath(new URL('./hook-echo-workflow.ts', import.meta.url)) });
  const running = worker.run();
  return {
    async stop() {
      worker.shutdown();
      await running;
      await connection.close();
    },
  };
}

export interface ChildStart {
  workflowId: string;
  workflowType: string;
  taskQueue: string;
  input: unknown;
  executionTimeoutSecs: number;
  parentClosePolicy: string;
  /** Position in the parent's history. */
  at: number;
}

/** The children a workflow started, in order, and where its first node activity was scheduled. */
export async function childStarts(client: TestClient, workflowId: string): Promise<{ children: ChildStart[]; firstNodeAt: number; lastNodeAt: number }> {
  const events = (await client.client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
  const children: ChildStart[] = [];
  let firstNodeAt = -1;
  let lastNodeAt = -1;
  events.forEach((e, at) => {
    const c = e.startChildWorkflowExecutionInitiatedEventAttributes;
    if (c) {
      const data = c.input?.payloads?.[0]?.data;
      children.push({
        workflowId: c.workflowId ?? '', workflowType: c.workflowType?.name ?? '', taskQueue: c.taskQueue?.name ?? '',
        input: data ? JSON.parse(Buffer.from(data).toString('utf8')) : null,
        executionTimeoutSecs: Number(c.workflowExecutionTimeout?.seconds ?? 0), parentClosePolicy: String(c.parentClosePolicy), at,
      });
    }
    if (e.activityTaskScheduledEventAttributes?.activityType?.name === 'execute_node') {
      if (firstNodeAt < 0) firstNodeAt = at;
      lastNodeAt = at;
    }
  });
  return { children, firstNodeAt, lastNodeAt };
}
