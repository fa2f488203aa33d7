// The /metrics payload: our metrics plus the Temporal SDK's, valid for promtool.
import { execa } from 'execa';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../../src/supervisor/metrics/metrics.js';
import { metricsRenderer, scrapeUrlFor } from '../../../src/supervisor/metrics/sdk-metrics.js';

const SDK_SAMPLE = `# HELP temporal_worker_task_slots_available Task slots available
# TYPE temporal_worker_task_slots_available gauge
temporal_worker_task_slots_available{worker_type="ActivityWorker"} 4
# HELP temporal_activity_task_received_total Activity tasks received
# TYPE temporal_activity_task_received_total counter
temporal_activity_task_received_total 3`;

async function promtool(text: string): Promise<{ exitCode: number; output: string }> {
  const r = await execa('promtool', ['check', 'metrics'], { input: text, reject: false, all: true });
  return { exitCode: r.exitCode ?? -1, output: String(r.all) };
}

const value = (text: string, series: string): number | undefined => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

describe('worker metrics', () => {
  it('passes promtool and moves with runs, nodes, the pool and the cache', async () => {
    const m = createMetrics({ version: '1.2.3' });
    const stats = { threads: 2, maxThreads: 4, running: 1, queued: 3 };
    m.bind({ executor: () => stats, engines: () => ({ alive: 2, recycled: 5 }), resolvedProjects: () => [{ project: 'p', resolvedAt: Date.now() - 10_000 }], ready: () => true });
    m.runsStarted.inc({ command: 'build' });
    m.runsFinished.inc({ command: 'build', status: 'failed' });
    m.nodeExecutions.inc({ resource_type: 'model', status: 'success' });
    m.nodeDuration.observe({ resource_type: 'model', status: 'success' }, 1.5);
    const render = metricsRenderer(m, null);
    const text = await render();
    expect(await promtool(text)).toEqual({ exitCode: 0, output: '' });
    expect(value(text, 'dbt_temporal_runs_started_total{command="build"}')).toBe(1);
    expect(value(text, 'dbt_temporal_runs_finished_total{command="build",status="failed"}')).toBe(1);
    expect(value(text, 'dbt_temporal_node_executions_total{resource_type="model",status="success"}')).toBe(1);
    expect(value(text, 'dbt_temporal_node_duration_seconds_count{resource_type="model",status="success"}')).toBe(1);
    expect(value(text, 'dbt_temporal_executor_queue_length')).toBe(3);
    expect(value(text, 'dbt_temporal_executor_utilization_ratio')).toBe(0.25);
    expect(value(text, 'dbt_temporal_engine_processes')).toBe(2);
    expect(value(text, 'dbt_temporal_engine_recycles_total')).toBe(5);
    expect(value(text, 'dbt_temporal_resolve_cache_age_seconds{project="p"}')).toBeGreaterThanOrEqual(10);
    expect(value(text, 'dbt_temporal_worker_ready')).toBe(1);
    expect(value(text, 'dbt_temporal_build_info{version="1.2.3"}')).toBe(1);
    stats.running = 4;
    expect(value(await render(), 'dbt_temporal_executor_utilization_ratio')).toBe(1);
  });

  it('appends the SDK endpoint and counts failed reads of it', async () => {
    const server = createServer((_req, res) => res.end(SDK_SAMPLE));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    try {
      const m = createMetrics({ version: '0', defaultMetrics: false });
      const text = await metricsRenderer(m, `http://127.0.0.1:${port}/metrics`)();
      expect(text).toContain('temporal_worker_task_slots_available{worker_type="ActivityWorker"} 4');
      expect(await promtool(text)).toEqual({ exitCode: 0, output: '' });
      const broken = await metricsRenderer(m, 'http://127.0.0.1:1/metrics')();
      expect(value(broken, 'dbt_temporal_sdk_metrics_scrape_errors_total')).toBe(1);
    } finally {
      server.close();
    }
  });

  it('reads a wildcard bind address over loopback', () => {
    expect(scrapeUrlFor('0.0.0.0:9464')).toBe('http://127.0.0.1:9464/metrics');
    expect(scrapeUrlFor('127.0.0.5:1234')).toBe('http://127.0.0.5:1234/metrics');
  });
});
