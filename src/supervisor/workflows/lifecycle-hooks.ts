// Lifecycle hooks (dbt_temporal.yml `hooks:` or the input's `hooks`) as child workflows, as the
// Rust dbt-temporal runs them: sequentially in list order, each with its on_error policy;
// a pre_run hook may skip the run or add env vars, fire-and-forget hooks are only started.
import { ApplicationFailure, ChildWorkflowCancellationType, ParentClosePolicy, TemporalFailure, isCancellation, startChild, workflowInfo } from '@temporalio/workflow';
import type { DbtRunOutput, HookError, JsonValue } from '../../shared/contracts.js';
import type { HookConfig, HookEvent } from '../../shared/hooks-config.js';
import { jsonSize, PAYLOAD_BUDGET_BYTES } from '../../shared/payload-budget.js';
import type { ExecutionPlan } from '../../shared/plan.js';

/** What a hook child receives unless its `input` replaces it. */
export interface HookPayload {
  event: HookEvent;
  invocation_id: string;
  input: Record<string, JsonValue>;
  plan: ExecutionPlan | (Omit<ExecutionPlan, 'nodes'> & { nodes: []; nodes_omitted: number });
  output: DbtRunOutput | null;
}

export interface HookRunOutcome {
  errors: HookError[];
  skip: boolean;
  skipReason: string | null;
  extraEnv: Record<string, string>;
}

/** A hook with `on_error: fail` failed: the message says which and why. */
export class HookFailed extends Error {
  override readonly name = 'HookFailed';
}

/** The payload, with the plan's node list left out when it alone would crowd the payload limit. */
export function hookPayload(event: HookEvent, invocationId: string, input: Record<string, JsonValue>, plan: ExecutionPlan, output: DbtRunOutput | null): HookPayload {
  const fits = jsonSize(plan) + (output ? jsonSize(output) : 0) < PAYLOAD_BUDGET_BYTES;
  return { event, invocation_id: invocationId, input, plan: fits ? plan : { ...plan, nodes: [], nodes_omitted: plan.nodes.length }, output };
}

function describeFailure(err: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = err; e instanceof Error && parts.length < 4; e = e instanceof TemporalFailure || e instanceof ApplicationFailure ? e.cause : undefined) parts.push(e.message);
  return parts.filter((p) => p !== '').join(': ') || String(err);
}

/** A pre_run result that skips the run: `false`, or `{"skip": true[, "reason": ...]}`. */
function skipOf(value: unknown): { skip: boolean; reason: string | null } {
  if (value === false) return { skip: true, reason: null };
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && (value as { skip?: unknown }).skip === true) {
    const reason = (value as { reason?: unknown }).reason;
    return { skip: true, reason: typeof reason === 'string' ? reason : null };
  }
  return { skip: false, reason: null };
}

/** `{"extra_env": {...}}`: its string values (others are ignored). */
function extraEnvOf(value: unknown): Record<string, string> {
  const extra = typeof value === 'object' && value !== null ? (value as { extra_env?: unknown }).extra_env : undefined;
  if (typeof extra !== 'object' || extra === null || Array.isArray(extra)) return {};
  return Object.fromEntries(Object.entries(extra).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

async function runOne(hook: HookConfig, index: number, payload: HookPayload): Promise<unknown> {
  const handle = await startChild(hook.workflow_type, {
    workflowId: `${workflowInfo().workflowId}-hook-${payload.event}-${index}-${hook.workflow_type}`,
    taskQueue: hook.task_queue,
    args: [hook.input ?? payload],
    workflowExecutionTimeout: hook.timeout_secs * 1000,
    parentClosePolicy: hook.fire_and_forget ? ParentClosePolicy.ABANDON : ParentClosePolicy.TERMINATE,
    // A cancelled run does not wait for its hooks to acknowledge the cancellation.
    cancellationType: ChildWorkflowCancellationType.ABANDON,
    staticSummary: `${payload.event} hook #${index}: ${hook.workflow_type} (queue: ${hook.task_queue}${hook.fire_and_forget ? ', fire-and-forget' : ''})`,
  });
  return hook.fire_and_forget ? undefined : handle.result();
}

/** Runs the event's hooks in order; throws HookFailed when an `on_error: fail` hook fails. */
export async function runLifecycleHooks(hooks: readonly HookConfig[], payload: HookPayload): Promise<HookRunOutcome> {
  const out: HookRunOutcome = { errors: [], skip: false, skipReason: null, extraEnv: {} };
  for (const [index, hook] of hooks.entries()) {
    let result: unknown;
    try {
      result = await runOne(hook, index, payload);
    } catch (err) {
      if (isCancellation(err)) throw err;
      const error = describeFailure(err);
      if (hook.on_error === 'fail') throw new HookFailed(`hook '${hook.workflow_type}' (${payload.event}) failed: ${error}`);
      if (hook.on_error === 'warn') out.errors.push({ hook_workflow_type: hook.workflow_type, event: payload.event, error });
      continue;
    }
    // Only a pre_run hook's result steers the run (and never a fire-and-forget one's).
    if (payload.event !== 'pre_run' || hook.fire_and_forget) continue;
    Object.assign(out.extraEnv, extraEnvOf(result));
    const skip = skipOf(result);
    if (skip.skip) return { ...out, skip: true, skipReason: skip.reason };
  }
  return out;
}
