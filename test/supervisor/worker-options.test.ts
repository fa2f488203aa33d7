// The WORKER_* and TEMPORAL_* settings reach the SDK's connection and worker options.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/supervisor/config/config.js';
import { activitySlots } from '../../src/supervisor/config/worker-config.js';
import { UNBOUNDED_GRACE_MS, connectionOptions, tuningOptions } from '../../src/supervisor/worker-options.js';
import { ReservedSlots } from '../../src/supervisor/reserved-slots.js';
import { eagerReservedSlots } from '../../src/supervisor/worker-executor.js';

const cfg = (env: Record<string, string>) => loadConfig(env, '/tmp');

describe('worker options', () => {
  it('maps the fixed tuner onto fixed-size slot suppliers and sizes the pool to the activity slots', () => {
    const c = cfg({ WORKER_MAX_CONCURRENT_ACTIVITIES: '3', WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '7', WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES: '4' });
    expect(tuningOptions(c.worker, c.temporal).tuner).toMatchObject({
      workflowTaskSlotSupplier: { type: 'fixed-size', numSlots: 7 },
      activityTaskSlotSupplier: { type: 'fixed-size', numSlots: 3 },
      localActivityTaskSlotSupplier: { type: 'fixed-size', numSlots: 4 },
    });
    expect(activitySlots(c.worker)).toBe(3);
  });

  it('keeps twice what the engines run from the pollers by default, at most half the slots, or WORKER_EAGER_RESERVED_SLOTS (0: the SDK\'s fixed slots)', () => {
    expect(eagerReservedSlots(cfg({}), 1, 100)).toBe(8);
    expect(eagerReservedSlots(cfg({ WORKER_ENGINE_THREADS: '8' }), 3, 100)).toBe(48);
    expect(eagerReservedSlots(cfg({}), 3, 10)).toBe(5);
    expect(eagerReservedSlots(cfg({}), 1, 1)).toBe(0);
    expect(eagerReservedSlots(cfg({ WORKER_EAGER_RESERVED_SLOTS: '2' }), 3, 100)).toBe(2);
    expect(eagerReservedSlots(cfg({ WORKER_EAGER_RESERVED_SLOTS: '500' }), 3, 100)).toBe(99);
    expect(eagerReservedSlots(cfg({ WORKER_EAGER_RESERVED_SLOTS: '0' }), 3, 100)).toBe(0);
    expect(eagerReservedSlots(cfg({ WORKER_TUNER: 'resource-based' }), 3, 100)).toBe(0);
    expect(eagerReservedSlots(cfg({ DBT_ENGINE_MODE: 'subprocess' }), 3, 100)).toBe(0);
    expect(() => cfg({ WORKER_EAGER_RESERVED_SLOTS: 'many' })).toThrow(/WORKER_EAGER_RESERVED_SLOTS/);
    const c = cfg({ WORKER_MAX_CONCURRENT_ACTIVITIES: '3' });
    const slots = new ReservedSlots({ slots: 3, reserved: 1 });
    expect(tuningOptions(c.worker, c.temporal, 1, null, slots).tuner).toMatchObject({ activityTaskSlotSupplier: slots, workflowTaskSlotSupplier: { type: 'fixed-size' } });
  });

  it('maps the resource-based tuner with its targets and activity slot bounds', () => {
    const c = cfg({ WORKER_TUNER: 'resource-based', WORKER_RESOURCE_TARGET_MEM: '0.7', WORKER_RESOURCE_TARGET_CPU: '0.6', WORKER_RESOURCE_ACTIVITY_MIN_SLOTS: '2', WORKER_RESOURCE_ACTIVITY_MAX_SLOTS: '12' });
    expect(tuningOptions(c.worker, c.temporal).tuner).toEqual({
      tunerOptions: { targetMemoryUsage: 0.7, targetCpuUsage: 0.6 },
      activityTaskSlotOptions: { minimumSlots: 2, maximumSlots: 12, rampThrottle: 50 },
    });
    expect(activitySlots(c.worker)).toBe(12);
  });

  it('maps cache, sticky queue, pollers, rate limits and the shutdown grace', () => {
    const c = cfg({
      WORKER_MAX_CACHED_WORKFLOWS: '50', WORKER_STICKY_QUEUE_TIMEOUT_SECS: '3', WORKER_NONSTICKY_TO_STICKY_POLL_RATIO: '0.5',
      WORKER_POLLER_AUTOSCALING: 'true', WORKER_POLLER_MIN: '2', WORKER_POLLER_MAX: '20', WORKER_POLLER_INITIAL: '4',
      WORKER_MAX_ACTIVITIES_PER_SECOND: '0.5', WORKER_MAX_TASK_QUEUE_ACTIVITIES_PER_SECOND: '10', WORKER_GRACEFUL_SHUTDOWN_SECS: '30',
    });
    const o = tuningOptions(c.worker, c.temporal, 42);
    expect(o).toMatchObject({
      identity: 'dbt-temporal-worker@42',
      maxCachedWorkflows: 50,
      stickyQueueScheduleToStartTimeout: 3000,
      nonStickyToStickyPollRatio: 0.5,
      workflowTaskPollerBehavior: { type: 'autoscaling', minimum: 2, maximum: 20, initial: 4 },
      activityTaskPollerBehavior: { type: 'autoscaling', minimum: 2, maximum: 20, initial: 4 },
      maxActivitiesPerSecond: 0.5,
      maxTaskQueueActivitiesPerSecond: 10,
      shutdownGraceTime: 30_000,
    });
    expect(o.workerDeploymentOptions).toBeUndefined();
  });

  it('hands a workflow task\'s activities to its own worker up to its free activity slots, or WORKER_MAX_EAGER_ACTIVITIES', () => {
    expect(tuningOptions(cfg({}).worker, cfg({}).temporal).maxEagerActivityReservationsPerWorkflowTask).toBe(100);
    const fixed = cfg({ WORKER_MAX_CONCURRENT_ACTIVITIES: '4' });
    expect(tuningOptions(fixed.worker, fixed.temporal).maxEagerActivityReservationsPerWorkflowTask).toBe(4);
    const resource = cfg({ WORKER_TUNER: 'resource-based', WORKER_RESOURCE_ACTIVITY_MAX_SLOTS: '40' });
    expect(tuningOptions(resource.worker, resource.temporal).maxEagerActivityReservationsPerWorkflowTask).toBe(40);
    const set = cfg({ WORKER_MAX_EAGER_ACTIVITIES: '0' });
    expect(tuningOptions(set.worker, set.temporal).maxEagerActivityReservationsPerWorkflowTask).toBe(0);
    expect(() => cfg({ WORKER_MAX_EAGER_ACTIVITIES: '-1' })).toThrow(/WORKER_MAX_EAGER_ACTIVITIES/);
  });

  it('waits for in-flight activities when no grace is configured and leaves limits unset', () => {
    const o = tuningOptions(cfg({}).worker, cfg({}).temporal);
    expect(o.shutdownGraceTime).toBe(UNBOUNDED_GRACE_MS);
    expect(o).not.toHaveProperty('maxActivitiesPerSecond');
    expect(o).not.toHaveProperty('workflowTaskPollerBehavior');
  });

  it('pins runs to the deployment version when TEMPORAL_DEPLOYMENT_NAME is set', () => {
    const c = cfg({ TEMPORAL_DEPLOYMENT_NAME: 'dbt', TEMPORAL_BUILD_ID: 'b1' });
    expect(tuningOptions(c.worker, c.temporal).workerDeploymentOptions).toEqual({
      version: { deploymentName: 'dbt', buildId: 'b1' }, useWorkerVersioning: true, defaultVersioningBehavior: 'PINNED',
    });
  });

  it('builds plain, API-key and TLS connection options', () => {
    expect(connectionOptions(cfg({ TEMPORAL_ADDRESS: 'http://t:7233' }).temporal)).toEqual({ address: 't:7233' });
    expect(connectionOptions(cfg({ TEMPORAL_API_KEY: 'k-123456' }).temporal)).toEqual({ address: 'localhost:7233', tls: {}, apiKey: 'k-123456' });
    expect(connectionOptions(cfg({ TEMPORAL_TLS_SERVER_NAME: 'x.test' }).temporal)).toEqual({ address: 'localhost:7233', tls: { serverNameOverride: 'x.test' } });
  });
});
