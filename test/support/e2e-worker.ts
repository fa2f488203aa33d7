// One end-to-end test file's worker: a scratch dir, the real worker CLI on the suite's Temporal
// dev server with the file's own settings, and a client; started before the file's tests and
// stopped (scratch removed) after them. Use it at the top level of a test file, or in a
// describe block for a worker per block. Services the settings need (Postgres, an emulator)
// come from the file's own beforeAll hooks registered before this call: they run first.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, inject } from 'vitest';
import type { DbtRunInput } from '../../src/shared/contracts.js';
import { connectClient } from './client.js';
import type { RunResult, TestClient } from './client.js';
import { startWorker } from './worker-process.js';
import type { WorkerProcess } from './worker-process.js';

/** How the file's worker is started beyond its env. */
export interface E2eWorkerOptions {
  /** The worker's working directory, given the scratch dir (created by `settings` if it is in there). @default the test process's */
  cwd?: (scratch: string) => string;
  /** How long a worker may take to connect. @default startWorker's (120 s) */
  startTimeoutMs?: number;
  /** The Temporal frontend, read when the hooks run (e.g. a dev server another beforeAll started). @default the suite's (`inject('temporalAddress')`) */
  temporalAddress?: () => string;
}

export interface E2eWorker {
  /** The file's scratch dir (removed after its tests). */
  readonly scratch: string;
  readonly worker: WorkerProcess;
  readonly client: TestClient;
  /** The Temporal frontend the worker and client use. */
  readonly address: string;
  /** The env `settings` gave the file's worker (on top of the test process's). */
  readonly settings: Record<string, string>;
  /** Starts a run on this worker's task queue and waits for it. */
  run(input: DbtRunInput): Promise<RunResult>;
  /** One more worker CLI on the same server with the test process's env plus `env` only (spread `settings` for the file's); stopped after the file's tests. */
  startAnother(env: Record<string, string>, opts?: { cwd?: string }): Promise<WorkerProcess>;
  /** Stops the file's worker now (idempotent); its logs stay readable. */
  stop(): Promise<void>;
  /** Stops the file's worker and starts it again with the same settings (on a fresh task queue), as a deploy does. */
  restart(): Promise<void>;
}

interface State {
  scratch?: string;
  address?: string;
  settings?: Record<string, string>;
  worker?: WorkerProcess;
  client?: TestClient;
  stopped: Set<WorkerProcess>;
  others: WorkerProcess[];
}

/**
 * Registers the file's worker: `settings(scratch)` gives the worker's env on top of the test
 * process's (it may prepare files in the scratch dir first).
 */
export function useE2eWorker(
  name: string,
  settings: (scratch: string) => Record<string, string> | Promise<Record<string, string>>,
  options: E2eWorkerOptions = {},
): E2eWorker {
  const state: State = { stopped: new Set(), others: [] };
  const need = <T>(v: T | undefined, what: string): T => {
    if (v === undefined) throw new Error(`${what} is not started yet (use it inside a test)`);
    return v;
  };
  const launch = (env: Record<string, string>, cwd: string | undefined): Promise<WorkerProcess> => startWorker(
    { ...(process.env as Record<string, string>), TEMPORAL_ADDRESS: need(state.address, 'the address'), ...env },
    { ...(cwd === undefined ? {} : { cwd }), ...(options.startTimeoutMs === undefined ? {} : { timeoutMs: options.startTimeoutMs }) },
  );
  const mainCwd = (): string | undefined => (options.cwd ? options.cwd(need(state.scratch, 'the scratch dir')) : undefined);
  const stop = async (w: WorkerProcess | undefined): Promise<void> => {
    if (!w || state.stopped.has(w)) return;
    state.stopped.add(w);
    await w.stop();
  };

  beforeAll(async () => {
    state.scratch = await mkdtemp(join(tmpdir(), `e2e-${name}-`));
    state.address = options.temporalAddress ? options.temporalAddress() : inject('temporalAddress');
    state.settings = await settings(state.scratch);
    [state.worker, state.client] = await Promise.all([launch(state.settings, mainCwd()), connectClient(state.address)]);
  });
  afterAll(async () => {
    await state.client?.close();
    await Promise.all([state.worker, ...state.others].map(stop));
    if (state.scratch) await rm(state.scratch, { recursive: true, force: true });
  });
  return {
    get scratch() { return need(state.scratch, 'the scratch dir'); },
    get worker() { return need(state.worker, 'the worker'); },
    get client() { return need(state.client, 'the client'); },
    get address() { return need(state.address, 'the address'); },
    get settings() { return need(state.settings, 'the settings'); },
    run: (input) => need(state.client, 'the client').run(need(state.worker, 'the worker').taskQueue, input),
    async startAnother(env, opts = {}) {
      const w = await launch(env, opts.cwd);
      state.others.push(w);
      return w;
    },
    stop: () => stop(state.worker),
    async restart() {
      await stop(state.worker);
      state.worker = await launch(need(state.settings, 'the settings'), mainCwd());
    },
  };
}
