// The Grafana dashboard (deploy/grafana) and the Prometheus alert rules (deploy/prometheus)
// against a real worker after a real run: every metric they read is on its /metrics, every
// dashboard query returns series from a real Prometheus scraping it, and the rules pass
// `promtool check rules` and fire in `promtool test rules` on series built from the scrape.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { connectClient } from '../support/client.js';
import type { TestClient } from '../support/client.js';
import { REPO_ROOT, SECOND_PROJECT } from '../support/paths.js';
import { buildAlertTests, metricNames, parseScrape, readRules } from './alert-series.js';
import type { Sample } from './alert-series.js';
import { freePort, healthPort, httpGet, spawnWorker, tempDir, waitFor } from './operations-support.js';
import type { SpawnedWorker } from './operations-support.js';

const RULES = `${REPO_ROOT}deploy/prometheus/dbt-temporal-alerts.yaml`;
const DASHBOARD = `${REPO_ROOT}deploy/grafana/dbt-temporal-dashboard.json`;

type Panel = { title: string; type: string; targets?: Array<{ expr: string }> };
const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { panels: Panel[]; templating: { list: Array<{ name: string; query: unknown }> } };
const queries = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr })));
/** A dashboard query as Grafana sends it with "All" selected. */
const asSent = (expr: string): string => expr.replaceAll('$__rate_interval', '1m').replaceAll('$job', '.*').replaceAll('$instance', '.*');

describe('operations: the shipped dashboard and alert rules on a real worker', () => {
  const dir = tempDir('ops-dash-');
  const taskQueue = `ops-dash-${process.pid}`;
  let worker: SpawnedWorker;
  let client: TestClient;
  let base: string;
  let scrapeText: string;
  let scrape: Sample[];
  let seedRows = 0;
  let runCost: unknown;

  beforeAll(async () => {
    worker = spawnWorker({
      TEMPORAL_ADDRESS: `http://${inject('temporalAddress')}`, TEMPORAL_TASK_QUEUE: taskQueue,
      DBT_PROJECT_DIR: SECOND_PROJECT, SECOND_DUCKDB_PATH: join(dir, 'second.duckdb'),
      HEALTH_PORT: '0', HEALTH_FILE: join(dir, 'health'), WORKER_MAX_CONCURRENT_ACTIVITIES: '2',
    });
    await worker.waitForLog('health file started');
    base = `127.0.0.1:${healthPort(worker.logs())}`;
    client = await connectClient(inject('temporalAddress'));
    const run = await client.run(taskQueue, { command: 'build' });
    expect(run.ok).toBe(true);
    runCost = run.output?.cost;
    seedRows = (run.output?.node_results ?? []).filter((r) => r.unique_id.startsWith('seed.')).reduce((n, r) => n + Number(r.adapter_response['rows_affected'] ?? 0), 0);
    scrapeText = (await httpGet(`http://${base}/metrics`)).body;
    scrape = parseScrape(scrapeText);
  });

  afterAll(async () => {
    await client?.close();
    worker?.signal('SIGTERM');
    expect(await worker?.exited).toBe(0);
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads only metrics the worker exposes after a run (up comes from Prometheus itself)', () => {
    const exposed = new Set(scrape.map((s) => s.name));
    const read = [...queries.map((q) => q.expr), ...readRules(RULES).map((r) => r.expr)].flatMap(metricNames);
    expect(read.length).toBeGreaterThan(20);
    expect([...new Set(read)].filter((n) => n !== 'up' && !exposed.has(n))).toEqual([]);
    // The dashboard covers what the issue lists: runs, node rate and duration, schedule-to-start, slots, engines, memory, retries, health.
    for (const m of ['dbt_temporal_runs_finished_total', 'dbt_temporal_node_executions_total', 'dbt_temporal_node_duration_seconds_bucket',
      'temporal_activity_schedule_to_start_latency_seconds_bucket', 'temporal_worker_task_slots_used', 'dbt_temporal_engine_processes',
      'dbt_temporal_engine_resident_memory_bytes', 'dbt_temporal_node_retries_total', 'dbt_temporal_worker_ready', 'dbt_temporal_health_file_age_seconds']) {
      expect(queries.some((q) => metricNames(q.expr).includes(m)), m).toBe(true);
    }
  });

  it("counts what the adapter reported about the nodes' work (rows affected, as in dbt's own adapter_response) and sums it in the run's output", () => {
    expect(seedRows).toBeGreaterThan(0);
    expect(scrape.find((s) => s.name === 'dbt_temporal_node_rows_affected_total' && s.labels['resource_type'] === 'seed')?.value).toBe(seedRows);
    // ...and summed in the run's output (the seed is this project's only node with a row count).
    expect(runCost).toEqual({ rows_affected: seedRows });
  });

  it('answers every dashboard query and variable with series from a real Prometheus scraping the worker', async () => {
    const promPort = await freePort();
    const config = join(dir, 'prometheus.yml');
    writeFileSync(config, `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: dbt-temporal\n    static_configs:\n      - targets: ['${base}']\n`);
    const prom = execa('prometheus', [`--config.file=${config}`, `--storage.tsdb.path=${join(dir, 'tsdb')}`, `--web.listen-address=127.0.0.1:${promPort}`], { reject: false });
    const api = async (path: string): Promise<{ status: string; data: unknown } | undefined> => {
      const res = await fetch(`http://127.0.0.1:${promPort}/api/v1/${path}`).catch(() => null);
      return res?.ok ? ((await res.json()) as { status: string; data: unknown }) : undefined;
    };
    const query = async (q: string) => ((await api(`query?query=${encodeURIComponent(q)}`))?.data as { result: unknown[] } | undefined)?.result;
    try {
      // Enough samples in the last minute for rate() and increase().
      await waitFor(async () => ((await query('count_over_time(dbt_temporal_build_info[1m]) >= 4'))?.length ? true : undefined), 500);
      const empty: string[] = [];
      for (const q of queries) {
        const result = await query(asSent(q.expr));
        if (!result?.length) empty.push(`${q.panel}: ${q.expr}`);
      }
      expect(empty).toEqual([]);
      const jobs = (await api(`label/job/values?match[]=dbt_temporal_build_info`))?.data;
      expect(jobs).toEqual(['dbt-temporal']);
      expect(dashboard.templating.list.map((v) => v.name)).toEqual(['datasource', 'job', 'instance']);
    } finally {
      prom.kill('SIGTERM');
      await prom;
    }
  });

  it('passes promtool check rules, and each alert fires (and only then) on series built from the real scrape', async () => {
    const check = await execa('promtool', ['check', 'rules', RULES], { reject: false, all: true });
    expect(check.exitCode, String(check.all)).toBe(0);
    const tests = buildAlertTests(RULES, scrape, { job: 'dbt-temporal', instance: base });
    const file = join(dir, 'alert-tests.yaml');
    writeFileSync(file, stringify(tests));
    const run = await execa('promtool', ['test', 'rules', file], { reject: false, all: true });
    expect({ exitCode: run.exitCode, output: String(run.all) }).toMatchObject({ exitCode: 0, output: expect.stringContaining('SUCCESS') });
    // Every alert of the file is exercised.
    const tested = new Set((tests as { tests: Array<{ alert_rule_test: Array<{ alertname: string }> }> }).tests.flatMap((t) => t.alert_rule_test.map((a) => a.alertname)));
    expect([...tested].sort()).toEqual(readRules(RULES).map((r) => r.alert).sort());
  });
});
