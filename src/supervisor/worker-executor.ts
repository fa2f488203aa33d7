// The worker's executor, sized from the config, with dbt's start-up check under way (warm mode:
// the first engine starts, importing dbt). A start's long pole is that import (seconds of
// Python), so it begins first: the worker's own modules load and its projects resolve while it
// runs. Light on imports on purpose: `local`'s daemon starts it before loading the worker.
import { DEFAULT_WARM_ENGINE_OPTIONS, compileExecutorOptions, createExecutor, readMachine } from '../executor/index.js';
import type { Executor, MachineResources } from '../executor/index.js';
import type { Config } from './config/config.js';
import { activitySlots } from './config/worker-config.js';

export interface DbtCheck {
  /** dbt's version warnings, or null when the check failed (then `error` says why). */
  check: { warnings: string[] } | null;
  error: Error | null;
}

export interface StartedExecutor {
  executor: Executor;
  /** Activity slots: the executor's task bound. */
  maxTasks: number;
  machine: MachineResources;
  /** Settles (never rejects) with the outcome of dbt's start-up check. */
  dbtChecked: Promise<DbtCheck>;
  /** Free activity slots the pollers leave to eager dispatch (reserved-slots.ts); 0: none. */
  eagerReservedSlots: number;
}

/**
 * An idle run's grace while every slot is taken but a few are kept for eager dispatch: its next
 * layer arrives a workflow round trip later (10-40 ms measured; warm/turns.ts).
 */
const KEPT_SLOTS_GRACE_MS = 50;

/**
 * WORKER_EAGER_RESERVED_SLOTS, or by default twice what the engines run at once (engines x dbt
 * threads per context: a run's next layer and the one after), at most half the slots: with the
 * fixed tuner and warm engines only (the resource-based tuner hands out its own slots; with one
 * dbt process per node, runs do not take turns on engines). Never all the slots.
 */
export function eagerReservedSlots(config: Config, maxEngines: number | null, slots: number): number {
  const w = config.worker;
  if (w.tuner !== 'fixed' || config.dbt.engineMode !== 'warm' || slots < 2) return 0;
  const wanted = w.eagerReservedSlots ?? Math.min(2 * (maxEngines ?? 1) * (w.engineThreads ?? DEFAULT_WARM_ENGINE_OPTIONS.defaultContextThreads), Math.floor(slots / 2));
  return Math.min(wanted, slots - 1);
}

/** Creates the executor and starts dbt's check; the caller owns the executor (and closes it). */
export function startWorkerExecutor(config: Config): StartedExecutor {
  const maxTasks = activitySlots(config.worker);
  const machine = readMachine();
  const w = config.worker;
  const warm = {
    ...(w.maxEngines !== null ? { maxEngines: w.maxEngines } : {}),
    ...(w.memoryLimitMb !== null ? { memoryLimitMb: w.memoryLimitMb } : {}),
    ...(w.engineThreads !== null ? { contextThreads: w.engineThreads } : {}),
    maxParkedContexts: w.maxParkedContexts,
  };
  const sized = compileExecutorOptions({ maxTasks, engineMode: config.dbt.engineMode, machine, warm });
  const reserved = eagerReservedSlots(config, sized.warm.maxEngines ?? null, maxTasks);
  const executor = createExecutor({ ...sized, warm: { ...sized.warm, fullGraceMs: reserved > 0 ? KEPT_SLOTS_GRACE_MS : 0 } });
  const dbtChecked = executor.checkDbt(config.dbt.executable, config.processEnv).then(
    (check): DbtCheck => ({ check, error: null }),
    (err: Error): DbtCheck => ({ check: null, error: err }),
  );
  return { executor, maxTasks, machine, dbtChecked, eagerReservedSlots: reserved };
}
