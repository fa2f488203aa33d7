// WORKER_* variables: slot tuner, sticky cache, pollers, rate limits, graceful shutdown.
import { configError, readBool, readEnum, readInt, readNumber, readString } from './env-reader.js';
import type { Env } from './env-reader.js';

export interface ResourceTunerConfig {
  /** Target fraction of system memory in use (cgroup-aware). @default 0.8 */
  targetMemoryUsage: number;
  /** Target fraction of CPU in use. @default 0.9 */
  targetCpuUsage: number;
  /** @default 1 */
  activityMinSlots: number;
  /** @default 500 */
  activityMaxSlots: number;
}

export interface PollerAutoscalingConfig {
  /** @default 1 */
  minimum: number;
  /** @default 100 */
  maximum: number;
  /** @default 5 */
  initial: number;
}

export interface WorkerConfig {
  /** `fixed` slot counts or the `resource-based` tuner. @default fixed */
  tuner: 'fixed' | 'resource-based';
  /** Activity slots (fixed tuner); the executor pool follows it. @default 100 */
  maxConcurrentActivities: number;
  /** @default 200 */
  maxConcurrentWorkflowTasks: number;
  /** @default 100 */
  maxConcurrentLocalActivities: number;
  resource: ResourceTunerConfig;
  /**
   * Activities a workflow task may hand straight to this worker (`WORKER_MAX_EAGER_ACTIVITIES`:
   * Temporal's eager activity dispatch, taken from free slots); the rest go through the task
   * queue to any worker. null: the activity slots, so a run's nodes stay on the worker running
   * its workflow while it has free slots. @default null
   */
  maxEagerActivities: number | null;
  /** Workflows kept in the sticky cache. @default 1000 */
  maxCachedWorkflows: number;
  /** Sticky queue schedule-to-start timeout. @default 10 */
  stickyQueueTimeoutSecs: number;
  /** @default 0.2 */
  nonStickyToStickyPollRatio: number;
  /** Autoscaling pollers for workflow and activity tasks; null keeps the SDK's fixed pollers. @default null */
  pollerAutoscaling: PollerAutoscalingConfig | null;
  /** Per-worker activity rate limit. @default null (unlimited) */
  maxActivitiesPerSecond: number | null;
  /** Server-side task-queue activity rate limit. @default null (unlimited) */
  maxTaskQueueActivitiesPerSecond: number | null;
  /** Grace before in-flight activities are cancelled on shutdown; null waits for them all. @default null */
  gracefulShutdownSecs: number | null;
  /**
   * Warm dbt engines at most (`WORKER_MAX_ENGINES`); null: from the CPU quota and the memory
   * budget (one per CPU beyond the first, as many as the budget holds, at least one). @default null
   */
  maxEngines: number | null;
  /**
   * The worker's memory budget in MiB (`WORKER_MEMORY_LIMIT`, e.g. `512Mi`, `2Gi`); null: the
   * cgroup limit, else the host's memory. No engine starts beyond it. @default null
   */
  memoryLimitMb: number | null;
  /** dbt threads of every run context (`WORKER_ENGINE_THREADS`); null: the profile's. @default null */
  engineThreads: number | null;
  /**
   * Run contexts an engine may keep parked for their run's next turn when runs outnumber engines
   * (`WORKER_MAX_PARKED_CONTEXTS`; 0: never; parking also stays within the memory budget). @default 16
   */
  maxParkedContexts: number;
  /**
   * Free activity slots the task-queue pollers leave to eager dispatch of the worker's own runs'
   * next nodes (`WORKER_EAGER_RESERVED_SLOTS`, fixed tuner, warm engines). 0: none (the SDK's
   * fixed slots). null: twice what the engines run at once, at most half the slots. @default null
   */
  eagerReservedSlots: number | null;
}

const MEMORY_UNITS: Record<string, number> = {
  '': 1 / 1048576, k: 1000 / 1048576, ki: 1 / 1024, m: 1e6 / 1048576, mi: 1, g: 1e9 / 1048576, gi: 1024,
};

/** `WORKER_MEMORY_LIMIT`: bytes, or a Kubernetes-style quantity (`512Mi`, `1.5Gi`, `800M`). */
export function readMemoryMb(env: Env, name: string): number | null {
  const raw = readString(env, name);
  if (raw === undefined) return null;
  const m = /^(\d+(?:\.\d+)?)\s*([kKmMgG]i?)?[bB]?$/.exec(raw.trim());
  const unit = MEMORY_UNITS[(m?.[2] ?? '').toLowerCase()];
  const mb = m && unit !== undefined ? Math.floor(Number(m[1]) * unit) : NaN;
  if (!Number.isFinite(mb) || mb < 64) throw configError(name, raw, 'a memory size of at least 64Mi (bytes, or a number with Ki, Mi, Gi, K, M or G)');
  return mb;
}

