// Pure mapping of the configuration onto the Temporal SDK's connection and worker options.
import type { ActivitySlotInfo, CustomSlotSupplier, NativeConnectionOptions, WorkerOptions, WorkerTuner } from '@temporalio/worker';
import type { TemporalConfig, WorkerConfig } from './config/config.js';
import { activitySlots } from './config/worker-config.js';

/** Connection options for NativeConnection (worker) and Connection (client) alike. */
export function connectionOptions(t: TemporalConfig): Pick<NativeConnectionOptions, 'address' | 'tls' | 'apiKey'> {
  const tls = t.tls && {
    ...(t.tls.clientCertPair ? { clientCertPair: t.tls.clientCertPair } : {}),
    ...(t.tls.serverRootCACertificate ? { serverRootCACertificate: t.tls.serverRootCACertificate } : {}),
    ...(t.tls.serverNameOverride ? { serverNameOverride: t.tls.serverNameOverride } : {}),
  };
  // The SDK turns TLS on for an API key unless told `tls: false` (TEMPORAL_TLS=false).
  return { address: t.address, ...(tls ? { tls } : t.apiKey ? { tls: false } : {}), ...(t.apiKey ? { apiKey: t.apiKey } : {}) };
}

/**
 * The resource-based tuner's memory target as a fraction of what the SDK measures (the machine
 * or its cgroup): WORKER_MEMORY_LIMIT below that scales the target, so the tuner and the engine
 * pool hold to the same budget.
 */
export function tunerMemoryTarget(w: WorkerConfig, machineMemoryMb: number | null): number {
  const target = w.resource.targetMemoryUsage;
  if (w.memoryLimitMb === null || machineMemoryMb === null || w.memoryLimitMb >= machineMemoryMb) return target;
  return Math.max(0.01, target * (w.memoryLimitMb / machineMemoryMb));
}

/**
 * `WORKER_TUNER`: fixed slot counts, or the SDK's resource-based tuner for activities. With the
 * fixed tuner, `slots` (reserved-slots.ts: as many slots, a few kept from the pollers for eager
 * dispatch) replaces the fixed activity slots.
 */
export function workerTuner(w: WorkerConfig, machineMemoryMb: number | null = null, slots: CustomSlotSupplier<ActivitySlotInfo> | null = null): WorkerTuner {
  const fixed = (numSlots: number) => ({ type: 'fixed-size' as const, numSlots });
  if (w.tuner === 'fixed') {
    return {
      workflowTaskSlotSupplier: fixed(w.maxConcurrentWorkflowTasks),
      activityTaskSlotSupplier: slots ?? fixed(w.maxConcurrentActivities),
      localActivityTaskSlotSupplier: fixed(w.maxConcurrentLocalActivities),
      nexusTaskSlotSupplier: fixed(w.maxConcurrentLocalActivities),
    };
  }
  // One PID controller against the memory/CPU targets (cgroup-aware), as in the Rust worker;
  // activity slots ramp between their bounds at most every 50 ms.
  return {
    tunerOptions: { targetMemoryUsage: tunerMemoryTarget(w, machineMemoryMb), targetCpuUsage: w.resource.targetCpuUsage },
    activityTaskSlotOptions: { minimumSlots: w.resource.activityMinSlots, maximumSlots: w.resource.activityMaxSlots, rampThrottle: 50 },
  };
}

/** "Wait for all" when no grace is configured: longer than any node may run. */
export const UNBOUNDED_GRACE_MS = 7 * 24 * 3600 * 1000;

type TuningOptions = Pick<WorkerOptions,
  | 'tuner' | 'maxCachedWorkflows' | 'stickyQueueScheduleToStartTimeout' | 'nonStickyToStickyPollRatio'
  | 'workflowTaskPollerBehavior' | 'activityTaskPollerBehavior' | 'maxActivitiesPerSecond'
  | 'maxTaskQueueActivitiesPerSecond' | 'shutdownGraceTime' | 'workerDeploymentOptions' | 'identity' | 'maxEagerActivityReservationsPerWorkflowTask'>;

/** The WORKER_* and deployment settings as Worker.create options. */
export function tuningOptions(w: WorkerConfig, t: TemporalConfig, pid = process.pid, machineMemoryMb: number | null = null, slots: CustomSlotSupplier<ActivitySlotInfo> | null = null): TuningOptions {
  const pollers = w.pollerAutoscaling && { type: 'autoscaling' as const, ...w.pollerAutoscaling };
  return {
    identity: `dbt-temporal-worker@${pid}`,
    tuner: workerTuner(w, machineMemoryMb, slots),
    maxCachedWorkflows: w.maxCachedWorkflows,
    // Eager dispatch of a run's nodes to the worker that runs its workflow (the SDK's default
    // is 3 per workflow task): the rest of a wide layer would land on other workers, each
    // opening the run's context for a few nodes (docs/performance.md, scale-out).
    maxEagerActivityReservationsPerWorkflowTask: w.maxEagerActivities ?? activitySlots(w),
    stickyQueueScheduleToStartTimeout: Math.round(w.stickyQueueTimeoutSecs * 1000),
    nonStickyToStickyPollRatio: w.nonStickyToStickyPollRatio,
    ...(pollers ? { workflowTaskPollerBehavior: pollers, activityTaskPollerBehavior: pollers } : {}),
    ...(w.maxActivitiesPerSecond !== null ? { maxActivitiesPerSecond: w.maxActivitiesPerSecond } : {}),
    ...(w.maxTaskQueueActivitiesPerSecond !== null ? { maxTaskQueueActivitiesPerSecond: w.maxTaskQueueActivitiesPerSecond } : {}),
    shutdownGraceTime: w.gracefulShutdownSecs === null ? UNBOUNDED_GRACE_MS : Math.round(w.gracefulShutdownSecs * 1000),
    ...(t.deploymentName
      ? {
          workerDeploymentOptions: {
            version: { deploymentName: t.deploymentName, buildId: t.buildId },
            useWorkerVersioning: true,
            defaultVersioningBehavior: 'PINNED' as const,
          },
        }
      : {}),
  };
}
