// Reuse of unchanged nodes (issue 23): what a plan says per node, and the result a reused node
// reports. Pure and JSON-only (workflow-safe); the decisions are made in plan_project.
import type { NodeResult } from './contracts.js';
import { noOpResult } from './run-tracker.js';

/** Why a node is built, reused or not fingerprinted: one short sentence, shown by plan previews. */
export interface NodeReuse {
  /** `reuse`: not executed, reported as dbt's `no-op`; `build`: executed (and its state recorded). */
  action: 'reuse' | 'build';
  /** The invocation that built what is reused (action `reuse`). */
  from?: string | null;
  /** Which input changed, or why nothing could be compared ("no earlier build", "source data version unknown"). */
  reason: string;
  /**
   * Its build records its state once it succeeded, from the plan's records file (the plan's
   * `reuse_records`; docs/reuse.md). The fields below are what plans of older workers carried
   * inline instead, and what the plan works with before it writes that file.
   */
  recorded?: boolean;
  /** The node's fingerprint over its build inputs; null: unknown (never matches, always rebuilt). */
  fp?: string | null;
  /** Per-input digests (sql, config, parents, sources, ...), stored so the next plan can say which one changed. */
  parts?: Record<string, string>;
  /** The target whose state records the build (the profile's resolved target name). */
  target?: string;
  /**
   * The plan did not compile the node (it is built whatever its SQL): `parts` lack `sql`, which
   * the state takes from the compiled code its build reports (dbt compiles it once).
   */
  pending_sql?: boolean;
  /** Its code key and code digest (when its compiled SQL is a function of what the plan sees), recorded with its state. */
  code?: { key: string; code: string };
}

/** The state a built node records once it succeeded: its plan's fingerprint, or the parts of one. */
export interface PendingState {
  /** null: invalidates (an unknown input, or a run without reuse), unless `pending_sql`. */
  fp: string | null;
  parts: Record<string, string>;
  /** The profile's resolved target, whose state it goes to. */
  target: string;
  /** `parts` lack `sql`, taken from the node's compiled code once it built (dbt compiles it once). */
  pending_sql?: boolean;
  /** Its code key and code digest, recorded with its state. */
  code?: { key: string; code: string };
}

/** The state a built node's decision records after its build; null: it records none. */
export function pendingStateOf(r: NodeReuse | undefined, target: string): PendingState | null {
  if (!r || r.action !== 'build' || r.fp === undefined) return null;
  return { fp: r.fp, parts: r.parts ?? {}, target: r.target ?? target, ...(r.pending_sql ? { pending_sql: true } : {}), ...(r.code ? { code: r.code } : {}) };
}

/** How a run uses reuse state: `on` decides and records; `track` only records (a run without reuse). */
export type ReuseMode = 'on' | 'track';

/** The message of a reused node: "reused from <invocation id>". */
export function reusedMessage(from: string): string {
  return `reused from ${from}`;
}

/** dbt's `no-op` result for a reused node (dbt-core 1.11 has no `reused` status). */
export function reusedResult(uniqueId: string, from: string, atIso: string): NodeResult {
  return { ...noOpResult(uniqueId, atIso), message: reusedMessage(from) };
}

/** dbt_temporal.yml `reuse:`. */
export interface ReuseSettings {
  /** Reuse for runs that do not say (`reuse` input, `--reuse` / `--no-reuse`). @default false */
  enabled: boolean;
  /** Also reuse incremental models, snapshots and microbatch models (their output depends on time and state). @default false */
  stateful: boolean;
}

export const DEFAULT_REUSE_SETTINGS: ReuseSettings = { enabled: false, stateful: false };
