// The `dbt_run` workflow, in phases: validate -> configure -> plan (or resume a carried run)
// -> execute nodes as soon as their parents are done -> finalize (artifacts, output, status).
// Failures skip everything downstream, as in dbt.
import { ActivityFailure, ApplicationFailure, patched, proxyActivities, proxyLocalActivities, workflowInfo } from '@temporalio/workflow';
import type { DbtRunInput, DbtRunOutput, HookError } from '../../shared/contracts.js';
import { DEFAULT_RUN_OPTIONS } from '../../shared/run-options.js';
import { canonicalRunInput, effectiveEnv } from '../../shared/run-input-json.js';
import { parseRunInput, withoutEnv } from '../../shared/input.js';
import { workflowFailure } from '../../shared/workflow-failure.js';
import type { RunRequest } from '../../shared/input.js';
import type { ExecutionPlan } from '../../shared/plan.js';
import { unpackPlan } from '../../shared/plan-pack.js';
import { RunTracker } from '../../shared/run-tracker.js';
import type { Activities } from '../activities/index.js';
import { cancelledRun, isActivityCancelled, watchCancellation } from './cancellation.js';
import { continueRun, readResume } from './continue-as-new.js';
import { MAX_IN_FLIGHT, executeNodes } from './execute.js';
import { buildOutput, closeLog, concludeRun, finishRun, storeArtifacts } from './finalize.js';
import { hooksFor, postRun, preRun } from './lifecycle-phases.js';
import { ProgressMemos, publishCommand, showDetails } from './memos.js';
import { SearchAttributePublisher } from './search-attributes.js';
import { RunSession } from './session.js';
import { emptyHookOutcome, reportListing, runHookPhase } from './project-hooks.js';
import { installHandlers } from './status.js';
import { leaveAskedPresence } from './coordination.js';
import { reportPlanOnly } from './reuse.js';

/** plan_project with the project's timeouts.plan_secs (resolve_config reads it). */
function planActivity(planSecs: number | undefined) {
  return proxyActivities<Activities>({
    startToCloseTimeout: (planSecs ?? DEFAULT_RUN_OPTIONS.timeouts.plan_secs) * 1000,
    retry: { maximumAttempts: 3, initialInterval: '2 seconds' },
  }).plan_project;
}
const { resolve_config } = proxyLocalActivities<Activities>({ startToCloseTimeout: '10 seconds' });
const { release_run } = proxyLocalActivities<Activities>({ startToCloseTimeout: '30 seconds', retry: { maximumAttempts: 1 } });

/**
 * Runs started since this patch free their engines after on-run-end, whose hooks (warm mode) run
 * in the run's context, with its database; older runs (replayed from their history) before it.
 */
export const RELEASE_AFTER_END_HOOKS_PATCH = 'release-after-end-hooks';

/** Frees the run's engines on this worker (a DuckDB database is readable once the run is out). */
async function releaseRun(invocationId: string): Promise<void> {
  try {
    await release_run({ invocation_id: invocationId });
  } catch {
    // Contexts close on their own when idle; a failed release never fails the run.
  }
}

function validate(raw: DbtRunInput | undefined): RunRequest {
  try {
    return parseRunInput(raw);
  } catch (err) {
    throw workflowFailure({ kind: 'invalid-input' }, (err as Error).message);
  }
}

async function plan(request: RunRequest, invocationId: string, planSecs: number | undefined): Promise<ExecutionPlan> {
  try {
    // Packed to fit Temporal's payload limit (workers of older versions answer plain).
    return unpackPlan(await planActivity(planSecs)({ request: withoutEnv(request), invocation_id: invocationId, pack: true, ask_presence: true }));
  } catch (err) {
    // Surface the planning error itself (bad selector, unknown project) as the run's failure,
    // final even when its code was retryable: plan_project's retries already ran (failures.ts).
    if (isActivityCancelled(err)) throw cancelledRun();
    const cause = err instanceof ActivityFailure ? err.cause : undefined;
    if (cause instanceof ApplicationFailure) throw workflowFailure({ kind: 'plan-failed', type: cause.type }, cause.message);
    throw err;
  }
}

