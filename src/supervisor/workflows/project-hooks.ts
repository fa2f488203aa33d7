// dbt's project hooks (on-run-start / on-run-end) once per run, and the `list` command, which
// plans and reports without executing anything.
import { ActivityFailure, ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import type { HookError, NodeResult } from '../../shared/contracts.js';
import { withoutEnv } from '../../shared/input.js';
import type { RunRequest } from '../../shared/input.js';
import { projectHookActivityOptions } from '../../shared/run-options.js';
import type { ProjectRunOptions } from '../../shared/run-options.js';
import type { RunTracker } from '../../shared/run-tracker.js';
import { syntheticResult } from '../../shared/run-tracker.js';
import type { Activities } from '../activities/index.js';

/** Hooks run arbitrary SQL with side effects: retried only where retry.project_hooks asks. */
function hooksActivity(options: ProjectRunOptions | undefined, phase: 'start' | 'end') {
  return proxyActivities<Activities>(projectHookActivityOptions(options, phase)).run_project_hooks;
}

/** Results and errors of the project hooks of one run, in the order dbt reports them. */
export interface HookOutcome {
  start: NodeResult[];
  end: NodeResult[];
  errors: HookError[];
}

export function emptyHookOutcome(): HookOutcome {
  return { start: [], end: [], errors: [] };
}

/**
 * Runs one hook phase. A failing hook is recorded as an `error` result (as dbt records it in
 * run_results) and in hook_errors; like dbt, the run goes on and ends failed.
 */
export async function runHookPhase(
  phase: 'start' | 'end',
  request: RunRequest,
  run: { project: string; invocationId: string; startedAtMs?: number; warehouse?: string | null; options?: ProjectRunOptions | undefined },
  results: NodeResult[],
  into: HookOutcome,
): Promise<void> {
  const { project } = run;
  const label = phase === 'start' ? 'on_run_start' : 'on_run_end';
  try {
    const { hooks } = await hooksActivity(run.options, phase)({
      request: withoutEnv(request), project, phase, results, invocation_id: run.invocationId, warehouse: run.warehouse ?? null,
      ...(run.startedAtMs !== undefined ? { run_started_at: new Date(run.startedAtMs).toISOString() } : {}),
    });
    into[phase].push(...hooks);
    for (const hook of hooks.filter((h) => h.status === 'error')) {
      into.errors.push({ hook_workflow_type: label, event: label, error: `${hook.unique_id}: ${hook.message ?? 'failed'}` });
    }
  } catch (err) {
    const cause = err instanceof ActivityFailure ? err.cause : err;
    if (cause instanceof Error && cause.name === 'CancelledFailure') throw err;
    const message = cause instanceof ApplicationFailure ? cause.message : String((cause as Error | undefined)?.message ?? err);
    into[phase].push(syntheticResult(`operation.${project}.${project}-on-run-${phase}`, 'error', message));
    into.errors.push({ hook_workflow_type: label, event: label, error: message });
  }
}

/**
 * `list`: every planned node reported as `success`, nothing executed; the log is what `dbt ls`
 * prints (its warnings, then the listing), with no run lines.
 */
export function reportListing(tracker: RunTracker): void {
  for (let batch = tracker.take(tracker.total); batch.length > 0; batch = tracker.take(tracker.total)) {
    for (const node of batch) tracker.finish({ ...syntheticResult(node.unique_id, 'success', ''), message: null });
  }
  tracker.log.splice(0, tracker.log.length, ...(tracker.plan.warnings ?? []), ...(tracker.plan.listing ?? []));
}
