// One end-to-end test file's worker: a scratch dir, the real worker CLI on the suite's Temporal
// dev server with the file's own settings, and a client; started before the file's tests and
// stopped (scratch removed) after them. Use it at the top level of a test file.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, inject } from 'vitest';
import type { DbtRunInput } from '../../src/shared/contracts.js';
import { connectClient } from './client.js';
import type { RunResult, TestClient } from './client.js';
import { startWorker } from './worker-process.js';
import type { WorkerProcess } from './worker-process.js';

export interface E2eWorker {
  /** The file's scratch dir (removed after its tests). */
  readonly scratch: string;
  readonly worker: WorkerProcess;
  readonly client: TestClient;
  /** Starts a run on this worker's task queue and waits for it. */
  run(input: DbtRunInput): Promise<RunResult>;
}

/**
 * Registers the file's worker: `settings(scratch)` gives the worker's env on top of the test
 * process's (it may prepare files in the scratch dir first).
 */
export function useE2eWorker(name: string, settings: (scratch: string) => Record<string, string> | Promise<Record<string, string>>): E2eWorker {
  const state: { scratch?: string; worker?: WorkerProcess; client?: TestClient } = {};
  const need = <T>(v: T | undefined, what: string): T => {
    if (v === undefined) throw new Error(`${what} is not started yet (use it inside a test)`);
    return v;
  };
  beforeAll(async () => {
    state.scratch = await mkdtemp(join(tmpdir(), `e2e-${name}-`));
    const env = await settings(state.scratch);
    const address = inject('temporalAddress');
    [state.worker, state.client] = await Promise.all([
      startWorker({ ...(process.env as Record<string, string>), TEMPORAL_ADDRESS: address, ...env }),
      connectClient(address),
    ]);
  });
  afterAll(async () => {
    await state.client?.close();
    await state.worker?.stop();
    if (state.scratch) await rm(state.scratch, { recursive: true, force: true });
  });
  return {
    get scratch() { return need(state.scratch, 'the scratch dir'); },
    get worker() { return need(state.worker, 'the worker'); },
    get client() { return need(state.client, 'the client'); },
    run: (input) => need(state.client, 'the client').run(need(state.worker, 'the worker').taskQueue, input),
  };
}
