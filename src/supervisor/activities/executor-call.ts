// The common frame of activities that hand work to the executor: look up the project, keep
// heartbeating while the task runs, forward cancellation, and keep DuckDB tasks one at a time.
import { Context } from '@temporalio/activity';
import { CancelledFailure } from '@temporalio/common';
import type { ExecutorResult, ExecutorTask } from '../../shared/executor-protocol.js';
import type { ResolvedProject } from '../projects/resolve-cache.js';
import type { RunEnvAnswer } from '../../shared/run-status.js';
import { rethrowCoded } from './deps.js';
import type { ActivityDeps } from './deps.js';

// Well under the shortest heartbeat timeout allowed (10 s, see project-settings.ts); the SDK
// throttles what it sends to the server to 80% of the activity's heartbeat timeout.
const HEARTBEAT_INTERVAL_MS = 2_000;

/** The project a run asked for, or a PROJECT_NOT_FOUND failure. */
export function pickProject(deps: ActivityDeps, name: string | null): ResolvedProject {
  try {
    return deps.cache.pick(name);
  } catch (err) {
    rethrowCoded(err);
  }
}

/** The run's env (a coded failure, retryable, when the run cannot be asked). */
export async function runEnvOf(deps: ActivityDeps, carried?: Record<string, string> | null, opts?: { remember?: boolean }): Promise<RunEnvAnswer> {
  try {
    return await deps.runEnv.current(carried, opts);
  } catch (err) {
    rethrowCoded(err);
  }
}

/** DuckDB allows one writing process per database file: its tasks share one lock. */
export function singleWriterKeyFor(project: ResolvedProject): string | null {
  return project.graph.adapterType === 'duckdb' ? 'duckdb' : null;
}

/**
 * Runs `task` (built once heartbeating has started) on the executor; `warehouse` is the run's
 * database from its plan (DuckDB tasks on one database never overlap outside its engine).
 */
export async function runOnExecutor(deps: ActivityDeps, project: ResolvedProject, build: () => Promise<ExecutorTask> | ExecutorTask, warehouse?: string | null): Promise<ExecutorResult> {
  const ctx = Context.current();
  // No heartbeat up front: a node that ends within the interval costs no heartbeat round trip
  // (the first one the SDK sends goes out at once, later ones are throttled).
  const timer = setInterval(() => ctx.heartbeat(), HEARTBEAT_INTERVAL_MS);
  try {
    const result = await deps.executor.run(await build(), { signal: ctx.cancellationSignal, singleWriterKey: warehouse ?? singleWriterKeyFor(project) });
    // Paused or reset from Temporal (UI, CLI): the task was cancelled (its query too; whatever
    // error that gave). A CancelledFailure lets the SDK report the pause or reset, so the server
    // holds the node (paused) or restarts it instead of failing it.
    const why = ctx.cancellationDetails;
    if (result.type === 'error' && (why?.paused || why?.reset)) throw new CancelledFailure(why.paused ? 'paused' : 'reset');
    return result;
  } finally {
    clearInterval(timer);
  }
}
