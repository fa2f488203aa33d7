// The composition root: config -> projects -> resolve cache -> pool -> connection -> worker.
// Shutdown runs in reverse; each component's close() is idempotent.
import { createExecutor } from '../executor/index.js';
import type { Executor } from '../executor/index.js';
import { createActivities } from './activities/index.js';
import type { Config } from './config/config.js';
import type { Logger } from './logger.js';
import { discoverProjects } from './projects/discover.js';
import { resolveProjects } from './projects/resolve-cache.js';
import type { ResolveCache } from './projects/resolve-cache.js';
import { createTemporalWorker } from './worker.js';

export interface WorkerRuntime {
  cache: ResolveCache;
  /** Resolves when the worker has stopped (after shutdown() or a fatal error). */
  run(): Promise<void>;
  shutdown(): Promise<void>;
}

export async function startWorkerRuntime(config: Config, log: Logger): Promise<WorkerRuntime> {
  const locations = discoverProjects(config.dbt);
  const executor: Executor = createExecutor({ maxThreads: config.worker.maxConcurrentActivities, engineMode: config.dbt.engineMode });
  try {
    const defaults = { dbtPath: config.dbt.executable, target: config.dbt.target, baseEnv: config.processEnv, timeoutMs: config.dbt.nodeTimeoutMs };
    const started = Date.now();
    const cache = await resolveProjects(locations, executor, defaults);
    log.info({ projects: cache.names, ms: Date.now() - started }, 'projects resolved');
    const { worker, connection } = await createTemporalWorker(config, createActivities({ cache, executor, defaults }));
    log.info({ address: config.temporal.address, namespace: config.temporal.namespace, taskQueue: config.temporal.taskQueue }, 'worker connected');
    let running: Promise<void> | null = null;
    const run = (): Promise<void> => {
      running ??= worker.run().finally(async () => {
        await executor.close();
        await connection.close();
        log.info('worker stopped');
      });
      return running;
    };
    return {
      cache,
      run,
      async shutdown() {
        if (running === null) {
          running = Promise.resolve();
          await executor.close();
          await connection.close();
          return;
        }
        if (worker.getState() === 'RUNNING') worker.shutdown();
        await running;
      },
    };
  } catch (err) {
    await executor.close();
    throw err;
  }
}
