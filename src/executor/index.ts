// Public face of the executor: a piscina worker-thread pool that runs dbt tasks.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import type { ExecutorResult, ExecutorTask } from '../shared/executor-protocol.js';
import { failed } from './failure.js';
import { KeyedMutex } from './keyed-mutex.js';
import type { ThreadMessage } from './thread.js';
import { WarmEnginePool } from './warm/engine-pool.js';
import { serveLink } from './warm/engine-link.js';
import { warmHooks } from './warm/run-hooks.js';
import { nowMs, trace, tracing } from './trace.js';
import type { WarmEngineOptions } from './warm/options.js';
import { defaultEngines, readMachine } from './machine.js';
import type { MachineResources } from './machine.js';
import { checkDbt, dbtInterpreter } from './dbt-check.js';
import { spawnOptions } from './warm/context-spec.js';

export { nowMs, trace, tracing } from './trace.js';
export { defaultEngines, readMachine } from './machine.js';
export { DEFAULT_WARM_ENGINE_OPTIONS } from './warm/options.js';
export { checkDbt, dbtInterpreter } from './dbt-check.js';
export type { DbtCheck } from './dbt-check.js';
export type { MachineResources } from './machine.js';

export interface ExecutorOptions {
  /**
   * Tasks in flight at once (the worker's activity slots): a node, a plan, hooks.
   * @default 4
   */
  maxTasks?: number;
  /**
   * Executor threads; each serves several tasks at once (they wait on dbt, not on the CPU).
   * @default min(maxTasks, the machine's CPUs)
   */
  maxThreads?: number;
  /**
   * How node tasks run: `warm` long-lived dbt engines, or a fresh `subprocess` per node.
   * Parse and list tasks always use subprocesses.
   * @default 'warm'
   */
  engineMode?: EngineMode;
  /**
   * Warm engine pool tuning; `maxEngines` and `memoryLimitMb` default to what the machine has
   * (cgroup-aware: see machine.ts), never to the task count.
   */
  warm?: WarmEngineOptions;
  /** The machine the defaults come from. @default readMachine() */
  machine?: MachineResources;
}

export type EngineMode = 'warm' | 'subprocess';
export const ENGINE_MODES: readonly EngineMode[] = ['warm', 'subprocess'];

export const DEFAULT_EXECUTOR_OPTIONS = { maxTasks: 4, engineMode: 'warm' as EngineMode };

export interface RunOptions {
  /** Aborting cancels the task and kills its dbt process tree. */
  signal?: AbortSignal;
  /** Tasks with the same key never run at the same time (e.g. one DuckDB file). */
  singleWriterKey?: string | null;
}

export interface Executor {
  /** How node tasks run. */
  readonly mode: EngineMode;
  run(task: ExecutorTask, opts?: RunOptions): Promise<ExecutorResult>;
  /** For metrics: `queued` counts tasks waiting for a thread, an engine or an exclusive key; `engines` are dbt engine processes. */
  readonly stats: ExecutorStats;
  /**
   * Checks dbt once at start-up: warm mode starts the first engine (its boot runs dbt_reach's
   * self-check, and the first run then skips dbt's import), subprocess mode runs the shim's
   * self-check. Resolves with version warnings; rejects with a message naming what is wrong.
   */
  checkDbt(dbtPath: string, env: Record<string, string>): Promise<{ dbtCoreVersion: string | null; warnings: string[] }>;
  /** Closes the run contexts of a finished run on this worker's engines (idle ones at once). */
  releaseRun(invocationId: string): Promise<void>;
  close(): Promise<void>;
}

/** Tasks a warm engine serves (the rest run as dbt subprocesses); project hooks run in their run's context. */
const isWarm = (task: ExecutorTask): boolean => task.type === 'node' || task.type === 'list' || task.type === 'parse' || (task.type === 'hooks' && warmHooks(task));

export interface ExecutorStats {
  threads: number;
  queued: number;
  running: number;
  engines?: { alive: number; recycled: number };
  /** Warm mode: the engine pool's own view. */
  pool?: EnginePoolStats;
}

/** The warm engine pool's limits, queue, contexts, engine memory and counters (for metrics). */
export interface EnginePoolStats {
  maxEngines: number;
  memoryLimitMb: number;
  memoryLimited: boolean;
  queued: number;
  contexts: number;
  /** Run contexts parked on the engines (kept for their run's next turn). */
  parked: number;
  engineRssMb: number[];
  counters: Readonly<Record<string, number>>;
}

