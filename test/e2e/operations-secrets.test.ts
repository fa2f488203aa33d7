// Secrets never surface: a run whose profile holds a literal password (which a failing model
// leaks into dbt's own error message and compiled SQL) on a worker with a Temporal API key
// (over mTLS). Worker logs, workflow history (results, failures), memos and artifacts are
// searched for both.
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { connectClient } from '../support/client.js';
import type { TestClient } from '../support/client.js';
import { makeTestPki, spawnWorker, startTlsProxy, tempDir, writeOpsProject } from './operations-support.js';
import type { SpawnedWorker, TlsProxy } from './operations-support.js';

const PASSWORD = 'pr0file-Passw0rd-7Qx';
const API_KEY = 'tmprl-secret-api-key-9f8e7d6c5b4a';

/** Every string in a value, with byte arrays (payload data) decoded as UTF-8. */
function allText(value: unknown): string {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === 'string') out.push(v);
    else if (v instanceof Uint8Array) out.push(Buffer.from(v).toString('utf8'));
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v !== null && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(value);
  return out.join('\n');
}

function filesUnder(dir: string): string[] {
  try {
    return readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? filesUnder(join(dir, n)) : [join(dir, n)]));
  } catch {
    return [];
  }
}

describe('operations: secrets stay secret', () => {
  const dir = tempDir('ops-secrets-');
  const projectDir = writeOpsProject(join(dir, 'project'));
  const artifacts = join(dir, 'artifacts');
  const taskQueue = `ops-secrets-${process.pid}`;
  let proxy: TlsProxy;
  let worker: SpawnedWorker;
  let client: TestClient;

  beforeAll(async () => {
    // The password is a literal in profiles.yml; the model reads the same value from an
    // innocently named variable, so only the profile scan can know it is secret. (A run's
    // own `env` is workflow input: it is in the history by design, so it is not used here.)
    const profile = readFileSync(join(projectDir, 'profiles.yml'), 'utf8').replace(/password: .*/, `password: "${PASSWORD}"`);
    writeFileSync(join(projectDir, 'profiles.yml'), profile);
    writeFileSync(join(projectDir, 'models/leaky.sql'), `{{ config(materialized='table') }}\nselect '{{ env_var("OPS_VALUE") }}'::integer as leaked\n`);
    const pki = await makeTestPki(dir);
    proxy = await startTlsProxy(pki, inject('temporalAddress'), true);
    worker = spawnWorker({
      TEMPORAL_ADDRESS: proxy.address, TEMPORAL_TASK_QUEUE: taskQueue, TEMPORAL_API_KEY: API_KEY,
      TEMPORAL_TLS_CERT: pki.clientCert, TEMPORAL_TLS_KEY: pki.clientKey, TEMPORAL_TLS_CA: pki.ca,
      DBT_PROJECT_DIR: projectDir, OPS_DUCKDB_PATH: join(dir, 'ops.duckdb'), OPS_VALUE: PASSWORD,
      WRITE_ARTIFACTS: 'true', ARTIFACT_STORE: artifacts, LOG_LEVEL: 'debug',
    });
    await worker.waitForLog('worker connected');
    client = await connectClient(inject('temporalAddress'));
  });

  afterAll(async () => {
    await client?.close();
    worker?.signal('SIGTERM');
    await worker?.exited;
    await proxy?.close();
  });

  it('redacts the profile password and the API key everywhere a run leaves traces', async () => {
    const r = await client.run(taskQueue, { command: 'run', select: 'leaky' });
    expect(r.ok).toBe(false);
    const leaky = r.output?.node_results.find((n) => n.unique_id === 'model.ops_duck.leaky');
    expect(leaky?.status).toBe('error');
    // dbt's own message quoted the value: it is there, redacted.
    expect(leaky?.message).toContain('***');

    const handle = client.client.workflow.getHandle(r.workflowId);
    const description = await handle.describe();
    const history = await handle.fetchHistory();
    const traces = {
      'worker logs': worker.logs(),
      'failure message': r.message ?? '',
      'run output': JSON.stringify(r.output),
      memos: JSON.stringify(description.memo ?? {}),
      history: allText(history),
      artifacts: filesUnder(artifacts).map((f) => readFileSync(f, 'utf8')).join('\n'),
    };
    for (const [where, text] of Object.entries(traces)) {
      expect(text.includes(PASSWORD), `password in ${where}`).toBe(false);
      expect(text.includes(API_KEY), `API key in ${where}`).toBe(false);
    }
    expect(traces.history).toContain('***');
    expect(filesUnder(artifacts).map((f) => f.split('/').pop()).sort()).toEqual(expect.arrayContaining(['log.txt', 'manifest.json', 'run_results.json']));
  });
});
