// The composition root: config -> pool (its first dbt engine starts: the long pole) ->
// operations (metrics, HTTP) -> projects -> resolve cache -> connection -> worker -> health
// file. Shutdown runs in reverse; each step is bounded and logged, and every component's
// close() is idempotent.
import { Client } from '@temporalio/client';
import { CodedError } from '../shared/errors.js';
import type { Executor } from '../executor/index.js';
import { createActivities } from './activities/index.js';
import { createRunEnvSource } from './activities/run-env.js';
import { AesGcmPayloadCodec } from './codec/aes-gcm-codec.js';
import { observabilityDeps } from './activities/observability-deps.js';
import type { Config } from './config/config.js';
import { packageVersion } from './config/config.js';
import { profileSecrets } from './config/profile-secrets.js';
import type { Logger } from './logger.js';
import type { EngineGauges } from './metrics/metrics.js';
import { startOperations } from './operations.js';
import type { Operations } from './operations.js';
import { loadProjectSources } from './projects/discover.js';
import type { ProjectSources } from './projects/discover.js';
import type { ParseSeeds } from './projects/parse-cache.js';
import { resolveProjects } from './projects/resolve-cache.js';
import { SETTINGS_FILE } from './projects/project-settings.js';
import type { ResolveCache } from './projects/resolve-cache.js';
import { createRedactor } from './redact.js';
import type { Redactor } from './redact.js';
import { createDbtNexusService } from './nexus/dbt-service.js';
import { NodeDurations } from './priority/node-durations.js';
import type { Tracing } from './tracing/tracing.js';
import { DuckDbConflictWarner } from './duckdb-conflicts.js';
import { sweepStaleScratch } from './scratch-sweep.js';
import { createTemporalWorker } from './worker.js';
import { startWorkerExecutor } from './worker-executor.js';
import { ReservedSlots } from './reserved-slots.js';
import type { StartedExecutor } from './worker-executor.js';

export interface WorkerRuntime {
  cache: ResolveCache;
  operations: Operations;
  /** Resolves when the worker has stopped and everything is closed (after shutdown() or a fatal error). */
  run(): Promise<void>;
  /** Stops polling, lets in-flight nodes finish within the grace period, then closes everything. */
  shutdown(): Promise<void>;
}

export interface RuntimeOptions {
  /** Where the Temporal SDK's Prometheus metrics are readable (see installTemporalRuntime). */
  sdkMetricsUrl?: string | null;
  /** Redactor shared with the logger; one is created from config.secrets otherwise. */
  redact?: Redactor;
  /**
   * Settles when Temporal may be connected to (`local`'s daemon: its dev server answers): the
   * projects resolve meanwhile; a rejection fails the start. @default already settled
   */
  beforeConnect?: Promise<unknown>;
  /**
   * The executor, started ahead by startWorkerExecutor (`local`'s daemon: before it loads this
   * module); the runtime owns it from here. @default started here, first
   */
  executor?: StartedExecutor;
  /** Where the start-up parse finds and leaves dbt's partial-parse file (`local`). @default none: a full parse */
  parseSeeds?: ParseSeeds | null;
}

const CLOSE_STEP_TIMEOUT_MS = 30_000;

/** Runs one shutdown step, logging it; a step that hangs is abandoned after a bound. */
async function step(log: Logger, name: string, fn: () => Promise<unknown>): Promise<void> {
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), CLOSE_STEP_TIMEOUT_MS)));
  try {
    const outcome = await Promise.race([fn().then(() => 'done' as const), bound]);
    if (outcome === 'timeout') log.warn({ step: name, ms: CLOSE_STEP_TIMEOUT_MS }, 'shutdown step timed out');
    else log.info({ step: name, ms: Date.now() - started }, 'shutdown step done');
  } catch (err) {
    log.error({ step: name, err: (err as Error).message }, 'shutdown step failed');
  } finally {
    clearTimeout(timer);
  }
}

/** Engine gauges: the executor's, else one dbt process per running task. */
function engineGauges(executor: Executor): EngineGauges {
  const stats = executor.stats;
  return stats.engines ?? { alive: stats.running, recycled: 0 };
}

