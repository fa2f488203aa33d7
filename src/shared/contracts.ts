// Workflow input/output contracts, compatible with the Rust dbt-temporal (snake_case JSON).

/** Commands a `dbt_run` accepts. */
export const DBT_COMMANDS = ['build', 'run', 'test', 'seed', 'snapshot', 'compile', 'list', 'source-freshness'] as const;
export type DbtCommand = (typeof DBT_COMMANDS)[number];

export const INDIRECT_SELECTION_MODES = ['eager', 'cautious', 'buildable', 'empty'] as const;
export type IndirectSelection = (typeof INDIRECT_SELECTION_MODES)[number];

/** JSON value (workflow payloads must stay JSON-serialisable). */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** Input of the `dbt_run` workflow; every field is optional. Unknown keys are ignored. */
export interface DbtRunInput {
  project?: string | null;
  command?: string | null;
  select?: string | null;
  exclude?: string | null;
  /** A named selector of the project's selectors.yml (dbt --selector); select/exclude are then ignored, as dbt does. */
  selector?: string | null;
  indirect_selection?: string | null;
  vars?: Record<string, JsonValue> | null;
  target?: string | null;
  full_refresh?: boolean | null;
  fail_fast?: boolean | null;
  hooks?: JsonValue | null;
  env?: Record<string, string> | null;
  defer_manifest_ref?: string | null;
  event_time_start?: string | null;
  event_time_end?: string | null;
  retry_from?: string | null;
  state_manifest_ref?: string | null;
  /** Reuse nodes whose build inputs did not change since their last build (docs/reuse.md); null: dbt_temporal.yml's default. */
  reuse?: boolean | null;
  /** Only plan: report what would be built or reused, and why (`plan` of the output), without building. */
  plan_only?: boolean | null;
  /** `list` only, as `dbt ls --output`: `selector` (default), `name`, `path` or `json`. */
  output?: string | null;
  /** `list --output json` only, as `dbt ls --output-keys`: the JSON keys to print (dbt's default set when absent). */
  output_keys?: string[] | string | null;
  /** `list` only, as `dbt ls --resource-type` (repeatable): the resource types to list. */
  resource_types?: string[] | null;
}

/** dbt's own status vocabulary (run_results.json), plus `cancelled` for cancelled runs. */
export type NodeStatus = 'success' | 'error' | 'skipped' | 'partial success' | 'pass' | 'fail' | 'warn' | 'runtime error' | 'no-op' | 'cancelled';

export interface NodeTiming {
  name: string;
  started_at: string;
  completed_at: string;
}

/** One node's outcome, shaped like an entry of dbt's run_results.json. */
export interface NodeResult {
  unique_id: string;
  status: NodeStatus;
  execution_time: number;
  message: string | null;
  adapter_response: Record<string, JsonValue>;
  compiled_code: string | null;
  timing: NodeTiming[];
  failures: number | null;
  /** Run output only, on failures and warnings: the node's file (dbt's original_file_path), for dbt's summary heading. */
  path?: string;
  /** dbt's warnings while the node ran (deprecations and the like), each once, in dbt's text. */
  warnings?: string[];
  /** Only for `source-freshness`: dbt's freshness result fields. */
  freshness?: SourceFreshness | null;
}

export interface SourceFreshness {
  max_loaded_at: string | null;
  snapshotted_at: string | null;
  max_loaded_at_time_ago_in_s: number | null;
  criteria: JsonValue;
}

export interface ArtifactPaths {
  run_results_path: string;
  manifest_path: string;
  log_path?: string | null;
  catalog_path?: string | null;
}

export interface HookError {
  hook_workflow_type: string;
  event: string;
  error: string;
}

/** A plan preview line (`plan_only`): what the run would do with one node, and why. */
export interface PlanPreviewEntry {
  unique_id: string;
  resource_type: string;
  action: 'build' | 'reuse';
  reason: string;
  from?: string | null;
}

/** Result of a `dbt_run`; also the details of the failure when the run fails. */
export interface DbtRunOutput {
  invocation_id: string;
  project: string;
  command: DbtCommand;
  success: boolean;
  skipped: boolean;
  skip_reason?: string | null;
  node_results: NodeResult[];
  elapsed_time: number;
  artifacts?: ArtifactPaths | null;
  log_path?: string | null;
  hook_errors: HookError[];
  /** `plan_only` runs: what would be built or reused, and why, in plan order. */
  plan?: PlanPreviewEntry[];
  /** dbt's warnings of the run (selection, parse, deprecations, node runs), each once, in dbt's text. */
  warnings?: string[];
  /** `list` only: what `dbt ls` prints for the run's --output, one entry per line. */
  listing?: string[];
  /** Sums of what the nodes' adapters reported (shared/node-cost.ts); absent when none did. */
  cost?: { rows_affected?: number; bytes_processed?: number; bytes_billed?: number; slot_ms?: number };
}
