// Names and payloads of a run's live controls and observability (query, updates, memos,
// search attributes). Shared by the workflow, the CLI and any client.

export const RUN_STATUS_QUERY = 'run_status';
/** Query: arg the index of the first log line wanted; answers a RunLogPage (what the CLI scrolls). */
export const RUN_LOG_QUERY = 'run_log';
/**
 * Query (worker-internal): the run's effective env, asked once per run by each worker that runs
 * its nodes or hooks, so the env travels in no activity input (queries are not recorded in history).
 */
export const RUN_ENV_QUERY = 'dbt_temporal_run_env';

/** RUN_ENV_QUERY's answer. */
export interface RunEnvAnswer {
  /** The env dbt runs with (the input's, `_` when the project reads it, what pre_run hooks added). */
  env: Record<string, string>;
  /** The run's input as canonical JSON (planning derives `_` from it). */
  run_input_json?: string;
}
/**
 * Signal (worker-internal): a node's activity was paused or reset from Temporal (UI, CLI), or
 * runs again after a pause; sent by the node's activity so `run_status` and the log show it.
 */
export const NODE_INTERRUPTION_SIGNAL = 'dbt_temporal_node_interruption';

/** What happened to a running node's activity, as Temporal's activity pause and reset do it. */
export type NodeInterruption = 'paused' | 'reset' | 'resumed';

/** NODE_INTERRUPTION_SIGNAL's payload. */
export interface NodeInterruptionSignal {
  unique_id: string;
  state: NodeInterruption;
  /** The activity attempt that saw it. */
  attempt: number;
}
/** Update: arg boolean, returns the applied value; takes effect for nodes not started yet. */
export const SET_FAIL_FAST_UPDATE = 'set_fail_fast';
/** Update: no new node starts, running nodes finish, the rest become `cancelled`. */
export const CANCEL_REMAINING_UPDATE = 'cancel_remaining';

export const MEMO_COMMAND = 'command';
export const MEMO_NODE_STATUS = 'node_status';
export const MEMO_LOG = 'log';

export const SEARCH_ATTRIBUTE_NAMES = {
  project: 'DbtProject',
  command: 'DbtCommand',
  target: 'DbtTarget',
  selector: 'DbtSelector',
  status: 'DbtStatus',
} as const;

/** Values of the `DbtStatus` search attribute. */
export type DbtStatusValue = 'running' | 'passed' | 'failed' | 'skipped' | 'cancelled';

export type RunPhase = 'initializing' | 'planning' | 'pre_run_hooks' | 'executing' | 'finalizing' | 'done';

/** Answer of the `run_status` query. */
export interface RunStatus {
  phase: RunPhase;
  invocation_id: string;
  /** 0 for the first workflow execution, +1 at each continue-as-new. */
  segment: number;
  total_nodes: number;
  /** Depth of the plan's DAG (dbt's "levels"); nodes still start as soon as their parents finish. */
  total_levels: number;
  /** Leading levels whose nodes are all finished (0 = none). */
  completed_levels: number;
  succeeded: number;
  warned: number;
  failed: number;
  skipped: number;
  cancelled: number;
  /** Started nodes not finished yet (paused ones included). */
  running: number;
  /** Of the running nodes, those whose activity an operator paused from Temporal (UI, `temporal activity pause`). */
  paused: number;
  pending: number;
  /** `<resource_type>:<name>` of running nodes that are not paused (at most 50). */
  running_nodes: string[];
  /** `<resource_type>:<name>` of paused nodes (at most 50). */
  paused_nodes: string[];
  fail_fast: boolean;
  /** Set by `cancel_remaining`. */
  stop_requested: boolean;
}

/** Answer of the `run_log` query: the dbt-style run log from line `from` (at most 500 lines). */
export interface RunLogPage {
  from: number;
  lines: string[];
  /** The index to ask for next. */
  next: number;
}

/** Answer of the `cancel_remaining` update. */
export interface CancelRemainingResult {
  /** Nodes that had not started and will be marked `cancelled`. */
  cancelled: number;
  /** Nodes still running; they finish normally. */
  running: number;
}

/** Node states shown in the `node_status` memo. */
export type MemoNodeState = 'pending' | 'running' | 'paused' | 'success' | 'error' | 'skipped' | 'cancelled' | 'warn' | 'pass' | 'fail';
