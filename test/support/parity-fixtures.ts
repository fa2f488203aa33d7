// The parity fixture projects and a worker serving them (one per test file).
import { inject } from 'vitest';
import { REPO_ROOT } from './paths.js';
import type { ParityProject } from './parity-steps.js';
import { startWorker } from './worker-process.js';
import type { WorkerProcess } from './worker-process.js';

/** Incremental, snapshot, microbatch, ephemerals, hooks, vars, env_var, custom schema/materialization, freshness. */
export const PARITY_MAIN: ParityProject = { name: 'parity_main', dir: `${REPO_ROOT}test/fixtures/parity_main` };
/** Syntax error (fixed by PARITY_FIX=1), failing error-severity test, warn test, failing unit test. */
export const PARITY_FAILING: ParityProject = { name: 'parity_failing', dir: `${REPO_ROOT}test/fixtures/parity_failing` };

/** A worker on a fresh task queue serving the given fixture projects. */
export async function startParityWorker(projects: ParityProject[], env: Record<string, string> = {}): Promise<WorkerProcess> {
  return startWorker({
    ...(process.env as Record<string, string>),
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    DBT_PROJECT_DIRS: projects.map((p) => p.dir).join(','),
    WORKER_MAX_CONCURRENT_ACTIVITIES: '4',
    ...env,
  });
}
