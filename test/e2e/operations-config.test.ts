// Startup through the real CLI: a bad value stops `dbt-temporal worker` with exit code 2 and a
// message naming the variable, the value and what is accepted (never a secret's value); a
// good value takes effect.
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { connectClient } from '../support/client.js';
import { SECOND_PROJECT } from '../support/paths.js';
import { runCli } from '../support/worker-process.js';
import { spawnWorker, tempDir } from './operations-support.js';

const base = { PATH: process.env['PATH'], DBT_PROJECT_DIR: SECOND_PROJECT, TEMPORAL_ADDRESS: 'localhost:1' };

const BAD: Array<[Record<string, string>, string, string]> = [
  [{ WORKER_TUNER: 'x' }, 'WORKER_TUNER', 'one of fixed, resource-based'],
  [{ HEALTH_PORT: '70000' }, 'HEALTH_PORT', 'between 0 and 65535'],
  [{ TEMPORAL_METRICS_EXPORTER: 'statsd' }, 'TEMPORAL_METRICS_EXPORTER', 'one of none, prometheus, otlp'],
  [{ TEMPORAL_METRICS_EXPORTER: 'otlp' }, 'TEMPORAL_METRICS_OTLP_URL', 'set'],
  [{ TEMPORAL_METRICS_OTLP_PROTOCOL: 'udp' }, 'TEMPORAL_METRICS_OTLP_PROTOCOL', 'grpc, http'],
  [{ WORKER_POLLER_AUTOSCALING: 'true', WORKER_POLLER_INITIAL: '500' }, 'WORKER_POLLER_INITIAL', 'between'],
  [{ TEMPORAL_SEARCH_ATTRIBUTES: '{oops' }, 'TEMPORAL_SEARCH_ATTRIBUTES', 'JSON object'],
  [{ TEMPORAL_TLS_CERT: '/etc/hostname' }, 'TEMPORAL_TLS', 'PEM'],
  [{ WRITE_ARTIFACTS: 'yes' }, 'WRITE_ARTIFACTS', 'one of 1, true, 0, false'],
];

describe('operations: configuration at startup', () => {
  it.each(BAD)('%j exits 2 naming %s', async (env, name, rule) => {
    const r = await runCli(['worker'], { ...base, ...env }, 60_000);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('configuration error');
    expect(r.stderr).toContain(name);
    expect(r.stderr).toContain(rule);
    expect(r.stderr).not.toContain('worker connected');
  });

  it('exits 2 before it is ready when DBT_EXECUTABLE is not a dbt the worker can check, naming it', async () => {
    const dir = tempDir('bad-dbt-');
    const fake = join(dir, 'dbt');
    writeFileSync(fake, '#!/bin/sh\necho "dbt, but not really"\n');
    chmodSync(fake, 0o755);
    const r = await runCli(['worker'], { ...base, DBT_EXECUTABLE: fake }, 120_000);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain(`DBT_EXECUTABLE=${fake}`);
    expect(r.stderr).toContain('cannot find the Python that runs it');
    expect(r.stderr).not.toContain('worker connected');
  });

  it('names a malformed secret variable without echoing its value', async () => {
    const r = await runCli(['worker'], { ...base, TEMPORAL_METRICS_OTLP_HEADERS: 'authorization=Bearer ok,s3cr3t-t0ken-value' }, 60_000);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('TEMPORAL_METRICS_OTLP_HEADERS');
    expect(r.stderr).not.toContain('s3cr3t-t0ken-value');
    expect(r.stderr).not.toContain('Bearer ok');
  });

  it('exits 2 when only the mTLS certificate is given', async () => {
    const dir = tempDir('ops-cfg-');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(dir, 'c.pem'), '-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n');
    const r = await runCli(['worker'], { ...base, TEMPORAL_TLS_CERT: join(dir, 'c.pem') }, 60_000);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('TEMPORAL_TLS_KEY');
  });

  it('connects to an address with an http:// scheme, polls a custom queue and namespace, and logs the tuning it applied', async () => {
    const dir = tempDir('ops-cfg-');
    const taskQueue = `ops-cfg-${process.pid}`;
    const worker = spawnWorker({
      TEMPORAL_ADDRESS: `http://${inject('temporalAddress')}`, TEMPORAL_NAMESPACE: 'default', TEMPORAL_TASK_QUEUE: taskQueue,
      DBT_PROJECT_DIR: SECOND_PROJECT, SECOND_DUCKDB_PATH: join(dir, 's.duckdb'), WORKER_TUNER: 'resource-based',
      WORKER_RESOURCE_ACTIVITY_MAX_SLOTS: '3', WORKER_MAX_CACHED_WORKFLOWS: '5', NEXUS_ENABLED: 'true', LOG_LEVEL: 'debug',
    });
    try {
      await worker.waitForLog('worker connected');
      expect(worker.logs()).toContain('"tuner":"resource-based"');
      expect(worker.logs()).toContain('"activity_slots":3');
      expect(worker.logs()).toContain('"nexus":"dbt"');
      const client = await connectClient(inject('temporalAddress'));
      try {
        const r = await client.run(taskQueue, { command: 'seed' });
        expect(r.ok).toBe(true);
        const { pollers } = await client.client.workflowService.describeTaskQueue({ namespace: 'default', taskQueue: { name: taskQueue }, taskQueueType: 2 });
        expect(pollers?.map((p) => p.identity)).toContain(`dbt-temporal-worker@${worker.pid}`);
      } finally {
        await client.close();
      }
      // LOG_LEVEL=debug: per-activity start lines appear; every line is one JSON object.
      expect(worker.logs()).toContain('"msg":"activity started"');
      for (const line of worker.logs().trim().split('\n')) expect(() => JSON.parse(line)).not.toThrow();
    } finally {
      worker.signal('SIGTERM');
      expect(await worker.exited).toBe(0);
    }
  });
});
