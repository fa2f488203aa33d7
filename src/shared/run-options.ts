// Per-project activity settings (from dbt_temporal.yml), carried in the plan to the workflow.

export interface NodeRetryOptions {
  max_attempts: number;
  initial_interval_secs: number;
  backoff_coefficient: number;
  max_interval_secs: number;
}

export interface TimeoutOptions {
  node_secs: number;
  node_heartbeat_secs: number;
  hook_secs: number;
  hook_heartbeat_secs: number;
  plan_secs: number;
  store_artifacts_secs: number;
}

export interface ProjectRunOptions {
  retry: NodeRetryOptions;
  timeouts: TimeoutOptions;
}

/**
 * The reference implementation's defaults, except the heartbeat timeouts: activities heartbeat
 * every few seconds (HEARTBEAT_INTERVAL_MS) for as long as dbt runs, so a short timeout never
 * cuts a long query short, and a killed worker's in-flight nodes rerun elsewhere within ~30 s
 * (20 s timeout + the 5 s first retry) instead of 5 minutes.
 */
export const DEFAULT_RUN_OPTIONS: ProjectRunOptions = {
  retry: { max_attempts: 3, initial_interval_secs: 5, backoff_coefficient: 2, max_interval_secs: 60 },
  timeouts: { node_secs: 3600, node_heartbeat_secs: 20, hook_secs: 300, hook_heartbeat_secs: 20, plan_secs: 300, store_artifacts_secs: 120 },
};

/** Temporal activity options for node activities from the project's settings. */
export function nodeActivityOptions(o: ProjectRunOptions) {
  return {
    startToCloseTimeout: o.timeouts.node_secs * 1000,
    heartbeatTimeout: o.timeouts.node_heartbeat_secs * 1000,
    retry: {
      maximumAttempts: o.retry.max_attempts,
      initialInterval: o.retry.initial_interval_secs * 1000,
      backoffCoefficient: o.retry.backoff_coefficient,
      maximumInterval: o.retry.max_interval_secs * 1000,
    },
  };
}
