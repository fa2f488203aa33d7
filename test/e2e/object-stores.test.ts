// End to end with object stores: the worker CLI loads its project from s3:// (moto) and
// writes artifacts to gs:// (gcp-storage-emulator); run_results.json is read back from GCS.
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Storage } from '@google-cloud/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useE2eWorker } from '../support/e2e-worker.js';
import { startGcsEmulator, startS3Emulator, uploadDir } from '../support/object-emulators.js';
import type { Emulator } from '../support/object-emulators.js';
import { SECOND_PROJECT } from '../support/paths.js';
import { hashTree } from '../support/tree-hash.js';

let s3: Emulator;
let gcs: Emulator;
let workerTmp: string;

async function downloads(): Promise<string[]> {
  return (await readdir(workerTmp)).filter((n) => n.startsWith('dbtt-models-'));
}

describe('object stores end to end', () => {
  // Before the worker's hooks: the emulators are up before the worker starts and stop after it.
  beforeAll(async () => {
    [s3, gcs] = await Promise.all([startS3Emulator(), startGcsEmulator()]);
    await s3.createBucket('dbt-models');
    await uploadDir(s3, 'dbt-models', 'releases/v1/second_duck', SECOND_PROJECT);
    await gcs.createBucket('dbt-artifacts');
  });

  afterAll(async () => {
    await Promise.all([s3?.stop(), gcs?.stop()]);
  });

  const e2e = useE2eWorker('objects', async (scratch) => {
    workerTmp = join(scratch, 'worker-tmp');
    await mkdir(workerTmp);
    return {
      ...s3.env,
      ...gcs.env,
      DBT_PROJECT_DIRS: 's3://dbt-models/releases/v1/second_duck',
      WRITE_ARTIFACTS: 'true',
      ARTIFACT_STORE: 'gs://dbt-artifacts/e2e/runs',
      TMPDIR: workerTmp,
      WORKER_MAX_CONCURRENT_ACTIVITIES: '2',
    };
  });

  it('seeds a project fetched from s3:// and stores run_results.json in gs://', async () => {
    const [download] = await downloads();
    expect(download).toBeDefined();
    const projectBefore = await hashTree([join(workerTmp, download as string)]);

    const res = await e2e.run({ project: 'second_duck', command: 'seed', env: { SECOND_DUCKDB_PATH: join(e2e.scratch, 'second.duckdb') } });
    expect(res.message).toBeNull();
    expect(res.output?.success).toBe(true);
    const invocationId = res.output?.invocation_id as string;
    expect(res.output?.node_results.map((r) => [r.unique_id, r.status])).toEqual([['seed.second_duck.raw_cities', 'success']]);

    // Refs are bucket-relative keys, as in the Rust worker.
    const artifacts = res.output?.artifacts;
    expect(artifacts?.run_results_path).toBe(`e2e/runs/${invocationId}/run_results.json`);
    expect(artifacts?.manifest_path).toBe(`e2e/runs/${invocationId}/manifest.json`);

    // Read back straight from the emulator, not through the worker's code.
    const bucket = new Storage({ apiEndpoint: gcs.endpoint, projectId: 'test-project' }).bucket('dbt-artifacts');
    const [text] = await bucket.file(artifacts?.run_results_path as string).download();
    const runResults = JSON.parse(text.toString('utf8')) as { metadata: { invocation_id: string }; results: { unique_id: string; status: string }[] };
    expect(runResults.metadata.invocation_id).toBe(invocationId);
    expect(runResults.results.map((r) => [r.unique_id, r.status])).toEqual([['seed.second_duck.raw_cities', 'success']]);
    const [manifest] = await bucket.file(artifacts?.manifest_path as string).download();
    expect(Object.keys((JSON.parse(manifest.toString('utf8')) as { nodes: object }).nodes)).toContain('seed.second_duck.raw_cities');

    // The downloaded project is read-only for the worker too.
    expect(await hashTree([join(workerTmp, download as string)])).toBe(projectBefore);
  });

  it('reads retry_from refs back from the gs:// store, and names a missing one', async () => {
    const env = { SECOND_DUCKDB_PATH: join(e2e.scratch, 'retry.duckdb') };
    const first = await e2e.run({ project: 'second_duck', command: 'seed', env });
    const ref = first.output?.artifacts?.run_results_path as string;
    // Everything succeeded before, so the stored run_results.json leaves nothing to retry.
    const again = await e2e.run({ project: 'second_duck', command: 'seed', retry_from: ref, env });
    expect(again.errorType).toBe('SELECTION_ERROR');
    expect(again.message).toContain('nothing to retry');
    const missing = await e2e.run({ project: 'second_duck', command: 'seed', retry_from: 'e2e/runs/no-such-run/run_results.json', env });
    expect(missing.errorType).toBe('INVALID_INPUT');
    expect(missing.message).toContain('gs://dbt-artifacts/e2e/runs/no-such-run/run_results.json: no such object');
  });

  it('removes the downloaded project at shutdown', async () => {
    expect(await downloads()).toHaveLength(1);
    await e2e.stop();
    expect(await downloads()).toEqual([]);
  });
});
