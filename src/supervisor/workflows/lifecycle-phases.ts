// Where the lifecycle hooks sit in a run: pre_run after planning (it may skip the run or add env
// vars), on_success / on_failure once the output is known (a failing `fail` hook fails the run).
import type { DbtRunInput, DbtRunOutput, HookError } from '../../shared/contracts.js';
import { noHooks } from '../../shared/hooks-config.js';
import type { HooksConfig } from '../../shared/hooks-config.js';
import type { RunRequest } from '../../shared/input.js';
import { canonicalRunInput } from '../../shared/run-input-json.js';
import type { RunTracker } from '../../shared/run-tracker.js';
import { workflowFailure } from '../../shared/workflow-failure.js';
import { elapsedSeconds } from './finalize.js';
import { HookFailed, hookPayload, runLifecycleHooks } from './lifecycle-hooks.js';
import { showDetails } from './memos.js';
import type { SearchAttributePublisher } from './search-attributes.js';

/** The run's hooks: the input's `hooks` replaces the file's entirely. */
export function hooksFor(request: RunRequest, tracker: RunTracker): HooksConfig {
  return request.hooks ?? tracker.plan.options?.hooks ?? noHooks();
}

function outputShell(tracker: RunTracker, hookErrors: HookError[]): DbtRunOutput {
  return {
    invocation_id: tracker.invocationId, project: tracker.plan.project, command: tracker.plan.command, success: true, skipped: false,
    node_results: [], elapsed_time: elapsedSeconds(tracker), artifacts: null, log_path: null, hook_errors: hookErrors,
  };
}

/**
 * Runs the pre_run hooks. Returns the env they add, or the output of a run they skipped; a
 * failing `on_error: fail` hook fails the run before any node ran.
 */
export async function preRun(raw: DbtRunInput | undefined, hooks: HooksConfig, tracker: RunTracker, sa: SearchAttributePublisher, hookErrors: HookError[]): Promise<{ extraEnv: Record<string, string>; skipped: DbtRunOutput | null }> {
  if (hooks.pre_run.length === 0) return { extraEnv: {}, skipped: null };
  try {
    const outcome = await runLifecycleHooks(hooks.pre_run, hookPayload('pre_run', tracker.invocationId, canonicalRunInput(raw), tracker.plan, null));
    hookErrors.push(...outcome.errors);
    if (!outcome.skip) return { extraEnv: outcome.extraEnv, skipped: null };
    sa.status('skipped');
    showDetails('skipped by pre_run hook');
    return { extraEnv: outcome.extraEnv, skipped: { ...outputShell(tracker, hookErrors), skipped: true, skip_reason: outcome.skipReason } };
  } catch (err) {
    if (!(err instanceof HookFailed)) throw err;
    sa.status('failed');
    showDetails(`FAILED: ${err.message}`);
    throw workflowFailure({ kind: 'run-failed' }, err.message, [{ ...outputShell(tracker, hookErrors), success: false }]);
  }
}

/** Runs on_success or on_failure with the output; returns why the run must fail, if a `fail` hook failed. */
export async function postRun(raw: DbtRunInput | undefined, hooks: HooksConfig, tracker: RunTracker, output: DbtRunOutput): Promise<string | null> {
  const list = output.success ? hooks.on_success : hooks.on_failure;
  if (list.length === 0) return null;
  try {
    const outcome = await runLifecycleHooks(list, hookPayload(output.success ? 'on_success' : 'on_failure', tracker.invocationId, canonicalRunInput(raw), tracker.plan, output));
    output.hook_errors.push(...outcome.errors);
    return null;
  } catch (err) {
    if (err instanceof HookFailed) return err.message;
    throw err;
  }
}
