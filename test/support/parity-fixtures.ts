// The parity fixture projects and the env of a worker serving them (one per test file).
import { REPO_ROOT } from './paths.js';
import type { ParityProject } from './parity-steps.js';

/** Incremental, snapshot, microbatch, ephemerals, hooks, vars, env_var, custom schema/materialization, freshness. */
export const PARITY_MAIN: ParityProject = { name: 'parity_main', dir: `${REPO_ROOT}test/fixtures/parity_main` };
/** Syntax error (fixed by PARITY_FIX=1), failing error-severity test, warn test, failing unit test. */
export const PARITY_FAILING: ParityProject = { name: 'parity_failing', dir: `${REPO_ROOT}test/fixtures/parity_failing` };

/** The worker env (on top of the test process's) that serves the given fixture projects: `useE2eWorker`'s settings. */
export function parityWorkerEnv(projects: ParityProject[], env: Record<string, string> = {}): Record<string, string> {
  return { DBT_PROJECT_DIRS: projects.map((p) => p.dir).join(','), WORKER_MAX_CONCURRENT_ACTIVITIES: '4', ...env };
}
