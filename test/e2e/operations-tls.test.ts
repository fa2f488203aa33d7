// Temporal connection security against a real TLS listener: a loopback TLS proxy with a test
// CA (openssl, generated here) in front of the dev server. mTLS, API key, both, and refusals.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { connectClient } from '../support/client.js';
import type { TestClient } from '../support/client.js';
import { SECOND_PROJECT } from '../support/paths.js';
import { runCli } from '../support/worker-process.js';
import { makeTestPki, spawnWorker, startTlsProxy, tempDir } from './operations-support.js';
import type { TestPki, TlsProxy } from './operations-support.js';

describe('operations: TLS, mTLS and API key connections', () => {
  const dir = tempDir('ops-tls-');
  let pki: TestPki;
  let mtls: TlsProxy;
  let tls: TlsProxy;
  let client: TestClient;

  beforeAll(async () => {
    pki = await makeTestPki(dir);
    mtls = await startTlsProxy(pki, inject('temporalAddress'), true);
    tls = await startTlsProxy(pki, inject('temporalAddress'), false);
    client = await connectClient(inject('temporalAddress'));
  });

  afterAll(async () => {
    await client?.close();
    await mtls?.close();
    await tls?.close();
  });

  const project = (name: string) => ({ DBT_PROJECT_DIR: SECOND_PROJECT, SECOND_DUCKDB_PATH: join(dir, `${name}.duckdb`), DBT_ENGINE_MODE: 'subprocess' });

  it('runs a project through an mTLS listener with the client certificate and key', async () => {
    const taskQueue = `ops-mtls-${process.pid}`;
    const worker = spawnWorker({
      ...project('mtls'), TEMPORAL_ADDRESS: mtls.address, TEMPORAL_TASK_QUEUE: taskQueue,
      TEMPORAL_TLS_CERT: pki.clientCert, TEMPORAL_TLS_KEY: pki.clientKey, TEMPORAL_TLS_CA: pki.ca,
    });
    try {
      await worker.waitForLog('worker connected');
      expect(worker.logs()).toContain('"tls":true');
      const r = await client.run(taskQueue, { command: 'seed' });
      expect(r.ok).toBe(true);
      expect(mtls.clientSubjects).toContain('dbt-temporal-worker');
      // The `run` CLI connects the same way as the worker (TEMPORAL_TLS_* from the env).
      const cli = await runCli(['run', '--command', 'seed', '--json'], {
        ...process.env, TEMPORAL_ADDRESS: mtls.address, TEMPORAL_TASK_QUEUE: taskQueue,
        TEMPORAL_TLS_CERT: pki.clientCert, TEMPORAL_TLS_KEY: pki.clientKey, TEMPORAL_TLS_CA: pki.ca,
      });
      expect(cli.exitCode, cli.stderr).toBe(0);
      expect(JSON.parse(cli.stdout)).toMatchObject({ success: true, command: 'seed' });
    } finally {
      worker.signal('SIGTERM');
      expect(await worker.exited).toBe(0);
    }
  });

  it('cannot connect to the mTLS listener without a client certificate', async () => {
    const worker = spawnWorker({ ...project('nocert'), TEMPORAL_ADDRESS: mtls.address, TEMPORAL_TLS_CA: pki.ca });
    const code = await worker.exited;
    expect(code).not.toBe(0);
    expect(worker.logs()).not.toContain('worker connected');
  });

  it('connects with an API key over TLS, and with an API key plus mTLS, never logging the key', async () => {
    const apiKey = 'tmprl-api-key-0123456789abcdef';
    for (const [proxy, extra] of [[tls, {}], [mtls, { TEMPORAL_TLS_CERT: pki.clientCert, TEMPORAL_TLS_KEY: pki.clientKey }]] as const) {
      const taskQueue = `ops-apikey-${proxy === tls ? 'tls' : 'mtls'}-${process.pid}`;
      const worker = spawnWorker({ ...project(`key-${taskQueue}`), ...extra, TEMPORAL_ADDRESS: proxy.address, TEMPORAL_TASK_QUEUE: taskQueue, TEMPORAL_API_KEY: apiKey, TEMPORAL_TLS_CA: pki.ca, LOG_LEVEL: 'debug' });
      try {
        await worker.waitForLog('worker connected');
        expect((await client.run(taskQueue, { command: 'seed' })).ok).toBe(true);
      } finally {
        worker.signal('SIGTERM');
        expect(await worker.exited).toBe(0);
      }
      expect(worker.logs()).not.toContain(apiKey);
    }
  });

  it('does not reach a TLS listener in plaintext', async () => {
    const worker = spawnWorker({ ...project('plain'), TEMPORAL_ADDRESS: tls.address });
    expect(await worker.exited).not.toBe(0);
    expect(worker.logs()).not.toContain('worker connected');
  });
});
