// The execution plan that plan_project returns to the workflow: small, JSON-only.
import type { DbtCommand } from './contracts.js';
import type { ProjectRunOptions } from './run-options.js';
import type { NodeReuse } from './reuse.js';
import type { NodeLease, PlanCoordination } from './leases.js';
import type { PackedNodes } from './plan-pack.js';

/** Resource types executed as their own activity (`list` reports any dbt resource type). */
export type ExecutableType = 'model' | 'seed' | 'snapshot' | 'test' | 'unit_test' | 'analysis' | 'source' | (string & {});

export interface PlanNode {
  unique_id: string;
  name: string;
  resource_type: ExecutableType;
  /** Plan-internal upstream nodes (unique ids) that must finish first. */
  depends_on: string[];
  /** The node's file in its package (dbt's original_file_path), for dbt's failure headings; absent when unknown. */
  path?: string;
  /** Measured execution time of earlier runs, in seconds (TEMPORAL_PRIORITY_HISTORY); absent when unknown. */
  duration_s?: number;
  /** What the node cost in earlier runs, in TEMPORAL_PRIORITY_WEIGHT's unit (rows, bytes, slot-ms); absent when unknown or weighing by duration. */
  cost?: number;
  /** Reuse (docs/reuse.md): reused (not executed) or built, and why; absent when the run keeps no reuse state. */
  reuse?: NodeReuse;
  /** The relation lease the node takes before it writes (docs/coordination.md); absent: none. */
  lease?: NodeLease;
}

export interface ExecutionPlan {
  project: string;
  command: DbtCommand;
  target: string | null;
  /** Nodes in a deterministic topological order (`list`: sorted by unique id, not executed); empty while `packed_nodes` holds them. */
  nodes: PlanNode[];
  /** The nodes as they travel in payloads (plan-pack.ts); workflow code unpacks them into `nodes`. */
  packed_nodes?: PackedNodes;
  /** Whether the project defines on-run-start / on-run-end hooks. */
  has_on_run_start: boolean;
  has_on_run_end: boolean;
  /** Artifact-store ref of the state its built nodes record (reuse: each node's fingerprint and its parts). */
  reuse_records?: string | null;
  /** Artifact-store path of the run's own manifest.json (parsed with its env, vars, target). */
  manifest_path?: string | null;
  /** Whether the project reads env_var('_'): only then do its runs get `_` = the input as JSON. */
  reads_run_input?: boolean;
  /** Retry policy and timeouts of the project's activities (dbt_temporal.yml). */
  options?: ProjectRunOptions;
  /** The database the run's profile resolves to when it constrains placement (DuckDB: `duckdb:<path>`, `duckdb-memory:<run>`). */
  warehouse?: string | null;
  /** Relation leases and the target's admission limit (docs/coordination.md); absent: neither. */
  coordination?: PlanCoordination | null;
  /** dbt's `Found ...` stat line of the project as parsed (`5 models, 16 data tests, 3 seeds, 511 macros`). */
  found?: string | null;
  /** The profile's dbt threads and target as the plan's dbt invocation resolved them (dbt's `Concurrency:` line). */
  concurrency?: { threads: number; target: string } | null;
  /** dbt's warnings of the plan (selection, parse, deprecations), each once, in dbt's text. */
  warnings?: string[];
  /** `list` only: the lines `dbt ls` prints for the run's --output (names, paths, selectors or JSON). */
  listing?: string[];
}

/** `<resource_type>:<name>`, the label used as activity id and summary. */
export function nodeLabel(node: Pick<PlanNode, 'resource_type' | 'name'>): string {
  return `${node.resource_type}:${node.name}`;
}