function readPollers(env: Env): PollerAutoscalingConfig | null {
  if (!readBool(env, 'WORKER_POLLER_AUTOSCALING', false)) return null;
  const minimum = readInt(env, 'WORKER_POLLER_MIN', 1, 1);
  const maximum = readInt(env, 'WORKER_POLLER_MAX', 100, 1);
  const initial = readInt(env, 'WORKER_POLLER_INITIAL', 5, 1);
  if (maximum < minimum) throw configError('WORKER_POLLER_MAX', String(maximum), `>= WORKER_POLLER_MIN (${minimum})`);
  if (initial < minimum || initial > maximum) {
    throw configError('WORKER_POLLER_INITIAL', String(initial), `between WORKER_POLLER_MIN (${minimum}) and WORKER_POLLER_MAX (${maximum})`);
  }
  return { minimum, maximum, initial };
}

function readResource(env: Env): ResourceTunerConfig {
  const activityMinSlots = readInt(env, 'WORKER_RESOURCE_ACTIVITY_MIN_SLOTS', 1, 0);
  const activityMaxSlots = readInt(env, 'WORKER_RESOURCE_ACTIVITY_MAX_SLOTS', 500, 1);
  if (activityMaxSlots < activityMinSlots) {
    throw configError('WORKER_RESOURCE_ACTIVITY_MAX_SLOTS', String(activityMaxSlots), `>= WORKER_RESOURCE_ACTIVITY_MIN_SLOTS (${activityMinSlots})`);
  }
  return {
    targetMemoryUsage: readNumber(env, 'WORKER_RESOURCE_TARGET_MEM', 0.8, 0.01, 1),
    targetCpuUsage: readNumber(env, 'WORKER_RESOURCE_TARGET_CPU', 0.9, 0.01, 1),
    activityMinSlots,
    activityMaxSlots,
  };
}

/** A rate limit: a positive number, or null (unlimited) when unset. */
function readRate(env: Env, name: string): number | null {
  const n = readNumber(env, name, undefined, 0);
  if (n === 0) throw configError(name, readString(env, name) ?? '0', 'a number > 0 (unset means unlimited)');
  return n ?? null;
}

/** Reads the WORKER_* variables. */
export function readWorkerConfig(env: Env): WorkerConfig {
  const grace = readNumber(env, 'WORKER_GRACEFUL_SHUTDOWN_SECS', undefined, 0);
  return {
    tuner: readEnum(env, 'WORKER_TUNER', ['fixed', 'resource-based'] as const, 'fixed', { resource_based: 'resource-based' }),
    maxConcurrentActivities: readInt(env, 'WORKER_MAX_CONCURRENT_ACTIVITIES', 100, 1),
    maxConcurrentWorkflowTasks: readInt(env, 'WORKER_MAX_CONCURRENT_WORKFLOW_TASKS', 200, 2),
    maxConcurrentLocalActivities: readInt(env, 'WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES', 100, 1),
    resource: readResource(env),
    maxEagerActivities: readString(env, 'WORKER_MAX_EAGER_ACTIVITIES') === undefined ? null : readInt(env, 'WORKER_MAX_EAGER_ACTIVITIES', 0, 0),
    maxCachedWorkflows: readInt(env, 'WORKER_MAX_CACHED_WORKFLOWS', 1000, 0),
    stickyQueueTimeoutSecs: readNumber(env, 'WORKER_STICKY_QUEUE_TIMEOUT_SECS', 10, 0.001),
    nonStickyToStickyPollRatio: readNumber(env, 'WORKER_NONSTICKY_TO_STICKY_POLL_RATIO', 0.2, 0, 1),
    pollerAutoscaling: readPollers(env),
    maxActivitiesPerSecond: readRate(env, 'WORKER_MAX_ACTIVITIES_PER_SECOND'),
    maxTaskQueueActivitiesPerSecond: readRate(env, 'WORKER_MAX_TASK_QUEUE_ACTIVITIES_PER_SECOND'),
    gracefulShutdownSecs: grace ?? null,
    maxEngines: readString(env, 'WORKER_MAX_ENGINES') === undefined ? null : readInt(env, 'WORKER_MAX_ENGINES', 1, 1, 256),
    memoryLimitMb: readMemoryMb(env, 'WORKER_MEMORY_LIMIT'),
    engineThreads: readString(env, 'WORKER_ENGINE_THREADS') === undefined ? null : readInt(env, 'WORKER_ENGINE_THREADS', 1, 1, 256),
    maxParkedContexts: readInt(env, 'WORKER_MAX_PARKED_CONTEXTS', 16, 0, 64),
    eagerReservedSlots: readString(env, 'WORKER_EAGER_RESERVED_SLOTS') === undefined ? null : readInt(env, 'WORKER_EAGER_RESERVED_SLOTS', 0, 0, 100_000),
  };
}

/** Activity slots the worker can fill at once: the executor takes as many tasks (its threads and engines follow the machine). */
export function activitySlots(worker: WorkerConfig): number {
  return worker.tuner === 'fixed' ? worker.maxConcurrentActivities : worker.resource.activityMaxSlots;
}
