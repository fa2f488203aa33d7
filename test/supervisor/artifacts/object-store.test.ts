// The s3:// and gs:// artifact stores against real emulators on loopback (moto, gcp-storage-emulator).
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRetryable } from '../../../src/shared/errors.js';
import type { ErrorCode } from '../../../src/shared/errors.js';
import { createArtifactStore } from '../../../src/supervisor/artifacts/store.js';
import type { ArtifactStore } from '../../../src/supervisor/artifacts/store.js';
import { readObjectStoreConfig } from '../../../src/supervisor/config/object-store-config.js';
import { emulatorConfig, startGcsEmulator, startS3Emulator } from '../../support/object-emulators.js';
import type { Emulator } from '../../support/object-emulators.js';

async function failure(promise: Promise<unknown>): Promise<{ code: ErrorCode; message: string }> {
  try {
    await promise;
  } catch (err) {
    return err as { code: ErrorCode; message: string };
  }
  throw new Error('expected a failure');
}

describe.each([
  { scheme: 's3', start: startS3Emulator },
  { scheme: 'gs', start: startGcsEmulator },
])('$scheme:// artifact store', ({ scheme, start }) => {
  let emulator: Emulator;
  let store: ArtifactStore;
  const bucket = `artifacts-${scheme}`;

  beforeAll(async () => {
    emulator = await start();
    await emulator.createBucket(bucket);
    store = createArtifactStore(`${scheme}://${bucket}/runs/prod`, emulatorConfig(emulator));
  });
  afterAll(async () => {
    await emulator?.stop();
  });

  it('stores a file under <prefix>/<invocation_id>/ and returns its bucket-relative key', async () => {
    const ref = await store.put('inv-1', 'run_results.json', '{"results": []}\n');
    expect(ref).toBe('runs/prod/inv-1/run_results.json');
    expect(await store.get(ref)).toBe('{"results": []}\n');
  });

  it('also reads a ref given as a full URL of the same bucket', async () => {
    const ref = await store.put('inv-url', 'log.txt', 'Done. PASS=1\n');
    expect(await store.get(`${scheme}://${bucket}/${ref}`)).toBe('Done. PASS=1\n');
  });

  it('round-trips a 5 MB payload byte for byte', async () => {
    const payload = randomBytes(5 * 1024 * 1024 / 2).toString('hex');
    const ref = await store.put('inv-big', 'manifest.json', payload);
    const back = await store.get(ref);
    expect(back.length).toBe(payload.length);
    expect(back === payload).toBe(true);
  });

  it('keeps several files per invocation apart', async () => {
    const names = ['run_results.json', 'manifest.json', 'log.txt', 'catalog.json'];
    const refs = await Promise.all(names.map((n) => store.put('inv-multi', n, `content of ${n} ✓`)));
    expect(refs).toEqual(names.map((n) => `runs/prod/inv-multi/${n}`));
    for (const [i, n] of names.entries()) expect(await store.get(refs[i] as string)).toBe(`content of ${n} ✓`);
  });

  it('replaces a file that is written again', async () => {
    const first = await store.put('inv-over', 'run_results.json', 'first');
    const second = await store.put('inv-over', 'run_results.json', 'second, longer than the first');
    expect(second).toBe(first);
    expect(await store.get(first)).toBe('second, longer than the first');
  });

  it('fails clearly, naming the ref, when the key does not exist', async () => {
    const err = await failure(store.get('runs/prod/no-such-run/run_results.json'));
    expect(err.code).toBe('ARTIFACT_NOT_FOUND');
    expect(err.message).toContain(`${scheme}://${bucket}/runs/prod/no-such-run/run_results.json`);
    expect(err.message).toContain('no such object');
    expect(isRetryable(err.code)).toBe(false);
  });

  it('fails clearly when the bucket does not exist', async () => {
    const missing = createArtifactStore(`${scheme}://no-such-bucket-here/p`, emulatorConfig(emulator));
    const put = await failure(missing.put('inv', 'log.txt', 'x'));
    expect(put.code).toBe('ARTIFACT_NOT_FOUND');
    expect(put.message).toContain('no-such-bucket-here');
    const get = await failure(missing.get('p/inv/log.txt'));
    expect(get.message).toContain(`${scheme}://no-such-bucket-here/p/inv/log.txt`);
  });

  it('refuses refs of another bucket or scheme', async () => {
    const other = scheme === 's3' ? 'gs' : 's3';
    expect((await failure(store.get(`${scheme}://elsewhere/runs/prod/inv-1/run_results.json`))).message).toContain('is not in the artifact store');
    expect((await failure(store.get(`${other}://${bucket}/runs/prod/inv-1/run_results.json`))).message).toContain('is not in the artifact store');
    await expect(store.put('../escape', 'log.txt', 'x')).rejects.toThrow(/invocation id/);
  });

  it('reports an unreachable endpoint as a retryable store error without leaking credentials', async () => {
    const env = { ...emulator.env };
    const dead = 'http://127.0.0.1:9';
    if (scheme === 's3') env['AWS_ENDPOINT_URL'] = dead;
    else env['STORAGE_EMULATOR_HOST'] = dead;
    const unreachable = createArtifactStore(`${scheme}://${bucket}/runs`, readObjectStoreConfig(env));
    const err = await failure(unreachable.get('runs/inv-1/log.txt'));
    expect(err.code).toBe('ARTIFACT_STORE_ERROR');
    expect(isRetryable(err.code)).toBe(true);
    expect(err.message).toContain(`${scheme}://${bucket}/runs/inv-1/log.txt`);
    expect(err.message).not.toContain('testing-secret-key');
  });
});
