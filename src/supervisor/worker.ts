// Assembles the Temporal worker: connection, prebuilt workflow bundle, injected activities.
import { fileURLToPath } from 'node:url';
import { NativeConnection, Worker } from '@temporalio/worker';
import type { Activities } from './activities/index.js';
import type { Config } from './config/config.js';

export const WORKFLOW_BUNDLE_PATH = fileURLToPath(new URL('../../workflow-bundle.js', import.meta.url));

export async function createTemporalWorker(config: Config, activities: Activities): Promise<{ worker: Worker; connection: NativeConnection }> {
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  try {
    const worker = await Worker.create({
      connection,
      namespace: config.temporal.namespace,
      taskQueue: config.temporal.taskQueue,
      workflowBundle: { codePath: WORKFLOW_BUNDLE_PATH },
      activities,
      identity: `dbt-temporal-worker@${process.pid}`,
      maxConcurrentActivityTaskExecutions: config.worker.maxConcurrentActivities,
      maxConcurrentWorkflowTaskExecutions: config.worker.maxConcurrentWorkflowTasks,
    });
    return { worker, connection };
  } catch (err) {
    await connection.close();
    throw err;
  }
}
