// The supervisor <-> warm engine protocol (JSON lines over the engine's stdin/stdout).

/** One dbt invocation for an engine; a manifest miss parses with `parse_args` first. */
export interface EngineRequest {
  id: number;
  /** Names the parsed manifest: project, profiles, target, vars and environment. */
  key: string;
  parse_args: string[];
  args: string[];
  /** The exact environment of this invocation (the engine's own is replaced). */
  env: Record<string, string>;
  cwd: string;
  /** Return dbt's result lines (`ls`). */
  want_result?: boolean;
  /** Write the invocation's manifest.json to this path. */
  manifest_out?: string;
  /** The one node this invocation runs: its exact selector resolves to it without a project scan. */
  exact?: { selector: string; unique_id: string };
}

export interface EngineReady {
  type: 'ready';
  pid: number;
  import_ms: number;
  rss_mb: number;
}

export interface EngineDone {
  type: 'done';
  id: number;
  /** False when the engine could not run dbt at all (parse failure, engine bug). */
  ok: boolean;
  phase?: 'parse' | 'engine';
  /** dbt's own verdict on the invocation (false when a node failed). */
  success?: boolean;
  /** Whether this request had to parse the project (a manifest cache miss). */
  parsed?: boolean;
  error: string | null;
  /** The engine may hold state from a failure: replace it. */
  recycle: boolean;
  prepare_ms?: number;
  invoke_ms?: number;
  rss_mb?: number;
  /** dbt's result lines, when the request asked for them. */
  result?: string[];
}

export type EngineMessage = EngineReady | EngineDone;

/** How an engine request ended, as seen by the manager. */
export type EngineOutcome =
  | { kind: 'done'; done: EngineDone; output: string }
  | { kind: 'crashed'; detail: string; output: string }
  | { kind: 'timed-out'; output: string }
  | { kind: 'cancelled'; output: string };
