// Hostile or careless input is contained (issue 11): oversized selectors still run with their
// search attribute cut, refs never leave the artifact store, payloads that are not a JSON
// object fail at once, failures stay small, and plan-time input errors never start a node.
// One worker serves every case and keeps serving afterwards.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RawValue } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { WORKFLOW_TYPE } from '../../src/shared/names.js';
import { connectClient } from '../support/client.js';
import type { TestClient } from '../support/client.js';
import { readHistory } from '../support/history.js';
import { SECOND_PROJECT } from '../support/paths.js';
import { runCli } from '../support/worker-process.js';
import { spawnWorker, tempDir } from './operations-support.js';
import type { SpawnedWorker } from './operations-support.js';

const dir = tempDir('bad-input-contained-');
const taskQueue = `bad-contained-${process.pid}`;
const env = { TEMPORAL_ADDRESS: '', TEMPORAL_TASK_QUEUE: taskQueue, SECOND_DUCKDB_PATH: join(dir, 'second.duckdb'), HUGE_DUCKDB_PATH: join(dir, 'huge.duckdb') };
let worker: SpawnedWorker;
let client: TestClient;

/** `huge_error`: a model whose error message is 3 MB (as a lock error's traceback can be). */
function writeHugeErrorProject(root: string): string {
  mkdirSync(join(root, 'models'), { recursive: true });
  writeFileSync(join(root, 'dbt_project.yml'), 'name: huge_error\nversion: "1.0"\nprofile: huge_error\n');
  writeFileSync(join(root, 'profiles.yml'), "huge_error:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: \"{{ env_var('HUGE_DUCKDB_PATH') }}\"\n");
  writeFileSync(join(root, 'models/boom.py'), 'def model(dbt, session):\n    dbt.config(materialized="table")\n    raise RuntimeError("lock held " + "x" * 3_000_000)\n    return session.sql("select 1")\n');
  return root;
}

beforeAll(async () => {
  env.TEMPORAL_ADDRESS = inject('temporalAddress');
  worker = spawnWorker({ ...env, DBT_PROJECT_DIRS: `${SECOND_PROJECT},${writeHugeErrorProject(join(dir, 'huge'))}`, WRITE_ARTIFACTS: 'true', ARTIFACT_STORE: join(dir, 'artifacts') });
  await worker.waitForLog('worker connected');
  client = await connectClient(inject('temporalAddress'));
});

afterAll(async () => {
  await client?.close();
  worker?.signal('SIGTERM');
  await worker?.exited;
});

async function startRaw(payload: { encoding: string; data: string }) {
  const raw = RawValue.fromPayload({ metadata: { encoding: new TextEncoder().encode(payload.encoding) }, data: new TextEncoder().encode(payload.data) });
  const handle = await client.client.workflow.start(WORKFLOW_TYPE, { taskQueue, workflowId: `raw-${Date.now()}-${payload.encoding}`, args: [raw] });
  const error = await handle.result().then(() => null, (err: unknown) => err as { cause?: { type?: string; message?: string } });
  return { error, status: (await handle.describe()).status.name };
}

describe('bad input is contained', () => {
  it('runs a 100 KB select, cutting its search attribute and memo to the limits', async () => {
    const select = Array.from({ length: 9500 }, () => 'stg_cities').join(' ');
    const res = await client.run(taskQueue, { project: 'second_duck', command: 'list', select });
    expect(res.message).toBeNull();
    expect(res.output?.node_results.map((r) => r.unique_id)).toContain('model.second_duck.stg_cities');
    const desc = await client.client.workflow.getHandle(res.workflowId).describe();
    const sa = desc.searchAttributes['DbtSelector'] as string[] | undefined;
    expect(Buffer.byteLength(sa?.[0] ?? '')).toBeLessThanOrEqual(2048);
    expect(sa?.[0]?.startsWith('stg_cities stg_cities')).toBe(true);
    const memo = desc.memo?.['command'] as { select?: string } | undefined;
    expect(Buffer.byteLength(memo?.select ?? '')).toBeLessThan(select.length);
  });

  it('resolves retry_from and the manifest refs only inside the artifact store, never quoting a file', async () => {
    for (const input of [{ retry_from: '../../etc/passwd' }, { retry_from: '/etc/passwd' }, { state_manifest_ref: '/etc/hostname' }, { defer_manifest_ref: 'a/../../../etc/passwd' }]) {
      const res = await client.run(taskQueue, { project: 'second_duck', ...input });
      expect(res.errorType, JSON.stringify(input)).toBe('INVALID_INPUT');
      expect(res.message).toMatch(/inside the artifact store/);
      expect(res.message).not.toMatch(/root:|:0:0:/);
    }
  });

  it('fails a payload that is not a JSON object at once, whatever its encoding', async () => {
    for (const payload of [{ encoding: 'binary/plain', data: '{"command":"build"}' }, { encoding: 'json/protobuf', data: '{}' }, { encoding: 'json/plain', data: '{not json' }]) {
      const { error, status } = await startRaw(payload);
      expect(status, payload.encoding).toBe('FAILED');
      expect(error?.cause?.type).toBe('INVALID_INPUT');
      expect(error?.cause?.message).toMatch(/input must be a JSON object/);
    }
  });

  it('keeps a node failure with a 3 MB message small enough for the server', async () => {
    const res = await client.run(taskQueue, { project: 'huge_error', command: 'run' });
    expect(res.errorType).toBe('DbtRunFailed');
    const boom = res.output?.node_results.find((r) => r.unique_id === 'model.huge_error.boom');
    expect(boom?.status).toBe('error');
    expect(boom?.message).toMatch(/lock held/);
    expect(boom?.message?.length ?? 0).toBeLessThan(10_000);
  });

  it('reports an unknown target, bad selector characters and a missing defer manifest at plan time (CLI exit 2)', async () => {
    const target = await client.run(taskQueue, { project: 'second_duck', target: 'nope' });
    expect(target.errorType).toBe('INVALID_INPUT');
    expect(target.message).toMatch(/no target named 'nope' \(targets: dev\)/);
    const chars = await client.run(taskQueue, { project: 'second_duck', select: 'stg_cities; rm -rf /' });
    expect(chars.errorType).toBe('INVALID_INPUT');
    expect(chars.message).toMatch(/input\.select contains a character/);
    const defer = await client.run(taskQueue, { project: 'second_duck', defer_manifest_ref: 'no-such-run/manifest.json' });
    expect(defer.errorType).toBe('INVALID_INPUT');
    expect(defer.message).toMatch(/defer_manifest_ref: cannot read/);
    for (const r of [target, chars, defer]) {
      const nodes = (await readHistory(client, r.workflowId)).activities.filter((a) => a.activityType === 'execute_node');
      expect(nodes).toEqual([]);
    }
    const cli = await runCli(['run', '--project', 'second_duck', '--target', 'nope', '--task-queue', taskQueue], { ...process.env, ...env });
    expect(cli.exitCode).toBe(2);
    expect(cli.stderr).toMatch(/no target named 'nope'/);
  });

  it('keeps serving good runs', async () => {
    const res = await client.run(taskQueue, { project: 'second_duck', command: 'seed' });
    expect(res.ok).toBe(true);
    expect(res.output?.node_results.map((r) => r.status)).toEqual(['success']);
  });
});