export async function startWorkerRuntime(config: Config, log: Logger, opts: RuntimeOptions = {}): Promise<WorkerRuntime> {
  const redact = opts.redact ?? createRedactor(config.secrets);
  const swept = sweepStaleScratch();
  if (swept.length > 0) log.info({ removed: swept.length, dirs: swept.slice(0, 10) }, 'removed scratch of dead processes');
  // dbt and every reach-in into it are checked once, beside the project resolve (warm mode: by
  // starting the first engine, which then parses the projects); a failure stops the worker
  // before it is ready, drift from the checked versions is one warning.
  const { executor: pool, maxTasks, machine, dbtChecked, eagerReservedSlots } = opts.executor ?? startWorkerExecutor(config);
  // The activity slots, a few of them kept for the runs' eagerly dispatched nodes (reserved-slots.ts).
  const activitySlots = eagerReservedSlots > 0 ? new ReservedSlots({ slots: maxTasks, reserved: eagerReservedSlots }) : null;
  const executor: Executor = pool;
  let opened: Operations | null = null;
  let sources: ProjectSources | null = null;
  let traced: Tracing | null = null;
  try {
    // Loaded only when tracing is on: the OTLP exporters cost ~20 MiB of the worker's RSS.
    const tracing = config.tracing.enabled ? (await import('./tracing/tracing.js')).startTracing(config.tracing, log, redact, packageVersion()) : null;
    traced = tracing;
    const ops = await startOperations(config, log, opts.sdkMetricsUrl ?? null);
    opened = ops;
    sources = await loadProjectSources(config.dbt, config.processEnv, config.git.token);
    const { locations } = sources;
    const fetched = sources;
    redact.add(profileSecrets(locations.map((l) => l.profilesDir)));
    ops.metrics.bind({
      executor: () => ({ ...pool.stats, maxThreads: maxTasks }), engines: () => engineGauges(pool), enginePool: () => pool.stats.pool,
      activitySlots: () => activitySlots && { available: maxTasks - activitySlots.inUse, waitingPolls: activitySlots.waitingPolls, reserved: eagerReservedSlots },
    });
    const sizing = pool.stats.pool;
    log.info({ cpus: machine.cpus, cpu_source: machine.cpuSource, memory_mb: machine.memoryMb, memory_source: machine.memorySource, activity_slots: maxTasks, eager_reserved_slots: eagerReservedSlots, ...(sizing ? { engines_max: sizing.maxEngines, memory_limit_mb: sizing.memoryLimitMb } : {}) }, 'worker sized');
    const defaults = { dbtPath: config.dbt.executable, target: config.dbt.target, baseEnv: config.processEnv, timeoutMs: config.dbt.nodeTimeoutMs };
    const started = Date.now();
    // A dbt that fails its check fails the resolve too: its own message says why.
    const cache = await resolveProjects(locations, pool, defaults, opts.parseSeeds ?? null).catch(async (err: unknown) => {
      const { error } = await dbtChecked;
      throw error ? new CodedError('CONFIG_ERROR', error.message) : err;
    });
    const { check, error } = await dbtChecked;
    if (!check) throw new CodedError('CONFIG_ERROR', error?.message ?? 'dbt self-check failed');
    if (check.warnings.length > 0) log.warn({ drift: check.warnings }, `dbt versions differ from the ones dbt-temporal was checked against: ${check.warnings.join('; ')}`);
    ops.metrics.bind({ dbtVersionDrift: () => check.warnings.length });
    ops.readiness.markProjectsResolved();
    ops.metrics.bind({ resolvedProjects: () => cache.names.map((project) => ({ project, resolvedAt: cache.pick(project).resolvedAt })) });
    log.info({ projects: cache.names, ms: Date.now() - started }, 'projects resolved');
    for (const name of cache.names) for (const warning of cache.pick(name).settings.warnings) log.warn({ project: name }, `${SETTINGS_FILE}: ${warning}`);
    const durations = config.temporal.prioritySchedulingEnabled && config.temporal.priorityHistory ? new NodeDurations(config.temporal.priorityWeight) : null;
    // Activities ask runs for their env, and tell them of nodes paused or reset, through a client on the worker's own connection.
    let client: Client | null = null;
    const runEnv = createRunEnvSource({ client: () => client, redact, secretEnvNames: config.secretEnvNames });
    const activities = createActivities({ cache, runEnv, runClient: () => client, executor: pool, defaults, redact, duckdbConflicts: new DuckDbConflictWarner(log), observability: { ...observabilityDeps(config.artifacts, config.temporal.searchAttributes), prioritySchedulingEnabled: config.temporal.prioritySchedulingEnabled, durations } });
    await opts.beforeConnect;
    const { worker, connection } = await createTemporalWorker(config, activities, { metrics: ops.metrics, log, redact, tracing, durations, activitySlots, ...(config.telemetry.nexusEnabled ? { nexusServices: [createDbtNexusService()] } : {}) });
    client = new Client({ connection, namespace: config.temporal.namespace, ...(config.codec ? { dataConverter: { payloadCodecs: [new AesGcmPayloadCodec(config.codec)] } } : {}) });
    log.info({ address: config.temporal.address, namespace: config.temporal.namespace, taskQueue: config.temporal.taskQueue, tls: config.temporal.tls !== null, tuner: config.worker.tuner, activity_slots: maxTasks, nexus: config.telemetry.nexusEnabled ? 'dbt' : null, deployment: config.temporal.deploymentName ? `${config.temporal.deploymentName}/${config.temporal.buildId}` : null }, 'worker connected');
    await ops.startHealthFile();

    const closeAll = async (): Promise<void> => {
      ops.readiness.markWorkerPolling(false);
      await step(log, 'executor', () => pool.close());
      await step(log, 'connection', () => connection.close());
      if (tracing) await step(log, 'tracing', () => tracing.close());
      await step(log, 'project sources', () => fetched.cleanup());
      await step(log, 'http', () => ops.close());
      log.info('worker stopped');
    };
    let running: Promise<void> | null = null;
    const run = (): Promise<void> => {
      if (running === null) {
        const done = worker.run();
        ops.readiness.markWorkerPolling(worker.getState() === 'RUNNING');
        running = done.finally(closeAll);
      }
      return running;
    };
    return {
      cache,
      operations: ops,
      run,
      async shutdown() {
        ops.readiness.markShuttingDown();
        if (running === null) {
          running = closeAll();
        } else if (worker.getState() === 'RUNNING') {
          log.info({ grace_s: config.worker.gracefulShutdownSecs }, 'stopping polling; waiting for in-flight activities');
          worker.shutdown();
        }
        await running;
      },
    };
  } catch (err) {
    await executor.close();
    await traced?.close();
    await sources?.cleanup();
    await opened?.close();
    throw err;
  }
}
