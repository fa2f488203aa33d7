// The supervisor <-> executor-thread protocol: plain data, discriminated on `type`.
import type { JsonValue, NodeResult } from './contracts.js';
import type { ErrorData } from './errors.js';

/**
 * The run's identity and microbatch window, the same in every invocation of a run (what dbt
 * reports as invocation_id and run_started_at); named as in the workflow's contract.
 */
export interface RunIdentity {
  invocation_id: string | null;
  /** ISO 8601. */
  run_started_at: string | null;
  /** dbt's --event-time-start/-end (naive UTC). */
  event_time_start: string | null;
  event_time_end: string | null;
}

/** How to invoke dbt for one project; shared by every task kind (built by node-request.ts). */
export interface DbtInvocation {
  dbtPath: string;
  projectDir: string;
  profilesDir: string;
  target: string | null;
  vars: Record<string, JsonValue>;
  /** Complete environment of the dbt process (worker env plus the run's overrides). */
  env: Record<string, string>;
  /**
   * Per-run settings that do not change how dbt parses the project (so warm engines can share
   * a parsed manifest across runs). Absent: a worker's own invocation (its start-up parse).
   */
  run?: RunIdentity;
  /** manifest.json text of an earlier run, for dbt's `--state` (state: selectors, --defer). */
  stateManifest?: string | null;
  /** Whether to pass `--defer` (unbuilt refs resolve to the state manifest's relations). */
  defer?: boolean;
  /** dbt's partial_parse.msgpack from the startup resolve, to skip re-parsing. */
  partialParse: Uint8Array | null;
  /** The same as a file the executor wrote (warm nodes: an engine reads it only when it parses). */
  partialParseFile?: string | null;
  timeoutMs: number;
}

export interface ParseTask {
  type: 'parse';
  invocation: DbtInvocation;
}

export interface ListTask {
  type: 'list';
  invocation: DbtInvocation;
  select: string | null;
  exclude: string | null;
  indirectSelection: string | null;
  /** dbt --selector: a named selector from selectors.yml (dbt then ignores select/exclude). */
  selector?: string | null;
  resourceTypes: string[];
  /** Also return the manifest.json dbt wrote for this invocation (the run's own parse). */
  wantManifest?: boolean;
  /**
   * `list`: the JSON keys of dbt ls's rows (`--output-keys`, unique_id among them); null: dbt's
   * default keys. Absent: unique ids only.
   */
  outputKeys?: string[] | null;
  /** A reuse plan's warehouse probe, run right after the ls through the profile it resolved (warm mode; subprocess ignores it). @default none */
  probe?: WarehouseProbe | null;
}

/** A reuse plan's warehouse probe (supervisor/reuse/probe.ts): which relations exist, then each found source's data version. */
export interface WarehouseProbe {
  /** Lists relations: one column, lower-cased `database.schema.name`. */
  exists_sql: string;
  /** Run, as one union, for the sources whose key the listing found: columns k (source id) and v (data version). */
  sources: { key: string; sql: string }[];
}

/** A probe's rows, or why there are none. */
export type ProbeRows = { exists: string[]; versions: [string, string | null][] } | { error: string };

export interface NodeTask {
  type: 'node';
  invocation: DbtInvocation;
  uniqueId: string;
  /** dbt subcommand that executes the node: the run's own command, so models see dbt's flags.WHICH. */
  subcommand: 'build' | 'run' | 'test' | 'seed' | 'snapshot' | 'compile';
  /** A selector that matches exactly this node (subprocess mode; the selection a warm run context opens with). */
  selector: string;
  fullRefresh: boolean;
  /** The run's warehouse from its plan (`duckdb:<path>`, `duckdb-memory:<run>`): one engine at a time holds a DuckDB database. */
  warehouse?: string | null;
  /** The activity attempt (a retry may find the warehouse changed by another engine). */
  attempt?: number;
}

