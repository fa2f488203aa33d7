// Options of the warm engine pool: how many engines, and when an engine is replaced.

export interface WarmEngineOptions {
  /**
   * Maximum number of live engine processes (each hosts one run context at a time).
   * @default 4
   */
  maxEngines?: number;
  /**
   * Replace an engine after it has served this many requests (bounds slow leaks in dbt or
   * adapters; a replacement parses its projects again), once its context closes.
   * @default 1000
   */
  maxInvocations?: number;
  /**
   * Replace an engine whose resident memory exceeds this after an invocation.
   * @default 1024
   */
  maxRssMb?: number;
  /**
   * Stop engines that have been idle this long.
   * @default 300000
   */
  idleTimeoutMs?: number;
  /**
   * Time allowed for an engine to import dbt and report ready.
   * @default 60000
   */
  startTimeoutMs?: number;
  /**
   * dbt threads of a run context (nodes one engine runs at once); defaults to `maxEngines`,
   * so the nodes of one DuckDB database (which one engine holds) get the worker's concurrency.
   * @default 4
   */
  threadsPerEngine?: number;
  /**
   * Close a run context after it has had no node for this long (it reopens on the next one).
   * @default 3000
   */
  contextIdleMs?: number;
  /**
   * The same for a context whose DuckDB database is in memory (its data lives only there).
   * @default 1800000
   */
  memoryContextIdleMs?: number;
}

export const DEFAULT_WARM_ENGINE_OPTIONS: Required<WarmEngineOptions> = {
  maxEngines: 4,
  maxInvocations: 1000,
  maxRssMb: 1024,
  idleTimeoutMs: 300_000,
  startTimeoutMs: 60_000,
  threadsPerEngine: 4,
  contextIdleMs: 3_000,
  memoryContextIdleMs: 1_800_000,
};

function positiveInt(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new TypeError(`${name} must be a positive integer, got ${value}`);
  return value;
}

/** Fills in defaults and validates every option. */
export function compileWarmEngineOptions(opts: WarmEngineOptions = {}): Required<WarmEngineOptions> {
  const d = DEFAULT_WARM_ENGINE_OPTIONS;
  return {
    maxEngines: positiveInt('maxEngines', opts.maxEngines ?? d.maxEngines),
    maxInvocations: positiveInt('maxInvocations', opts.maxInvocations ?? d.maxInvocations),
    maxRssMb: positiveInt('maxRssMb', opts.maxRssMb ?? d.maxRssMb),
    idleTimeoutMs: positiveInt('idleTimeoutMs', opts.idleTimeoutMs ?? d.idleTimeoutMs),
    startTimeoutMs: positiveInt('startTimeoutMs', opts.startTimeoutMs ?? d.startTimeoutMs),
    threadsPerEngine: positiveInt('threadsPerEngine', opts.threadsPerEngine ?? opts.maxEngines ?? d.threadsPerEngine),
    contextIdleMs: positiveInt('contextIdleMs', opts.contextIdleMs ?? d.contextIdleMs),
    memoryContextIdleMs: positiveInt('memoryContextIdleMs', opts.memoryContextIdleMs ?? d.memoryContextIdleMs),
  };
}
