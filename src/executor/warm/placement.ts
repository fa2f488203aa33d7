// Where a warm-engine job runs: the pool's slots and the pure rules that pick one.
import type { EngineProcess, EngineSpawnOptions } from './engine-process.js';
import type { ContextRequest, EngineOutcome, InvokeRequest } from './protocol.js';

/** What the executor learns about how a request was served (for the overhead breakdown). */
export interface EngineUse {
  /** When the engine took the request (epoch ms). */
  acquiredAt: number;
  /** Time spent starting a new engine for this request (0 when an engine was reused). */
  startMs: number;
  /** Profiling marks (DBTT_TRACE_FILE). */
  trace?: Record<string, number>;
}

interface JobBase {
  manifestKey: string;
  /** When the job joined the pool's queue (epoch ms): the longest-waiting run is served first. */
  queuedAt?: number;
  spawn: EngineSpawnOptions;
  timeoutMs: number;
  signal: AbortSignal;
  resolve: (r: { outcome: EngineOutcome; use: EngineUse }) => void;
}

export type Job =
  | (JobBase & {
      kind: 'node';
      /**
       * The engine's request, as the executor thread shaped it: a node, or the run's project
       * hooks (placed as one of its nodes: same context). The pool adds its id, and sends
       * `{ key }` as its context once the engine has the spec.
       */
      request: ContextRequest;
      /** `duckdb:<path>` or `duckdb-memory:<run>`: one engine at a time may hold it. */
      warehouse: string | null;
    })
  | (JobBase & {
      kind: 'invoke';
      request: Omit<InvokeRequest, 'op' | 'id'>;
      /** The worker's start-up parse (its resolve): not in the manifest counters, which count the runs' parses. */
      startup?: boolean;
    });

export interface OpenContext {
  key: string;
  /** The run it belongs to. */
  invocationId: string | null;
  /** The run has ended: close as soon as the last node is done. */
  released: boolean;
  warehouse: string | null;
  /** An in-memory database lives only in its context: keep it open much longer when idle. */
  memory: boolean;
  /** The engine could not open it; no more nodes go there. */
  failed: boolean;
  /** When it opened, and when its last node ended (epoch ms). */
  openedAt: number;
  idleSince: number;
  /** Its dbt threads, once the engine reported them (nodes it runs at once). */
  threads: number | null;
  /** Other runs wait and its turn is over: no more nodes; it closes when its last one ends. */
  draining: boolean;
}

export interface Slot {
  /** null while the engine starts. */
  engine: EngineProcess | null;
  ready: Promise<boolean>;
  startError?: string;
  /** The engine's version warnings (its start-up self-check). */
  warnings?: string[];
  startMs: number;
  context: OpenContext | null;
  /** Whether the open context's spec went to the engine already. */
  specSent: boolean;
  inflight: number;
  invoking: boolean;
  closing: boolean;
  /** Manifest keys the engine has parsed, most recent last. */
  manifests: string[];
  /** Run contexts parked on the engine (context key -> its run): a node of one resumes it. */
  parked: Map<string, string | null>;
  idleTimer: NodeJS.Timeout | null;
}

export interface PlacementLimits {
  maxEngines: number;
  defaultContextThreads: number;
}

const usable = (s: Slot): boolean => !s.closing && !(s.engine && !s.engine.alive) && !s.context?.failed && !s.context?.draining;

/** Nodes the slot's engine runs at once: its context's dbt threads once known. */
export const slotThreads = (s: Slot, limits: PlacementLimits): number => s.context?.threads ?? limits.defaultContextThreads;

/**
 * A slot that already has the node's run context open with room for it, or (`blockedBy`) the
 * slot whose context holds the node's DuckDB database, which no other engine may open.
 */
export function pickHolder(slots: readonly Slot[], job: Extract<Job, { kind: 'node' }>, limits: PlacementLimits & { canSpawn?: boolean }): { slot: Slot | null; blockedBy: Slot | null } {
  if (job.warehouse) {
    const want = job.warehouse;
    const owner = slots.find((s) => s.context?.warehouse && sameWarehouse(s.context.warehouse, want));
    if (!owner) return { slot: null, blockedBy: null };
    const fits = owner.context?.key === job.request.context.key && usable(owner) && owner.inflight < slotThreads(owner, limits);
    return { slot: fits ? owner : null, blockedBy: fits ? null : owner };
  }
  const holders = slots.filter((s) => s.context?.key === job.request.context.key && usable(s)).sort((a, b) => a.inflight - b.inflight);
  const least = holders[0];
  if (!least) return { slot: null, blockedBy: null };
  // Spread a run over the engines first (each has its own GIL), then fill their threads.
  const threads = slotThreads(least, limits);
  const spread = Math.max(1, Math.ceil(threads / limits.maxEngines));
  if (least.inflight < spread) return { slot: least, blockedBy: null };
  const canGrow = growRoom(slots, limits);
  return { slot: !canGrow && least.inflight < threads ? least : null, blockedBy: null };
}

/** Whether a run could spread to another engine (a new one fits, or one is free). */
function growRoom(slots: readonly Slot[], limits: PlacementLimits & { canSpawn?: boolean }): boolean {
  return (limits.canSpawn ?? slots.length < limits.maxEngines) || slots.some((s) => !s.context && !s.invoking && usable(s));
}

/**
 * An engine with nothing open: preferring one where the node's run context is parked (a resume
 * instead of an open), then one that parsed the manifest already.
 */
export function pickFree(slots: readonly Slot[], manifestKey: string, contextKey: string | null = null): Slot | null {
  const free = slots.filter((s) => !s.context && !s.invoking && s.inflight === 0 && usable(s));
  return (contextKey !== null ? free.find((s) => s.parked.has(contextKey)) : undefined)
    ?? free.find((s) => s.manifests.includes(manifestKey)) ?? free[0] ?? null;
}

/** Whether two warehouse keys name the same database (`duckdb` alone: every DuckDB database). */
export function sameWarehouse(a: string, b: string): boolean {
  return a === b || (a === 'duckdb' && b.startsWith('duckdb')) || (b === 'duckdb' && a.startsWith('duckdb'));
}

/**
 * Whether the worker's measured memory (`baseMb`: its own process and the template; every
 * engine, one still starting counted at `engineMb`) leaves room for one more engine of
 * `engineMb` within `limitMb`.
 */
export function roomForEngine(slots: Iterable<Slot>, baseMb: number, engineMb: number, limitMb: number): boolean {
  let used = baseMb;
  for (const s of slots) used += Math.max(s.engine?.rssMb ?? 0, s.engine ? 0 : engineMb);
  return used + engineMb <= limitMb;
}
