// The worker's executor, sized from the config, with dbt's start-up check under way (warm mode:
// the first engine starts, importing dbt). A start's long pole is that import (seconds of
// Python), so it begins first: the worker's own modules load and its projects resolve while it
// runs. Light on imports on purpose: `local`'s daemon starts it before loading the worker.
import { createExecutor, readMachine } from '../executor/index.js';
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
  const executor = createExecutor({ maxTasks, engineMode: config.dbt.engineMode, machine, warm });
  const dbtChecked = executor.checkDbt(config.dbt.executable, config.processEnv).then(
    (check): DbtCheck => ({ check, error: null }),
    (err: Error): DbtCheck => ({ check: null, error: err }),
  );
  return { executor, maxTasks, machine, dbtChecked };
}
