// A real worker with HEALTH_PORT and the SDK's Prometheus exporter: health, readiness and
// metrics as the deployment guide says, promtool-valid, moving with a run, and scraped by a
// real Prometheus server.
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo, Server } from 'node:net';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { connectClient } from '../support/client.js';
import type { TestClient } from '../support/client.js';
import { SECOND_PROJECT } from '../support/paths.js';
import { runCli } from '../support/worker-process.js';
import { freePort, healthPort, httpGet, spawnWorker, tempDir, waitFor } from './operations-support.js';
import type { SpawnedWorker } from './operations-support.js';

const value = (text: string, series: string): number => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
};

describe('operations: health, readiness and metrics of a running worker', () => {
  const dir = tempDir('ops-metrics-');
  const healthFile = join(dir, 'run/health');
  let worker: SpawnedWorker;
  let base: string;
  let sdkPort: number;
  let client: TestClient;
  const taskQueue = `ops-metrics-${process.pid}`;

  beforeAll(async () => {
    sdkPort = await freePort();
    worker = spawnWorker({
      TEMPORAL_ADDRESS: `http://${inject('temporalAddress')}`, TEMPORAL_TASK_QUEUE: taskQueue,
      DBT_PROJECT_DIR: SECOND_PROJECT, SECOND_DUCKDB_PATH: join(dir, 'second.duckdb'),
      HEALTH_PORT: '0', HEALTH_FILE: healthFile, WORKER_MAX_CONCURRENT_ACTIVITIES: '2',
      TEMPORAL_METRICS_EXPORTER: 'prometheus', TEMPORAL_METRICS_PROMETHEUS_ADDR: `127.0.0.1:${sdkPort}`,
    });
    await worker.waitForLog('health file started');
    base = `http://127.0.0.1:${healthPort(worker.logs())}`;
    client = await connectClient(inject('temporalAddress'));
  });

  afterAll(async () => {
    await client?.close();
    worker?.signal('SIGTERM');
    expect(await worker?.exited).toBe(0);
  });

  it('is healthy on any path, ready, and passes the healthcheck subcommand', async () => {
    expect(await httpGet(`${base}/`)).toEqual({ status: 200, body: 'ok\n' });
    expect(await httpGet(`${base}/some/probe/path`)).toEqual({ status: 200, body: 'ok\n' });
    const ready = await httpGet(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(JSON.parse(ready.body)).toMatchObject({ ready: true, projects_resolved: true, worker_polling: true });
    expect((await runCli(['healthcheck'], { PATH: process.env['PATH'], HEALTH_FILE: healthFile })).exitCode).toBe(0);
  });

  it('exposes metrics that pass promtool and move as a run executes, with the SDK metrics on the same endpoint', async () => {
    const before = (await httpGet(`${base}/metrics`)).body;
    const result = await client.run(taskQueue, { command: 'build' });
    expect(result.ok).toBe(true);
    const after = (await httpGet(`${base}/metrics`)).body;
    const check = await execa('promtool', ['check', 'metrics'], { input: after, reject: false, all: true });
    expect({ exitCode: check.exitCode, output: String(check.all) }).toEqual({ exitCode: 0, output: '' });

    expect(value(after, 'dbt_temporal_runs_started_total{command="build"}') - value(before, 'dbt_temporal_runs_started_total{command="build"}')).toBe(1);
    expect(value(after, 'dbt_temporal_runs_finished_total{command="build",status="success"}') - value(before, 'dbt_temporal_runs_finished_total{command="build",status="success"}')).toBe(1);
    const models = result.output?.node_results.filter((r) => r.unique_id.startsWith('model.')).length ?? 0;
    expect(models).toBeGreaterThan(0);
    expect(value(after, 'dbt_temporal_node_executions_total{resource_type="model",status="success"}')).toBe(models);
    expect(value(after, 'dbt_temporal_node_duration_seconds_count{resource_type="model",status="success"}')).toBe(models);
    expect(value(after, 'dbt_temporal_executor_threads_max')).toBe(2);
    expect(value(after, 'dbt_temporal_resolve_cache_age_seconds{project="second_duck"}')).toBeGreaterThan(0);
    expect(after).toMatch(/^dbt_temporal_executor_queue_length \d/m);
    expect(after).toMatch(/^dbt_temporal_engine_processes \d/m);
    // The Temporal SDK's worker metrics: slots, schedule-to-start, pollers, sticky cache.
    for (const name of ['temporal_worker_task_slots_available', 'temporal_activity_schedule_to_start_latency_seconds_bucket', 'temporal_num_pollers', 'temporal_sticky_cache_size']) {
      expect(after, name).toMatch(new RegExp(`^${name}\\{`, 'm'));
    }
    // ...which are also on the SDK's own endpoint (TEMPORAL_METRICS_PROMETHEUS_ADDR), as in the Rust worker.
    expect((await httpGet(`http://127.0.0.1:${sdkPort}/metrics`)).body).toContain('temporal_worker_task_slots_available');
  });

  it('is scraped by a real Prometheus server and a value can be queried back', async () => {
    const promPort = await freePort();
    const config = join(dir, 'prometheus.yml');
    writeFileSync(config, `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: dbt_temporal\n    static_configs:\n      - targets: ['${base.replace('http://', '')}']\n`);
    const prom = execa('prometheus', [`--config.file=${config}`, `--storage.tsdb.path=${join(dir, 'tsdb')}`, `--web.listen-address=127.0.0.1:${promPort}`], { reject: false });
    try {
      const query = async (q: string): Promise<number | undefined> => {
        const res = await fetch(`http://127.0.0.1:${promPort}/api/v1/query?query=${encodeURIComponent(q)}`).catch(() => null);
        if (!res?.ok) return undefined;
        const body = (await res.json()) as { data: { result: Array<{ value: [number, string] }> } };
        const v = body.data.result[0]?.value[1];
        return v === undefined ? undefined : Number(v);
      };
      expect(await waitFor(() => query('dbt_temporal_runs_finished_total{job="dbt_temporal",command="build",status="success"}'))).toBeGreaterThanOrEqual(1);
      expect(await waitFor(() => query('up{job="dbt_temporal"}'))).toBe(1);
      // With warm engines the worker's own slot supplier keeps a slot for eager dispatch
      // (WORKER_EAGER_RESERVED_SLOTS): it reports the free activity slots itself.
      expect(await waitFor(() => query('dbt_temporal_activity_slots_available{job="dbt_temporal"}'))).toBe(2);
      expect(await waitFor(() => query('dbt_temporal_activity_slots_eager_reserved{job="dbt_temporal"}'))).toBe(1);
    } finally {
      prom.kill('SIGTERM');
      await prom;
    }
  });
});

describe('operations: readiness before the worker polls', () => {
  let blackhole: Server;

  afterAll(() => blackhole?.close());

  it('reports projects resolved but not ready, stale health, and metrics, while Temporal does not answer', async () => {
    // A TCP server that accepts and never speaks: the worker resolves its projects, then waits on the connection.
    blackhole = createServer(() => undefined);
    await new Promise<void>((r) => blackhole.listen(0, '127.0.0.1', r));
    const dir = tempDir('ops-ready-');
    const worker = spawnWorker({
      TEMPORAL_ADDRESS: `127.0.0.1:${(blackhole.address() as AddressInfo).port}`, DBT_PROJECT_DIR: SECOND_PROJECT,
      SECOND_DUCKDB_PATH: join(dir, 's.duckdb'), HEALTH_PORT: '0', HEALTH_FILE: join(dir, 'health'), DBT_ENGINE_MODE: 'subprocess',
    });
    try {
      await worker.waitForLog('health server listening');
      const base = `http://127.0.0.1:${healthPort(worker.logs())}`;
      const early = await httpGet(`${base}/readyz`);
      expect(early.status).toBe(503);
      await worker.waitForLog('projects resolved');
      const ready = await httpGet(`${base}/readyz`);
      expect(ready.status).toBe(503);
      expect(JSON.parse(ready.body)).toEqual({ ready: false, projects_resolved: true, worker_polling: false, shutting_down: false });
      expect(await httpGet(`${base}/`)).toEqual({ status: 503, body: 'stale\n' });
      const metrics = await httpGet(`${base}/metrics`);
      expect(metrics.status).toBe(200);
      expect(metrics.body).toMatch(/^dbt_temporal_worker_ready 0$/m);
    } finally {
      worker.signal('SIGKILL');
      await worker.exited;
    }
  });
});
