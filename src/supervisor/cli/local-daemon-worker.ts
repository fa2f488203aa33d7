// The daemon's worker: one worker runtime at a time on its own task queue, started for the
// first lease and kept while leases bring the same fingerprint. A lease with another one
// (an edited model or profile, another env) waits until the runs of the old worker are over,
// then gets a fresh worker: a fresh parse, as plain dbt would parse again.
import { randomUUID } from 'node:crypto';
import { loadConfig } from '../config/config.js';
import type { Logger } from '../logger.js';
import type { WorkerRuntime } from '../main.js';
import { localParseSeeds } from '../projects/parse-cache.js';
import { startWorkerExecutor } from '../worker-executor.js';

export interface LeaseRequest {
  fingerprint: string;
  env: Record<string, string>;
  cwd: string;
}

interface Current {
  fingerprint: string;
  taskQueue: string;
  runtime: WorkerRuntime;
}

export class DaemonWorker {
  private current: Current | null = null;
  /** The env and working directory of the latest lease: a refresh starts a worker for them. */
  private last: Omit<LeaseRequest, 'fingerprint'> | null = null;
  private turn: Promise<unknown> = Promise.resolve();
  private leases = 0;
  private drained: (() => void) | null = null;

  /**
   * `serverReady` settles when the worker may connect (the dev server answers, the Temporal
   * runtime is installed): a worker starts (its parse) meanwhile, and only its connection waits.
   */
  constructor(private readonly address: string, private readonly serverReady: Promise<unknown>, private readonly log: Logger) {}

  /** Runs holding a lease right now. */
  get active(): number {
    return this.leases;
  }

  /** The task queue of a worker for `req` (started if needed); the caller holds a lease until release(). */
  lease(req: LeaseRequest): Promise<{ taskQueue: string }> {
    // One lease at a time decides about the worker: two new fingerprints never start two.
    const next = this.turn.then(async () => {
      const r = await this.ensure(req);
      this.leases += 1;
      return r;
    });
    this.turn = next.catch(() => undefined);
    return next;
  }

  release(): void {
    this.leases -= 1;
    if (this.leases === 0) this.drained?.();
  }

  /**
   * After a file change, with no run in flight: a fresh worker (a fresh parse) for the latest
   * lease's env and working directory, so the next run after an edit finds it started.
   */
  refresh(fingerprintOf: (req: Omit<LeaseRequest, 'fingerprint'>) => string): void {
    const last = this.last;
    if (last === null || this.leases > 0) return;
    const fingerprint = fingerprintOf(last);
    if (fingerprint === this.current?.fingerprint) return;
    this.log.info('project or profile changed: starting a fresh worker');
    void this.lease({ ...last, fingerprint }).then(() => this.release(), () => undefined);
  }

  private async ensure(req: LeaseRequest): Promise<{ taskQueue: string }> {
    this.last = { env: req.env, cwd: req.cwd };
    if (this.current?.fingerprint === req.fingerprint) return { taskQueue: this.current.taskQueue };
    if (this.current) {
      if (this.leases > 0) {
        this.log.info({ runs: this.leases }, 'project, profile or env changed: starting a fresh worker after the runs in flight');
        await new Promise<void>((resolve) => (this.drained = resolve));
        this.drained = null;
      }
      await this.close();
    }
    const taskQueue = `dbt-temporal-local-${randomUUID().slice(0, 8)}`;
    const env = { ...req.env, TEMPORAL_ADDRESS: this.address, TEMPORAL_NAMESPACE: 'default', TEMPORAL_TASK_QUEUE: taskQueue };
    // Engines resolve relative paths (a DuckDB file in profiles.yml) from the worker's working
    // directory, as plain dbt does from the user's: it is the client's.
    process.chdir(req.cwd);
    const started = Date.now();
    const runtime = await this.startRuntime(env, req.cwd);
    const current: Current = { fingerprint: req.fingerprint, taskQueue, runtime };
    this.current = current;
    // A worker that stops by itself (a fatal error) is replaced at the next lease.
    void runtime.run().catch((err: unknown) => this.log.error({ err: (err as Error).message }, 'worker stopped with an error')).finally(() => {
      if (this.current === current) this.current = null;
    });
    this.log.info({ taskQueue, ms: Date.now() - started }, 'worker started');
    return { taskQueue };
  }

  /**
   * Starts a worker runtime: its first engine starts importing dbt before the worker's modules
   * load (a second of imports, on the first start), its projects resolve while the dev server
   * starts, and it connects once the server answers.
   */
  private async startRuntime(env: Record<string, string>, cwd: string): Promise<WorkerRuntime> {
    const config = loadConfig(env, cwd);
    const executor = startWorkerExecutor(config);
    const { startWorkerRuntime } = await import('../main.js').catch(async (err: unknown) => {
      await executor.executor.close();
      throw err;
    });
    const parseSeeds = localParseSeeds(env, config.dbt.executable);
    return startWorkerRuntime(config, this.log, { beforeConnect: this.serverReady, executor, parseSeeds });
  }

  /** Stops the worker (in-flight nodes get the grace period); idempotent. */
  async close(): Promise<void> {
    const current = this.current;
    this.current = null;
    if (current) await current.runtime.shutdown();
  }
}
