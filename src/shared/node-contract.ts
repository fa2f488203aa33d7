// The node contract: what a workflow sends the `execute_node` activity for one dbt node (the
// run's settings travel with every node, so any worker or engine can rebuild the run context;
// its env is asked of the run once per worker, never copied into the input).
import type { DbtCommand, JsonValue } from './contracts.js';
import type { PendingState } from './reuse.js';

export interface ExecuteNodeInput {
  project: string;
  unique_id: string;
  target: string | null;
  vars: Record<string, JsonValue>;
  /**
   * Only in inputs scheduled by older workers: the run's env travels in no activity input now
   * (the activity asks the run for it, RUN_ENV_QUERY).
   */
  env?: Record<string, string>;
  full_refresh: boolean;
  /** The run's command (how the node executes: build, compile, source freshness). @default build */
  command?: DbtCommand;
  /** Artifact-store ref of a manifest to defer to (dbt --defer --state). */
  defer_manifest_ref?: string | null;
  /** The run's invocation id (what dbt reports as `invocation_id`). */
  invocation_id?: string;
  /** Microbatch window (RFC 3339). */
  event_time_start?: string | null;
  event_time_end?: string | null;
  /** The run's start (ISO 8601): dbt's run_started_at in every node. */
  run_started_at?: string | null;
  /** The run's warehouse from its plan (placement of DuckDB databases). */
  warehouse?: string | null;
  /**
   * Reuse state to record once the node succeeded (docs/reuse.md); `fp` null invalidates, unless
   * `pending_sql`: then `parts` lack `sql`, taken from the node's compiled code.
   */
  reuse_record?: PendingState | null;
  /** Artifact-store ref of the plan's records file, which holds this node's reuse state to record (the same fields as `reuse_record`, which only older plans inline). */
  reuse_records?: string | null;
}
