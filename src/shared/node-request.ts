// A run's dbt invocation and a node's executor task, each built once, here, from the workflow's
// contract (ExecuteNodeInput, the run's request) and what the worker adds (where dbt and the
// project are). The node's task is then the only thing that crosses to the executor thread,
// which shapes it into the engine's request (docs/performance.md: what crosses where).
import type { JsonValue } from './contracts.js';
import type { DbtInvocation, FreshnessTask, NodeTask, RunIdentity } from './executor-protocol.js';
import type { ExecuteNodeInput } from './node-contract.js';

/** What the worker adds to a run's settings: where dbt and the project are, and its defaults. */
export interface InvocationBase {
  dbtPath: string;
  projectDir: string;
  profilesDir: string;
  /** The worker's target (DBT_TARGET), for a run that names none; null: the profile's. */
  target: string | null;
  /** The worker's environment; the run's env overrides it. */
  baseEnv: Record<string, string>;
  partialParse: Uint8Array | null;
  timeoutMs: number;
}

/** What a run changes about a dbt invocation, named as in the workflow's contract. */
export interface RunSettings {
  target: string | null;
  vars: Record<string, JsonValue>;
  env: Record<string, string>;
  event_time_start?: string | null;
  event_time_end?: string | null;
  /** The run's invocation id; dbt sees it as `invocation_id` in every invocation. */
  invocation_id?: string | null;
  /** The run's start (ISO 8601), the same in every node and hook. */
  run_started_at?: string | null;
  /** manifest.json text for dbt's --state, and whether to --defer to it. */
  stateManifest?: string | null;
  defer?: boolean;
}

/**
 * An RFC 3339 timestamp in the form dbt's --event-time-* flags accept: naive UTC
 * `YYYY-MM-DDTHH:MM:SS` (dbt rejects offsets and fractions).
 */
export function dbtTimestamp(value: string | null | undefined): string | null {
  if (!value) return null;
  const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
  return Number.isNaN(ms) ? value : new Date(ms).toISOString().slice(0, 19);
}

/** The run's identity and microbatch window, as every invocation of the run carries them. */
export function runIdentity(run: RunSettings): RunIdentity {
  return {
    invocation_id: run.invocation_id ?? null,
    run_started_at: run.run_started_at ?? null,
    event_time_start: dbtTimestamp(run.event_time_start),
    event_time_end: dbtTimestamp(run.event_time_end),
  };
}

/** The dbt invocation of a run: the worker's base with the run's target, vars and env overlaid. */
export function dbtInvocation(base: InvocationBase, run: RunSettings): DbtInvocation {
  return {
    dbtPath: base.dbtPath,
    projectDir: base.projectDir,
    profilesDir: base.profilesDir,
    target: run.target ?? base.target,
    vars: run.vars,
    env: { ...base.baseEnv, ...run.env },
    run: runIdentity(run),
    stateManifest: run.stateManifest ?? null,
    defer: run.defer ?? false,
    partialParse: base.partialParse,
    timeoutMs: base.timeoutMs,
  };
}

/** How a node executes (from the project's graph and the run's command). */
export type NodeExecution = { kind: 'freshness' } | { kind: 'node'; subcommand: NodeTask['subcommand'] };

/** What the activity resolved for the node: the run's env, the manifest it defers to, how it runs. */
export interface NodeTaskParts {
  env: Record<string, string>;
  /** manifest.json of `defer_manifest_ref` (dbt --state --defer), or null. */
  deferTo: string | null;
  execution: NodeExecution;
  /** A selector that matches exactly this node. */
  selector: string;
  /** The activity attempt. */
  attempt: number;
}

/** The executor task of one node: its run's invocation and the node, from the workflow's contract. */
export function nodeTask(input: ExecuteNodeInput, base: InvocationBase, parts: NodeTaskParts): NodeTask | FreshnessTask {
  const invocation = dbtInvocation(base, { ...input, env: parts.env, stateManifest: parts.deferTo, defer: parts.deferTo !== null });
  if (parts.execution.kind === 'freshness') return { type: 'freshness', invocation, uniqueId: input.unique_id, selector: parts.selector };
  return {
    type: 'node', invocation, uniqueId: input.unique_id, subcommand: parts.execution.subcommand, selector: parts.selector,
    fullRefresh: input.full_refresh, warehouse: input.warehouse ?? null, attempt: parts.attempt,
  };
}
