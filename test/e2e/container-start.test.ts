// The worker started the way the image starts it (docker/Dockerfile): node as PID 1 of its own
// PID namespace, uid 1000, a read-only root and only a 128 MiB tmpfs /tmp writable (the Helm
// chart's emptyDir limit). It must start, answer its probes, pass `dbt-temporal healthcheck`
// and run a full build of the example; the peak /tmp use is printed for docs/deployment.md.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { connectClient } from '../support/client.js';
import type { TestClient } from '../support/client.js';
import { EXAMPLE_PROJECT } from '../support/paths.js';
import { SANDBOX_UID, startSandbox } from '../support/sandbox.js';
import type { Sandbox } from '../support/sandbox.js';
import { hashTree } from '../support/tree-hash.js';
import { freePort, waitFor } from './operations-support.js';

const TMP_LIMIT_BYTES = 128 * 1024 * 1024;

describe('container start-up (bubblewrap sandbox)', () => {
  const taskQueue = `container-${process.pid}`;
  let sandbox: Sandbox;
  let client: TestClient;
  let port: number;
  let treeBefore: string;
  let peakTmp = 0;
  let sampler: NodeJS.Timeout | undefined;

  beforeAll(async () => {
    treeBefore = await hashTree([EXAMPLE_PROJECT]);
    port = await freePort();
    sandbox = await startSandbox(['worker'], {
      TEMPORAL_ADDRESS: inject('temporalAddress'), TEMPORAL_TASK_QUEUE: taskQueue,
      DBT_PROJECT_DIR: EXAMPLE_PROJECT, HEALTH_PORT: String(port), NODE_ENV: 'production',
    }, TMP_LIMIT_BYTES);
    sampler = setInterval(() => {
      try {
        peakTmp = Math.max(peakTmp, sandbox.tmpUsedBytes());
      } catch {
        // The sandbox has exited; the assertions below say why.
      }
    }, 100);
    client = await connectClient(inject('temporalAddress'));
    await waitFor(() => (sandbox.logs().includes('worker connected') || /configuration error|exited/.test(sandbox.logs()) ? true : undefined));
  });

  afterAll(async () => {
    clearInterval(sampler);
    await client?.close();
    await sandbox?.stop();
  });

  it('runs node as PID 1 under a non-root uid', async () => {
    expect(sandbox.logs()).toContain('worker connected');
    const init = sandbox.processes().find((p) => p.nsPid === 1);
    expect(init?.name).toBe('node');
    const id = await sandbox.exec(['id', '-u']);
    expect(id.stdout.trim()).toBe(String(SANDBOX_UID));
  });

  it('answers the liveness probe on / and readiness on /readyz', async () => {
    const live = await fetch(`http://127.0.0.1:${port}/`);
    expect(live.status).toBe(200);
    const ready = await waitFor(async () => {
      const r = await fetch(`http://127.0.0.1:${port}/readyz`);
      return r.status === 200 ? r.status : undefined;
    });
    expect(ready).toBe(200);
  });

  it('passes `dbt-temporal healthcheck` inside the container', async () => {
    const r = await sandbox.exec([process.execPath, 'bin/dbt-temporal.js', 'healthcheck']);
    expect(r.exitCode).toBe(0);
  });

  it('runs a full build of the example within the /tmp limit, leaving the project untouched', async () => {
    const res = await client.run(taskQueue, { command: 'build' });
    expect(res.message).toBeNull();
    expect(res.ok).toBe(true);
    const statuses = new Set(res.output?.node_results.map((r) => r.status));
    expect([...statuses].every((s) => s === 'success' || s === 'pass')).toBe(true);
    expect(res.output?.node_results.length).toBeGreaterThan(20);
    expect(peakTmp).toBeGreaterThan(0);
    expect(peakTmp).toBeLessThan(TMP_LIMIT_BYTES);
    expect(await hashTree([EXAMPLE_PROJECT])).toBe(treeBefore);
    process.stdout.write(`container-start: peak /tmp use ${(peakTmp / 1024 / 1024).toFixed(1)} MiB of ${TMP_LIMIT_BYTES / 1024 / 1024} MiB\n`);
  });

  it('stops cleanly on SIGTERM to PID 1', async () => {
    await sandbox.stop();
    expect(sandbox.logs()).toContain('worker stopped');
  });
});

// dbt's multiprocessing resource tracker outlives each dbt process and is re-parented to PID 1;
// node never reaps processes it did not start, so the image runs tini as PID 1 (as here).
describe('container start-up under the image\'s init (tini)', () => {
  it('reaps the orphans dbt leaves behind', async () => {
    const sandbox = await startSandbox(['worker'], {
      TEMPORAL_ADDRESS: inject('temporalAddress'), TEMPORAL_TASK_QUEUE: `container-tini-${process.pid}`, DBT_PROJECT_DIR: EXAMPLE_PROJECT,
    }, TMP_LIMIT_BYTES, ['/usr/bin/tini', '--']);
    try {
      await waitFor(() => (sandbox.logs().includes('worker connected') || /configuration error/.test(sandbox.logs()) ? true : undefined));
      expect(sandbox.logs()).toContain('worker connected');
      // Resolving the project ran `dbt parse`, whose resource tracker exited after it.
      await new Promise((r) => setTimeout(r, 1000));
      const procs = sandbox.processes();
      expect(procs.find((p) => p.nsPid === 1)?.name).toBe('tini');
      expect(procs.filter((p) => p.state === 'Z')).toEqual([]);
    } finally {
      await sandbox.stop();
    }
    expect(sandbox.logs()).toContain('worker stopped');
  });
});
