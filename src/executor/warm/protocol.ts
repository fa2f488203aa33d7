// The supervisor <-> warm engine protocol (JSON lines over the engine's stdin/stdout).
import type { ProbeRows, WarehouseProbe } from '../../shared/executor-protocol.js';

/** How an engine opens a run context (sent with a context's first node). */
export interface ContextSpec {
  /** Names the context: the run, its command, flags and everything its manifest depends on. */
  key: string;
  /**
   * Names the parsed manifest (project, profiles, target, vars); the engine tells apart the
   * variants by the env vars their parse read.
   */
  manifest_key: string;
  parse_args: string[];
  /** The worker's start-up partial-parse file: dbt reuses it when nothing it depends on changed. */
  seed?: string | null;
  /** The run's dbt command line; `{ctx}` stands for the context's own scratch directory. */
  args: string[];
  /** The run's environment (the engine's own is replaced); `{ctx}` substituted as in args. */
  env: Record<string, string>;
  invocation_id: string | null;
  /** The run's start (ISO 8601): dbt's run_started_at and invocation start in every node. */
  run_started_at: string | null;
  /** manifest.json of an earlier run, written to `{ctx}/state/manifest.json` (dbt --state). */
  state_manifest?: string | null;
  /** The context opens with the run's whole selection (its project hooks): dbt's selected_resources are the run's. */
  run_selection?: boolean;
}

/** One whole dbt invocation (plans: `dbt ls`), on an engine with no open context. */
export interface InvokeRequest {
  op: 'invoke';
  id: number;
  key: string;
  parse_args: string[];
  seed?: string | null;
  args: string[];
  env: Record<string, string>;
  /** Return dbt's result lines (`ls`). */
  want_result?: boolean;
  /** Write the invocation's manifest.json to this path. */
  manifest_out?: string;
  /** Report the warehouse the profile resolves to (DuckDB: its database path). */
  want_profile?: boolean;
  /** After the invocation, run a reuse plan's warehouse probe through the profile it resolved. */
  probe?: WarehouseProbe;
}

/** One node, run in the context `context.key` (opened on first use). */
export interface NodeRequest {
  op: 'node';
  id: number;
  /** The full spec when the context may not be open yet; `{ key }` alone once it is. */
  context: ContextSpec | Pick<ContextSpec, 'key'>;
  unique_id: string;
  /**
   * The activity attempt (1 first), for the query comment (dbt_reach_query_tags.py); a retry
   * (2 or more) also drops the context's relation cache: another engine may have built since.
   */
  attempt?: number;
  /** Profiling: answer with wall-clock marks. */
  trace?: boolean;
}

/** The project's on-run-start or on-run-end hooks, run in the context `context.key` (opened on first use). */
export interface HooksRequest {
  op: 'hooks';
  id: number;
  context: ContextSpec | Pick<ContextSpec, 'key'>;
  phase: 'start' | 'end';
  /** The run's node results (run_results entries): on-run-end's `results`. */
  results?: unknown[];
}

/** A node or hooks request with its context's full spec, before the pool numbers it (engine-pool.ts). */
export type ContextRequest = (Omit<NodeRequest, 'id' | 'context'> | Omit<HooksRequest, 'id' | 'context'>) & { context: ContextSpec };

export interface CloseRequest {
  op: 'close';
  id: number;
  key: string;
  /** Keep the context for its run's next turn (engine.py: parked) instead of ending it. */
  park?: boolean;
}

export interface CancelRequest {
  op: 'cancel';
  id: number;
}

export type EngineRequest = InvokeRequest | NodeRequest | HooksRequest | CloseRequest | CancelRequest;

export interface EngineReady {
  type: 'ready';
  pid: number;
  import_ms: number;
  rss_mb: number;
  /** dbt package versions that differ from the ones the engine was checked against. */
  warnings?: string[];
}

/** The warehouse a profile resolves to. */
export interface ProfileInfo {
  type?: string;
  target?: string;
  profile?: string;
  /** Absolute path, or `:memory:` (DuckDB only). */
  duckdb_path?: string;
  /** The profile's dbt threads. */
  threads?: number;
  error?: string;
}

export type ManifestUse = 'hit' | 'loaded' | 'parsed';

export interface EngineDone {
  type: 'done';
  id: number;
  /** False when dbt could not run the request at all (parse failure, context failure, dbt error, engine bug). */
  ok: boolean;
  /** Where it failed; `context` also on an ok hooks answer whose context did not open (dbt selected nothing). */
  phase?: 'parse' | 'engine' | 'context' | 'dbt';
  /** Invoke: dbt's own verdict. */
  success?: boolean;
  /** Node: dbt's status for it. */
  status?: string;
  /** Node: its run_results.json entry. */
  node_result?: unknown;
  /** Hooks: dbt's run_results.json entry per hook. */
  hook_results?: unknown[];
  /** Node: it was cancelled on request. */
  cancelled?: boolean;
  parsed?: boolean;
  /** Invoke: how its manifest came (this engine had it, a sibling's parse, or parsed now). */
  manifest?: ManifestUse;
  /** Node: with a context's first answer, how it got its manifest and its dbt threads. */
  context_info?: { manifest: ManifestUse; threads?: number };
  error?: string | null;
  /** The failure's exception class and its bases (`type(err).__mro__` names), where one was caught. */
  error_types?: string[];
  /** The engine may hold state from a failure: replace it. */
  recycle?: boolean;
  /** Profiling marks from the engine (epoch ms), when the request asked for them. */
  trace?: Record<string, number>;
  prepare_ms?: number;
  invoke_ms?: number;
  rss_mb?: number;
  result?: string[];
  profile?: ProfileInfo;
  /** Invoke: dbt's warn-level events (parse, selection), each once, in dbt's text. */
  dbt_warnings?: string[];
  /** Invoke with a probe: the warehouse's answer, or why there is none. */
  probe?: ProbeRows;
}

export interface EngineClosed {
  type: 'closed';
  id: number;
  rss_mb?: number;
  /** The context was parked (a close with `park`), not ended. */
  parked?: boolean;
}

export type EngineMessage = EngineReady | EngineDone | EngineClosed;

/** How an engine request ended, as seen by the manager. */
export type EngineOutcome =
  | { kind: 'done'; done: EngineDone; output: string }
  | { kind: 'crashed'; detail: string; output: string }
  | { kind: 'timed-out'; output: string }
  | { kind: 'cancelled'; output: string };
