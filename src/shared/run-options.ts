// Per-project activity settings (from dbt_temporal.yml), carried in the plan to the workflow,
// and the Temporal activity options built from them: the one place their defaults live.
import type { HooksConfig } from './hooks-config.js';

/** Whether dbt's project hooks may retry transient failures (off unless asked, as in the Rust worker). */
export interface ProjectHookRetry {
  /** @default false */
  on_run_start: boolean;
  /** @default false */
  on_run_end: boolean;
}

export interface NodeRetryOptions {
  /** @default 3 */
  max_attempts: number;
  /** @default 5 */
  initial_interval_secs: number;
  /** @default 2 */
  backoff_coefficient: number;
  /** @default 60 */
  max_interval_secs: number;
  /** @default both false */
  project_hooks: ProjectHookRetry;
}

export interface TimeoutOptions {
  /** execute_node start-to-close. @default 3600 */
  node_secs: number;
  node_heartbeat_secs: number;
  /** run_project_hooks start-to-close. @default 300 */
  hook_secs: number;
  hook_heartbeat_secs: number;
  /** plan_project start-to-close. @default 300 */
  plan_secs: number;
  /** store_artifacts start-to-close. @default 120 */
  store_artifacts_secs: number;
}

export interface ProjectRunOptions {
  retry: NodeRetryOptions;
  timeouts: TimeoutOptions;
  /** The file's lifecycle hooks (the run input's `hooks` replaces them). @default none */
  hooks?: HooksConfig;
}

/**
 * The reference implementation's defaults, except the heartbeat timeouts: activities heartbeat
 * every few seconds (HEARTBEAT_INTERVAL_MS) for as long as dbt runs, so a short timeout never
 * cuts a long query short, and a killed worker's in-flight nodes rerun elsewhere within ~30 s
 * (20 s timeout + the 5 s first retry) instead of 5 minutes.
 */
export const DEFAULT_RUN_OPTIONS: ProjectRunOptions = {
  retry: { max_attempts: 3, initial_interval_secs: 5, backoff_coefficient: 2, max_interval_secs: 60, project_hooks: { on_run_start: false, on_run_end: false } },
  timeouts: { node_secs: 3600, node_heartbeat_secs: 20, hook_secs: 300, hook_heartbeat_secs: 20, plan_secs: 300, store_artifacts_secs: 120 },
};

function retryPolicy(r: NodeRetryOptions) {
  return {
    maximumAttempts: r.max_attempts,
    initialInterval: r.initial_interval_secs * 1000,
    backoffCoefficient: r.backoff_coefficient,
    maximumInterval: r.max_interval_secs * 1000,
  };
}

/** Temporal activity options for node activities from the project's settings. */
export function nodeActivityOptions(o: ProjectRunOptions = DEFAULT_RUN_OPTIONS) {
  return {
    startToCloseTimeout: o.timeouts.node_secs * 1000,
    heartbeatTimeout: o.timeouts.node_heartbeat_secs * 1000,
    retry: retryPolicy(o.retry),
  };
}

/**
 * Project hooks run SQL with side effects: one attempt unless the phase opted in with
 * retry.project_hooks, then the node retry budget (still only for retryable errors).
 */
export function projectHookActivityOptions(o: ProjectRunOptions | undefined, phase: 'start' | 'end') {
  const opts = o ?? DEFAULT_RUN_OPTIONS;
  const allowed = phase === 'start' ? opts.retry.project_hooks?.on_run_start : opts.retry.project_hooks?.on_run_end;
  return {
    startToCloseTimeout: opts.timeouts.hook_secs * 1000,
    heartbeatTimeout: opts.timeouts.hook_heartbeat_secs * 1000,
    retry: allowed ? retryPolicy(opts.retry) : { maximumAttempts: 1 },
  };
}
