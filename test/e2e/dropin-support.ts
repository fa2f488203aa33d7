// Shared set-up of the drop-in tests: Postgres, a worker serving the two dropin projects (the
// one e2e harness), a hook_echo worker on the queue their dbt_temporal.yml names, and runs
// started the way a Rust dbt-temporal user starts them (`temporal workflow start`).
import { randomUUID } from 'node:crypto';
import { execa } from 'execa';
import { afterAll, beforeAll, inject } from 'vitest';
import type { DbtRunInput } from '../../src/shared/contracts.js';
import type { TestClient } from '../support/client.js';
import { useE2eWorker } from '../support/e2e-worker.js';
import { startHookWorker } from '../support/hook-worker.js';
import type { HookWorker } from '../support/hook-worker.js';
import { REPO_ROOT } from '../support/paths.js';
import type { PgServer } from '../support/postgres.js';
import { usePostgres } from '../support/use-postgres.js';
import type { WorkerProcess } from '../support/worker-process.js';

export const DROPIN = `${REPO_ROOT}test/fixtures/dropin_pg`;
export const DROPIN_RETRY = `${REPO_ROOT}test/fixtures/dropin_retry`;
/** The queue the fixtures' dbt_temporal.yml sends hooks to. */
export const HOOK_QUEUE = 'dropin-hooks';
export const echo = (extra: Record<string, unknown> = {}) => ({ workflow_type: 'hook_echo', task_queue: HOOK_QUEUE, ...extra });

export interface DropinEnv {
  readonly pg: PgServer;
  readonly worker: WorkerProcess;
  readonly client: TestClient;
}

/** Registers the file's Postgres and hook_echo worker, then its dbt worker (useE2eWorker) serving the two dropin projects; valid inside tests. */
export function useDropin(): DropinEnv {
  const pg = usePostgres();
  let hooks: HookWorker | undefined;
  beforeAll(async () => {
    hooks = await startHookWorker(inject('temporalAddress'), HOOK_QUEUE);
  });
  afterAll(async () => {
    await hooks?.stop();
  });
  const e2e = useE2eWorker('dropin', () => ({ DBT_PROJECT_DIRS: `${DROPIN},${DROPIN_RETRY}`, WORKER_MAX_CONCURRENT_ACTIVITIES: '4' }));
  return {
    pg,
    get worker() { return e2e.worker; },
    get client() { return e2e.client; },
  };
}

/** `temporal workflow start --type dbt_run --input '{...}'`; returns the workflow id. */
export async function temporalStart(taskQueue: string, input: DbtRunInput): Promise<string> {
  const workflowId = `dropin-${randomUUID().slice(0, 8)}`;
  await execa(`${REPO_ROOT}.venv/bin/temporal`, ['workflow', 'start', '--address', inject('temporalAddress'), '--type', 'dbt_run',
    '--task-queue', taskQueue, '--workflow-id', workflowId, '--input', JSON.stringify(input)]);
  return workflowId;
}

/** Polls a workflow until it is closed; returns its status name. */
export async function closedStatus(client: TestClient, workflowId: string, timeoutMs = 60_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const d = await client.client.workflow.getHandle(workflowId).describe();
    if (d.status.name !== 'RUNNING') return d.status.name;
    if (Date.now() > deadline) throw new Error(`${workflowId} still running`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