/** Runs the project's on-run-start or on-run-end hooks once for a run, with dbt's context. */
export interface HooksTask {
  type: 'hooks';
  invocation: DbtInvocation;
  phase: 'start' | 'end';
  /** The run's dbt command words (`build`, `seed`, `source freshness`): hooks see it as flags.WHICH. */
  command: string[];
  /** The run's selection, so the hooks see the same selected nodes as in a plain dbt run. */
  select: string | null;
  exclude: string | null;
  indirectSelection: string | null;
  /** The run's node results (the `results` context of on-run-end). */
  results: NodeResult[];
  /** The run's --full-refresh (dbt's flags.FULL_REFRESH in the hooks, as in its nodes). */
  fullRefresh?: boolean;
  /**
   * manifest.json the run's nodes defer to (`defer_manifest_ref`): warm mode runs the hooks in
   * the nodes' run context, which has it as its `--state`.
   */
  deferManifest?: string | null;
  /** The run's warehouse from its plan, as for its nodes (warm mode: the hooks run where its nodes run). */
  warehouse?: string | null;
}

/** `dbt source freshness` for exactly one source. */
export interface FreshnessTask {
  type: 'freshness';
  invocation: DbtInvocation;
  uniqueId: string;
  /** `source:<source_name>.<table_name>` */
  selector: string;
}

/** `dbt docs generate` for a run's selection; returns dbt's catalog.json. */
export interface CatalogTask {
  type: 'catalog';
  invocation: DbtInvocation;
  select: string | null;
  exclude: string | null;
}

/**
 * `dbt compile` of exact nodes (`select`: unique ids) or of one inline query (Jinja that may
 * run queries): returns dbt's run_results.json, whose entries carry each node's compiled code.
 */
export interface CompileTask {
  type: 'compile';
  invocation: DbtInvocation;
  select: string[] | null;
  inline: string | null;
  /**
   * A reuse plan's warehouse probe whose Jinja `inline` is: a warm engine runs its queries
   * directly (after a `dbt parse` of the cached manifest, which sets up the run's flags) instead of
   * compiling the Jinja, and answers as the inline node's compiled code would. @default none
   */
  probe?: WarehouseProbe | null;
}

export type ExecutorTask = ParseTask | ListTask | NodeTask | HooksTask | FreshnessTask | CatalogTask | CompileTask;

export interface ParseResult {
  type: 'parsed';
  manifestJson: string;
  partialParse: Uint8Array | null;
}

export interface ListResult {
  type: 'listed';
  uniqueIds: string[];
  manifestJson?: string | null;
  /** The warehouse the run's profile resolves to, when it constrains placement (DuckDB). */
  warehouse?: string | null;
  /** dbt ls's JSON rows as dbt printed them (what `list` reports). */
  rows?: string[];
  /** The profile's threads and target as dbt resolved them (warm mode). */
  profile?: { threads: number; target: string } | null;
  /** dbt's warnings during the plan's invocation (parse and selection), each once. */
  warnings?: string[];
  /** The task's probe's answer (warm mode), when it asked for one. */
  probe?: ProbeRows | null;
}

export interface NodeTaskResult {
  type: 'node';
  result: NodeResult;
  /** Timing breakdown of the task on the executor side, in milliseconds. */
  overheadMs: { queued: number; engine: number };
}

export interface ExecutorError extends ErrorData {
  type: 'error';
  /** The node result dbt reported, when it got that far. */
  result?: NodeResult;
}

export interface HooksTaskResult {
  type: 'hooks';
  /** dbt's result per hook (`operation.<pkg>.<pkg>-on-run-start-0` ...). */
  results: NodeResult[];
}

export interface CatalogResult {
  type: 'catalog';
  catalogJson: string;
}

export interface CompiledResult {
  type: 'compiled';
  runResultsJson: string;
}

export type ExecutorResult = ParseResult | ListResult | NodeTaskResult | HooksTaskResult | CatalogResult | CompiledResult | ExecutorError;
