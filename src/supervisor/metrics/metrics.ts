// The worker's Prometheus metrics (prom-client, one registry per worker, no globals).
// Run and node metrics are pushed by interceptors; pool, engine and cache gauges are read
// from their sources at scrape time.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { registerEnginePoolMetrics } from './engine-metrics.js';
import type { EnginePoolGauges } from './engine-metrics.js';

export type { EnginePoolGauges } from './engine-metrics.js';

export interface ExecutorGauges {
  threads: number;
  maxThreads: number;
  running: number;
  queued: number;
}

export interface EngineGauges {
  /** dbt engine processes alive right now. */
  alive: number;
  /** Engine processes retired so far (errors, invocation cap, memory ceiling). */
  recycled: number;
}

/** Where scrape-time gauges come from; set once the components exist. */
export interface MetricsSources {
  executor?: () => ExecutorGauges;
  engines?: () => EngineGauges;
  enginePool?: () => EnginePoolGauges | undefined;
  /**
   * The activity slots when some are kept for eager dispatch (reserved-slots.ts; the SDK then
   * reports no temporal_worker_task_slots_available for activities): free ones, pollers waiting,
   * slots kept. Absent: the SDK's own slots.
   */
  activitySlots?: () => { available: number; waitingPolls: number; reserved: number } | null;
  /** Packages of dbt whose version differs from the ones the reach-ins were checked against. */
  dbtVersionDrift?: () => number;
  resolvedProjects?: () => ReadonlyArray<{ project: string; resolvedAt: number }>;
  healthFileAgeSeconds?: () => Promise<number | null>;
  ready?: () => boolean;
}

export const NODE_DURATION_BUCKETS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];

export interface WorkerMetrics {
  registry: Registry;
  runsStarted: Counter<'command'>;
  runsFinished: Counter<'command' | 'status'>;
  nodeExecutions: Counter<'resource_type' | 'status'>;
  nodeDuration: Histogram<'resource_type' | 'status'>;
  /** execute_node attempts after the first (Temporal retried the node); unlabelled so it exists from the start. */
  nodeRetries: Counter;
  /** What adapters report about node work (shared/node-cost.ts), summed by resource type. */
  nodeRowsAffected: Counter<'resource_type'>;
  nodeBytesProcessed: Counter<'resource_type'>;
  nodeBytesBilled: Counter<'resource_type'>;
  nodeSlotSeconds: Counter<'resource_type'>;
  sdkScrapeErrors: Counter;
  /** Time nodes waited for a relation lease or a target's admission limit (docs/coordination.md). */
  leaseWait: Histogram<'kind'>;
  /** Connects the scrape-time gauges to their sources (later calls add to earlier ones). */
  bind(sources: MetricsSources): void;
}