export async function dbt_run(raw?: DbtRunInput): Promise<DbtRunOutput> {
  const startedAtMs = Date.now();
  const request = validate(raw);
  const carried = readResume(raw);
  const session = new RunSession(carried?.invocation_id ?? workflowInfo().firstExecutionRunId, carried?.segment ?? 0, request.fail_fast);
  session.env = request.env;
  session.runInputJson = JSON.stringify(canonicalRunInput(raw));
  installHandlers(session);
  const cancel = watchCancellation();

  // Configure: worker-side settings; memos and search attributes of a fresh run.
  const config = await resolve_config({ project: request.project });
  const sa = new SearchAttributePublisher(config);
  if (!carried) {
    publishCommand(request);
    sa.initial(request);
  }

  // Plan (or resume the carried plan: a continued run never re-plans).
  session.phase = 'planning';
  const tracker = carried
    ? new RunTracker(carried)
    : RunTracker.start(await plan(request, session.invocationId, config.plan_secs), { invocationId: session.invocationId, failFast: request.fail_fast, startedAtMs, maxInFlight: MAX_IN_FLIGHT });
  session.attach(tracker);
  if (!carried) {
    sa.planned(tracker.plan.project);
    showDetails(`planned ${tracker.total} nodes`);
  }

  // `list` reports the plan; other commands run the project's on-run-start hooks first.
  const hooks = emptyHookOutcome();
  hooks.start.push(...(carried?.hook_start ?? []));
  if (tracker.plan.command === 'list') {
    reportListing(tracker);
    session.phase = 'finalizing';
    return finishRun(tracker, null, new ProgressMemos(), sa, hooks);
  }
  // As dbt: a selection that matches nothing runs no hook and no node, and succeeds ("Nothing to do").
  if (tracker.total === 0) {
    session.phase = 'finalizing';
    const artifacts = config.artifacts_enabled ? await storeArtifacts(tracker, request) : null;
    session.phase = 'done';
    return finishRun(tracker, artifacts, new ProgressMemos(), sa, hooks);
  }

  // `plan_only`: what would be built or reused, and why, without building anything.
  if (request.plan_only) {
    const preview = reportPlanOnly(tracker, new Date().toISOString());
    session.phase = 'finalizing';
    closeLog(tracker);
    const output = { ...buildOutput(tracker, null, hooks), plan: preview };
    return concludeRun(tracker, output, new ProgressMemos(), sa);
  }

  // Lifecycle pre_run hooks (first segment only): may skip the run or add env vars. Nodes and
  // project hooks then run with the effective env (`_` = the input as JSON).
  const lifecycle = hooksFor(request, tracker);
  const hookErrors: HookError[] = [...(carried?.hook_errors ?? [])];
  let extraEnv = carried?.extra_env ?? {};
  const where = { project: tracker.plan.project, invocationId: session.invocationId, startedAtMs: tracker.startedAtMs, warehouse: tracker.plan.warehouse ?? null, options: tracker.plan.options };
  let run: RunRequest = request;
  // The plan may have asked the run's scope presence: a run that ends before its nodes (skipped,
  // failed or cancelled in its hooks) gives it back.
  let reachedNodes = false;
  try {
    if (!carried) {
      session.phase = 'pre_run_hooks';
      const pre = await preRun(raw, lifecycle, tracker, sa, hookErrors);
      if (pre.skipped) {
        session.phase = 'done';
        return pre.skipped;
      }
      extraEnv = pre.extraEnv;
    }
    run = { ...request, env: effectiveEnv(raw, request.env, extraEnv, tracker.plan.reads_run_input ?? false) };
    // Activities ask for the env (RUN_ENV_QUERY); their inputs carry none.
    session.env = run.env;
    if (!carried && tracker.plan.has_on_run_start) await runHookPhase('start', run, where, [], hooks);
    reachedNodes = true;
  } finally {
    if (!reachedNodes && !carried) leaveAskedPresence(tracker.plan, session.invocationId);
  }

  // Execute.
  session.phase = 'executing';
  const memos = new ProgressMemos();
  const outcome = await executeNodes(tracker, run, cancel, memos, config.priority_scheduling ?? false);
  if (outcome === 'continue') {
    memos.publish(tracker, true);
    showDetails(`continuing as new (segment ${tracker.segment + 1}) with ${tracker.status().pending} nodes to go`);
    return continueRun(raw, { ...tracker.carry(), extra_env: extraEnv, hook_errors: [...hookErrors, ...hooks.errors], hook_start: hooks.start });
  }

  // Finalize.
  const endHooks = outcome !== 'cancelled' && tracker.plan.has_on_run_end;
  const releaseAfterEndHooks = endHooks && patched(RELEASE_AFTER_END_HOOKS_PATCH);
  if (!releaseAfterEndHooks) await releaseRun(session.invocationId);
  session.phase = 'finalizing';
  closeLog(tracker);
  if (outcome === 'cancelled') {
    memos.publish(tracker, true);
    sa.status('cancelled');
    showDetails('cancelled');
    throw cancelledRun();
  }
  if (endHooks) {
    const slim = tracker.resultsInOrder().map((r) => ({ ...r, compiled_code: null, timing: [] }));
    await runHookPhase('end', run, where, slim, hooks);
    if (releaseAfterEndHooks) await releaseRun(session.invocationId);
  }
  const artifacts = config.artifacts_enabled ? await storeArtifacts(tracker, run, config.write_catalog ?? false, hooks) : null;
  const output = buildOutput(tracker, artifacts, hooks);
  output.hook_errors.unshift(...hookErrors);
  const hookFailure = await postRun(raw, lifecycle, tracker, output);
  session.phase = 'done';
  return concludeRun(tracker, output, memos, sa, hookFailure);
}
