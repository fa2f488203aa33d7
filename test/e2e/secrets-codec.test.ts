// A secret in a run's own `env` (SECRET_TOKEN) never surfaces: not in results (compiled SQL,
// error messages), the failure, memos, worker logs, log.txt, run_results.json or manifest.json;
// with the payload codec on, not in the workflow history either. An API key against a plain-text
// server fails with a hint that the key switched TLS on.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Connection, WorkflowFailedError } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { WORKFLOW_TYPE } from '../../src/shared/names.js';
import { AesGcmPayloadCodec } from '../../src/supervisor/codec/aes-gcm-codec.js';
import { readCodecKeys } from '../../src/supervisor/codec/codec-config.js';
import { runCli } from '../support/worker-process.js';
import { spawnWorker, tempDir } from './operations-support.js';
import type { SpawnedWorker } from './operations-support.js';

const TOKEN = 'run-tok-8d2f6a41c9';
const CODEC_KEYS = `k1:${randomBytes(32).toString('base64')}`;

function writeProject(dir: string): string {
  mkdirSync(join(dir, 'models'), { recursive: true });
  writeFileSync(join(dir, 'dbt_project.yml'), 'name: secret_duck\nversion: "1.0"\nprofile: secret_duck\n');
  writeFileSync(join(dir, 'profiles.yml'), "secret_duck:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: \"{{ env_var('SECRET_DUCKDB_PATH') }}\"\n");
  writeFileSync(join(dir, 'models/uses_token.sql'), `select '{{ env_var("SECRET_TOKEN", "none") }}' as t\n`);
  writeFileSync(join(dir, 'models/leaks.sql'), `{{ config(materialized='table') }}\nselect '{{ env_var("SECRET_TOKEN", "none") }}'::integer as x\n`);
  writeFileSync(join(dir, 'models/schema.yml'), `version: 2\nmodels:\n  - name: uses_token\n    config:\n      meta:\n        owner_token: "{{ env_var('SECRET_TOKEN', 'none') }}"\n`);
  return dir;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? filesUnder(join(dir, n)) : [join(dir, n)]));
}

/** Every string in a value, with byte arrays (raw payload data) decoded as UTF-8. */
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

describe('a run\'s secret env value never leaves the worker (payload codec on)', () => {
  const dir = tempDir('secrets-codec-');
  const projectDir = writeProject(join(dir, 'project'));
  const artifacts = join(dir, 'artifacts');
  const taskQueue = `secrets-codec-${process.pid}`;
  let worker: SpawnedWorker;
  let connection: Connection;
  let workflowId: string;
  let failure: WorkflowFailedError | null = null;

  beforeAll(async () => {
    worker = spawnWorker({
      TEMPORAL_ADDRESS: inject('temporalAddress'), TEMPORAL_TASK_QUEUE: taskQueue, DBT_PROJECT_DIR: projectDir,
      SECRET_DUCKDB_PATH: join(dir, 'w.duckdb'), WRITE_ARTIFACTS: 'true', ARTIFACT_STORE: artifacts, LOG_LEVEL: 'debug', DBT_TEMPORAL_CODEC_KEYS: CODEC_KEYS,
    });
    await worker.waitForLog('worker connected');
    connection = await Connection.connect({ address: inject('temporalAddress') });
    const codec = new AesGcmPayloadCodec(readCodecKeys({ DBT_TEMPORAL_CODEC_KEYS: CODEC_KEYS })!);
    const client = new Client({ connection, dataConverter: { payloadCodecs: [codec] } });
    workflowId = `secrets-${Date.now()}`;
    const handle = await client.workflow.start(WORKFLOW_TYPE, { taskQueue, workflowId, args: [{ command: 'run', env: { SECRET_TOKEN: TOKEN } }] });
    failure = await handle.result().then(() => null, (err: unknown) => err as WorkflowFailedError);
  });

  afterAll(async () => {
    await connection?.close();
    worker?.signal('SIGTERM');
    await worker?.exited;
  });

  it('fails the run on the leaking model, with the secret redacted from results and the failure', () => {
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    const text = allText(failure?.cause);
    expect(text).toContain('model.secret_duck.leaks');
    expect(text).toContain('***');
    expect(text).not.toContain(TOKEN);
  });

  it('keeps it out of the history (payloads encrypted), the memos and the worker logs', async () => {
    const plain = new Client({ connection });
    const history = await plain.workflow.getHandle(workflowId).fetchHistory();
    const raw = allText(history.events);
    expect(raw).toContain('binary/encrypted');
    expect(raw).not.toContain(TOKEN);
    const codec = new AesGcmPayloadCodec(readCodecKeys({ DBT_TEMPORAL_CODEC_KEYS: CODEC_KEYS })!);
    const decoded = new Client({ connection, dataConverter: { payloadCodecs: [codec] } });
    const desc = await decoded.workflow.getHandle(workflowId).describe();
    expect(allText(desc.memo)).toContain('uses_token');
    expect(allText(desc.memo)).not.toContain(TOKEN);
    expect(worker.logs()).toContain('node finished');
    expect(worker.logs()).not.toContain(TOKEN);
  });

  it('copies the env into no activity input: only the run\'s own input holds it (decrypted history)', async () => {
    const plain = new Client({ connection });
    const history = await plain.workflow.getHandle(workflowId).fetchHistory();
    const codec = new AesGcmPayloadCodec(readCodecKeys({ DBT_TEMPORAL_CODEC_KEYS: CODEC_KEYS })!);
    const decoded = async (payloads: Payload[] | null | undefined): Promise<string> =>
      allText(await codec.decode(payloads ?? []));
    const started = history.events?.find((e) => e.workflowExecutionStartedEventAttributes)?.workflowExecutionStartedEventAttributes;
    expect(await decoded(started?.input?.payloads as Payload[])).toContain(TOKEN);
    const scheduled = (history.events ?? []).flatMap((e) => (e.activityTaskScheduledEventAttributes ? [e.activityTaskScheduledEventAttributes] : []));
    const types = new Set(scheduled.map((s) => s.activityType?.name));
    expect([...types]).toEqual(expect.arrayContaining(['plan_project', 'execute_node']));
    for (const s of scheduled) {
      const text = await decoded(s.input?.payloads as Payload[]);
      expect(text.length, s.activityType?.name ?? '').toBeGreaterThan(0);
      expect(text, s.activityType?.name ?? '').not.toContain(TOKEN);
    }
  });

  it('keeps it out of log.txt, run_results.json and manifest.json', () => {
    const files = filesUnder(artifacts);
    expect(files.map((f) => f.split('/').pop()).sort()).toEqual(expect.arrayContaining(['log.txt', 'manifest.json', 'run_results.json']));
    for (const f of files) expect(readFileSync(f, 'utf8'), f).not.toContain(TOKEN);
    const manifest = readFileSync(files.find((f) => f.endsWith('manifest.json'))!, 'utf8');
    expect(manifest).toContain('owner_token');
  });

  it('says that TEMPORAL_API_KEY switched TLS on when the server speaks plain text', async () => {
    const r = await runCli(['worker'], { PATH: process.env['PATH'], TEMPORAL_ADDRESS: inject('temporalAddress'), TEMPORAL_API_KEY: 'tmprl-not-a-real-key-1234', DBT_PROJECT_DIR: projectDir, SECRET_DUCKDB_PATH: join(dir, 'k.duckdb') }, 120_000);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/TLS is on because TEMPORAL_API_KEY is set/);
    expect(r.stderr).toMatch(/TEMPORAL_TLS=false/);
    expect(r.stderr).not.toContain('tmprl-not-a-real-key-1234');
  });
});