export function createMetrics(opts: { version: string; defaultMetrics?: boolean }): WorkerMetrics {
  const registry = new Registry();
  const sources: MetricsSources = {};
  const registers = [registry];
  if (opts.defaultMetrics !== false) {
    collectDefaultMetrics({ register: registry });
    // These gauges end in `_total`, which Prometheus reserves for counters (promtool rejects them).
    for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) registry.removeSingleMetric(name);
  }

  new Gauge({ name: 'dbt_temporal_build_info', help: 'Build information; always 1.', labelNames: ['version'], registers }).set({ version: opts.version }, 1);
  const gauge = (name: string, help: string, read: () => number | undefined): void => {
    new Gauge({
      name, help, registers,
      collect() {
        const v = read();
        if (v !== undefined) this.set(v);
      },
    });
  };
  gauge('dbt_temporal_executor_threads', 'Executor worker threads currently alive.', () => sources.executor?.().threads);
  gauge('dbt_temporal_executor_threads_max', 'Executor tasks in flight at most (the activity slots; threads and engines follow the machine).', () => sources.executor?.().maxThreads);
  gauge('dbt_temporal_executor_tasks_running', 'Executor tasks (dbt invocations) running now.', () => sources.executor?.().running);
  gauge('dbt_temporal_executor_queue_length', 'Executor tasks waiting for a thread, a warm engine or an exclusive warehouse lock.', () => sources.executor?.().queued);
  gauge('dbt_temporal_executor_utilization_ratio', 'Running executor tasks divided by the pool size.', () => {
    const s = sources.executor?.();
    return s ? s.running / Math.max(1, s.maxThreads) : undefined;
  });
  gauge('dbt_temporal_engine_processes', 'dbt engine processes alive.', () => sources.engines?.().alive);
  registerEnginePoolMetrics(registry, () => sources.enginePool?.());
  gauge('dbt_temporal_dbt_version_drift', 'dbt packages whose version differs from the ones dbt-temporal was checked against (0: all as checked).', () => sources.dbtVersionDrift?.());
  new Counter({
    name: 'dbt_temporal_engine_recycles_total', help: 'dbt engine processes retired and replaced.', registers,
    collect() {
      const s = sources.engines?.();
      if (s) {
        this.reset();
        this.inc(s.recycled);
      }
    },
  });
  new Gauge({
    name: 'dbt_temporal_resolve_cache_age_seconds', help: 'Seconds since each project was resolved (parsed) into the cache.',
    labelNames: ['project'], registers,
    collect() {
      this.reset();
      for (const p of sources.resolvedProjects?.() ?? []) this.set({ project: p.project }, (Date.now() - p.resolvedAt) / 1000);
    },
  });
  new Gauge({
    name: 'dbt_temporal_health_file_age_seconds', help: 'Age of the health canary file (absent when there is none yet).', registers,
    async collect() {
      this.reset();
      const age = await sources.healthFileAgeSeconds?.();
      if (age !== undefined && age !== null) this.set(age);
    },
  });
  gauge('dbt_temporal_activity_slots_available', 'Activity slots no activity runs in, those kept for eager dispatch included (reported instead of the SDK\'s temporal_worker_task_slots_available when WORKER_EAGER_RESERVED_SLOTS is in effect).', () => sources.activitySlots?.()?.available);
  gauge('dbt_temporal_activity_polls_waiting', 'Activity pollers waiting for a slot: every slot is taken but the ones kept for eager dispatch.', () => sources.activitySlots?.()?.waitingPolls);
  gauge('dbt_temporal_activity_slots_eager_reserved', 'Free activity slots the pollers leave to eager dispatch of the worker\'s own runs\' nodes (WORKER_EAGER_RESERVED_SLOTS).', () => sources.activitySlots?.()?.reserved);
  gauge('dbt_temporal_worker_ready', '1 when projects are resolved and the worker is polling, else 0.', () => (sources.ready ? Number(sources.ready()) : undefined));

  return {
    registry,
    runsStarted: new Counter({ name: 'dbt_temporal_runs_started_total', help: 'dbt_run workflows started.', labelNames: ['command'], registers }),
    runsFinished: new Counter({
      name: 'dbt_temporal_runs_finished_total', help: 'dbt_run workflows finished, by outcome (success, failed, skipped, rejected, cancelled).',
      labelNames: ['command', 'status'], registers,
    }),
    nodeExecutions: new Counter({
      name: 'dbt_temporal_node_executions_total', help: 'dbt node executions (execute_node attempts), by resource type and dbt status.',
      labelNames: ['resource_type', 'status'], registers,
    }),
    nodeDuration: new Histogram({
      name: 'dbt_temporal_node_duration_seconds', help: 'Wall time of dbt node executions (execute_node attempts).',
      labelNames: ['resource_type', 'status'], buckets: NODE_DURATION_BUCKETS, registers,
    }),
    nodeRetries: new Counter({ name: 'dbt_temporal_node_retries_total', help: 'execute_node attempts after the first (a node retried by Temporal).', registers }),
    nodeRowsAffected: new Counter({ name: 'dbt_temporal_node_rows_affected_total', help: 'Rows the adapter reports node executions affected.', labelNames: ['resource_type'], registers }),
    nodeBytesProcessed: new Counter({ name: 'dbt_temporal_node_bytes_processed_total', help: 'Bytes the adapter reports node executions processed (BigQuery).', labelNames: ['resource_type'], registers }),
    nodeBytesBilled: new Counter({ name: 'dbt_temporal_node_bytes_billed_total', help: 'Bytes the adapter reports node executions were billed for (BigQuery).', labelNames: ['resource_type'], registers }),
    nodeSlotSeconds: new Counter({ name: 'dbt_temporal_node_slot_seconds_total', help: 'Slot time the adapter reports for node executions (BigQuery slot_ms / 1000).', labelNames: ['resource_type'], registers }),
    sdkScrapeErrors: new Counter({ name: 'dbt_temporal_sdk_metrics_scrape_errors_total', help: 'Failed reads of the Temporal SDK metrics endpoint.', registers }),
    leaseWait: new Histogram({
      name: 'dbt_temporal_lease_wait_seconds', help: 'Time nodes waited for another run\'s build of their relation (kind=relation), for their target\'s limits: slot (kind=admission), or a run for its scope\'s other runs to start leasing (kind=presence).',
      labelNames: ['kind'], buckets: NODE_DURATION_BUCKETS, registers,
    }),
    bind(more) {
      Object.assign(sources, more);
    },
  };
}
