// Options of the warm engine pool: how many engines, their memory budget, how runs share them,
// and when an engine is replaced.

export interface WarmEngineOptions {
  /**
   * Maximum number of live engine processes (each hosts one run context at a time); the
   * worker derives it from its CPUs and memory (`WORKER_MAX_ENGINES`).
   * @default 4
   */
  maxEngines?: number;
  /**
   * Memory the worker may use, in MiB (its own process and every engine): no engine starts
   * when the engines' measured size would not fit; nodes wait for an engine instead.
   * @default 4096
   */
  memoryLimitMb?: number;
  /**
   * What an engine is assumed to take before one has been measured (then: the largest seen).
   * @default 200
   */
  engineMemoryMb?: number;
  /**
   * dbt threads of every run context (`--threads`); 0 keeps the profile's, as plain dbt does.
   * @default 0
   */
  contextThreads?: number;
  /**
   * A run context keeps its engine at least this long while it has nodes; after that, when
   * other runs wait for an engine, it takes no more nodes, closes, and the engine goes to the
   * run that has waited longest (runs outnumbering engines take turns, none starves).
   * @default 5000
   */
  contextQuantumMs?: number;
  /**
   * A context without nodes for this long gives its engine to a waiting run at once.
   * @default 250
   */
  contextGraceMs?: number;
  /**
   * The grace of an idle context while every task slot is taken (turns.ts): 0 when freed slots go
   * to the task-queue pollers first (the run's next nodes cannot arrive soon); the worker sets a
   * few tens of ms when it keeps a few for its runs' eager nodes (supervisor/reserved-slots.ts).
   * @default 0
   */
  fullGraceMs?: number;
  /** The worker's manifest directory (frozen manifests shared by its engines); null: none. @default null */
  manifestDir?: string | null;
  /**
   * With two or more engines allowed, fork engines after the first from a template process that
   * imported dbt once (starts in milliseconds, shares memory pages) instead of spawning each.
   * @default true
   */
  forkEngines?: boolean;
  /**
   * Replace an engine after it has served this many requests (bounds slow leaks in dbt or
   * adapters, with maxRssMb; a replacement imports dbt and loads its manifests again, and its
   * parked contexts end), once its context closes.
   * @default 10000
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
   * Nodes one engine takes at once until its context reports its dbt threads (then: those).
   * @default 4
   */
  defaultContextThreads?: number;
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
  /**
   * Run contexts an engine may keep parked when runs take turns (`WORKER_MAX_PARKED_CONTEXTS`):
   * a context whose turn ends stays set up for its run's next turn (a resume costs a few ms, an
   * open ~60-90 ms), while the memory budget leaves room for one more engine; 0 never parks.
   * @default 16
   */
  maxParkedContexts?: number;
}

export const DEFAULT_WARM_ENGINE_OPTIONS: Required<WarmEngineOptions> = {
  maxEngines: 4,
  memoryLimitMb: 4096,
  engineMemoryMb: 200,
  contextThreads: 0,
  contextQuantumMs: 5_000,
  contextGraceMs: 250,
  fullGraceMs: 0,
  manifestDir: null,
  forkEngines: true,
  maxInvocations: 10_000,
  maxRssMb: 1024,
  idleTimeoutMs: 300_000,
  startTimeoutMs: 60_000,
  defaultContextThreads: 4,
  contextIdleMs: 3_000,
  memoryContextIdleMs: 1_800_000,
  maxParkedContexts: 16,
};

function positiveInt(name: string, value: number, min = 1): number {
  if (!Number.isInteger(value) || value < min) throw new TypeError(`${name} must be an integer >= ${min}, got ${value}`);
  return value;
}

/** Fills in defaults and validates every option. */
export function compileWarmEngineOptions(opts: WarmEngineOptions = {}): Required<WarmEngineOptions> {
  const d = DEFAULT_WARM_ENGINE_OPTIONS;
  return {
    maxEngines: positiveInt('maxEngines', opts.maxEngines ?? d.maxEngines),
    memoryLimitMb: positiveInt('memoryLimitMb', opts.memoryLimitMb ?? d.memoryLimitMb),
    engineMemoryMb: positiveInt('engineMemoryMb', opts.engineMemoryMb ?? d.engineMemoryMb),
    contextThreads: positiveInt('contextThreads', opts.contextThreads ?? d.contextThreads, 0),
    contextQuantumMs: positiveInt('contextQuantumMs', opts.contextQuantumMs ?? d.contextQuantumMs, 0),
    contextGraceMs: positiveInt('contextGraceMs', opts.contextGraceMs ?? d.contextGraceMs, 0),
    fullGraceMs: positiveInt('fullGraceMs', opts.fullGraceMs ?? d.fullGraceMs, 0),
    manifestDir: opts.manifestDir ?? d.manifestDir,
    forkEngines: opts.forkEngines ?? d.forkEngines,
    maxInvocations: positiveInt('maxInvocations', opts.maxInvocations ?? d.maxInvocations),
    maxRssMb: positiveInt('maxRssMb', opts.maxRssMb ?? d.maxRssMb),
    idleTimeoutMs: positiveInt('idleTimeoutMs', opts.idleTimeoutMs ?? d.idleTimeoutMs),
    startTimeoutMs: positiveInt('startTimeoutMs', opts.startTimeoutMs ?? d.startTimeoutMs),
    defaultContextThreads: positiveInt('defaultContextThreads', opts.defaultContextThreads ?? (opts.contextThreads || d.defaultContextThreads)),
    contextIdleMs: positiveInt('contextIdleMs', opts.contextIdleMs ?? d.contextIdleMs),
    memoryContextIdleMs: positiveInt('memoryContextIdleMs', opts.memoryContextIdleMs ?? d.memoryContextIdleMs),
    maxParkedContexts: positiveInt('maxParkedContexts', opts.maxParkedContexts ?? d.maxParkedContexts, 0),
  };
}