const positive = (name: string, n: number): number => {
  if (!Number.isInteger(n) || n < 1) throw new TypeError(`${name} must be a positive integer, got ${n}`);
  return n;
};

export function compileExecutorOptions(opts: ExecutorOptions = {}): Required<ExecutorOptions> {
  const machine = opts.machine ?? readMachine();
  const maxTasks = positive('maxTasks', opts.maxTasks ?? DEFAULT_EXECUTOR_OPTIONS.maxTasks);
  const maxThreads = positive('maxThreads', opts.maxThreads ?? Math.min(maxTasks, machine.cpus));
  const engineMode = opts.engineMode ?? DEFAULT_EXECUTOR_OPTIONS.engineMode;
  if (!ENGINE_MODES.includes(engineMode)) throw new TypeError(`engineMode must be one of ${ENGINE_MODES.join(', ')}, got ${String(engineMode)}`);
  const memoryLimitMb = opts.warm?.memoryLimitMb ?? machine.memoryMb;
  const maxEngines = opts.warm?.maxEngines ?? defaultEngines(machine, memoryLimitMb);
  return { maxTasks, maxThreads, engineMode, machine, warm: { ...opts.warm, maxEngines, memoryLimitMb } };
}

/** Creates the pool; the thread file is the compiled `thread.js` next to this module. */
export function createExecutor(options: ExecutorOptions = {}): Executor {
  const { maxTasks, maxThreads, engineMode, warm } = compileExecutorOptions(options);
  // The worker's manifest directory: engines share their parses through it (removed on close;
  // the start-up sweep removes a killed worker's by the pid in its name).
  const manifestDir = engineMode === 'warm' ? mkdtempSync(join(tmpdir(), `dbtt-manifests-${process.pid}-`)) : null;
  // Engines live on the main thread's side: a child's parent-death signal follows the thread
  // that spawned it, and one pool serves every thread. A warm node is still a piscina task (its
  // scratch dir, request and result handling happen there); only the engine call crosses back.
  let running = 0;
  let lockWaiting = 0;
  let closed = false;
  // Full: the tasks in the executor (nearly) fill the activity slots, so no new node can arrive
  // until one ends (a slot or two may hold an activity that does not reach the executor), unless
  // the worker keeps a few slots for its runs' eager nodes (`warm.fullGraceMs`, turns.ts).
  const full = (): boolean => running >= maxTasks - Math.max(1, Math.floor(maxTasks / 20));
  const engines = engineMode === 'warm' ? new WarmEnginePool({ ...warm, manifestDir }, full) : null;
  const pool = new Piscina({
    filename: new URL('./thread.js', import.meta.url).href,
    // Two threads from the start (the second would start at a worker's first overlapping nodes,
    // ~0.2 CPU-s of module loading in the middle of a run: what a worker joining a run paid for
    // its few nodes) and for good (no idle timeout takes them below that).
    minThreads: Math.min(2, maxThreads),
    maxThreads,
    idleTimeout: 60_000,
    // Tasks mostly wait on dbt (child processes or engines), so a few threads serve every
    // activity slot: each takes several tasks at once, each task with its own cancel port.
    concurrentTasksPerWorker: Math.ceil(maxTasks / maxThreads),
  });
  const seeds = new WeakMap<Uint8Array, string>();
  /** The start-up partial-parse file of a project, written once into the manifest dir. */
  const seedFile = (bytes: Uint8Array): string | null => {
    if (!manifestDir) return null;
    let path = seeds.get(bytes);
    if (!path) {
      path = join(manifestDir, `seed-${createHash('sha256').update(bytes).digest('hex').slice(0, 32)}.msgpack`);
      writeFileSync(path, bytes, { mode: 0o600 });
      seeds.set(bytes, path);
    }
    return path;
  };
  const mutex = new KeyedMutex();

  async function dispatch(task: ExecutorTask, signal: AbortSignal | undefined, enqueuedAt: number): Promise<ExecutorResult> {
    if (signal?.aborted) return failed({ kind: 'cancelled' }, 'cancelled before start');
    // A warm task's engine call goes through the main thread's pool, which sees the cancel
    // signal itself (serveLink); only a task that runs a dbt process needs a cancel port.
    // Reuse's compiles run on a warm engine too, inside run()'s warehouse lease (no engine holds the DuckDB file then).
    const link = engines && (isWarm(task) || task.type === 'compile') ? new MessageChannel() : null;
    if (link && engines) serveLink(link.port1, engines, signal ?? new AbortController().signal);
    const cancel = link ? null : new MessageChannel();
    const onAbort = (): void => cancel?.port1.postMessage('cancel');
    if (cancel) signal?.addEventListener('abort', onAbort, { once: true });
    running += 1;
    try {
      const message: ThreadMessage = { task, enqueuedAt, ...(cancel ? { cancelPort: cancel.port2 } : {}), ...(link ? { engine: { port: link.port2 } } : {}) };
      const port = link?.port2 ?? cancel?.port2;
      const out = (await pool.run(message, { transferList: port ? [port] : [] })) as ExecutorResult;
      if (tracing && task.type === 'node') trace(task.uniqueId, 'dispatch', { d0: enqueuedAt, d1: nowMs() });
      return out;
    } finally {
      running -= 1;
      signal?.removeEventListener('abort', onAbort);
      cancel?.port1.close();
      link?.port1.close();
    }
  }

  return {
    mode: engineMode,
    run(task, opts = {}) {
      if (closed) return Promise.resolve(failed({ kind: 'cancelled' }, 'executor is closed'));
      const key = opts.singleWriterKey;
      const enqueuedAt = Date.now();
      if (engines && isWarm(task)) {
        // Warm nodes are placed by their warehouse (one engine per DuckDB database), not locked.
        // A node's partial-parse seed (megabytes on a large project) would be copied to the thread
        // and written to disk for every node, to serve only a context's first parse: nodes go
        // without it (an engine parses each manifest once); plans keep it.
        // The seed goes as a file the engine copies only when it must parse.
        const inContext = task.type === 'node' || task.type === 'hooks';
        const seed = inContext && task.invocation.partialParse ? seedFile(task.invocation.partialParse) : null;
        const routed = inContext ? { ...task, warehouse: task.warehouse ?? key ?? null, invocation: { ...task.invocation, partialParse: null, partialParseFile: seed } } : task;
        return dispatch(routed, opts.signal, enqueuedAt);
      }
      if (!key) return dispatch(task, opts.signal, enqueuedAt);
      lockWaiting += 1;
      return mutex.run(key, () => {
        lockWaiting -= 1;
        const go = (): Promise<ExecutorResult> => dispatch(task, opts.signal, enqueuedAt);
        return engines ? engines.lease(key, go) : go();
      });
    },
    get stats() {
      // Subprocess mode: one dbt process per running task.
      const engineStats = engines ? { alive: engines.pids.length, recycled: engines.counters.recycled } : { alive: running, recycled: 0 };
      const poolStats = engines && {
        maxEngines: warm.maxEngines as number, memoryLimitMb: warm.memoryLimitMb as number, memoryLimited: engines.memoryLimited,
        queued: engines.queued, contexts: engines.engines.filter((e) => e.context).length, parked: engines.parked,
        engineRssMb: engines.engines.map((e) => Math.round(e.rssMb)), counters: engines.counters,
      };
      return { threads: pool.threads.length, queued: pool.queueSize + lockWaiting + (engines?.queued ?? 0), running, engines: engineStats, ...(poolStats ? { pool: poolStats } : {}) };
    },
    async checkDbt(dbtPath, env) {
      if (!engines) {
        const check = await checkDbt(dbtPath, env);
        return { dbtCoreVersion: check.dbtCoreVersion, warnings: check.warnings };
      }
      dbtInterpreter(dbtPath, env);
      const warnings = await engines.prestart(spawnOptions({ dbtPath, env })).catch((err: Error) => {
        throw new Error(`dbt self-check failed for DBT_EXECUTABLE=${dbtPath}: ${err.message.split('\n').filter(Boolean).slice(-3).join(' | ')}`);
      });
      return { dbtCoreVersion: null, warnings };
    },
    async releaseRun(invocationId) {
      await engines?.releaseRun(invocationId);
    },
    async close() {
      if (closed) return;
      closed = true;
      await Promise.all([pool.destroy(), engines?.close()]);
      if (manifestDir) rmSync(manifestDir, { recursive: true, force: true });
    },
  };
}
