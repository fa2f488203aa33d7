// Project sources in object stores (s3://, gs:// entries of DBT_PROJECT_DIRS) against real
// emulators: downloaded into /tmp/dbtt-models-*, scanned by the remote rule, removed by cleanup().
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ObjectStoreConfig } from '../../../src/supervisor/config/object-store-config.js';
import { fetchObjectSource } from '../../../src/supervisor/projects/object-source.js';
import { EXAMPLE_PROJECT, SECOND_PROJECT } from '../../support/paths.js';
import { emulatorConfig, listFiles, startGcsEmulator, startS3Emulator, uploadDir } from '../../support/object-emulators.js';
import type { Emulator } from '../../support/object-emulators.js';

async function failure(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (err) {
    return err as { code: string; message: string };
  }
  throw new Error('expected a failure');
}

describe.each([
  { scheme: 's3', start: startS3Emulator },
  { scheme: 'gs', start: startGcsEmulator },
])('$scheme:// project sources', ({ scheme, start }) => {
  let emulator: Emulator;
  let config: ObjectStoreConfig;
  let tmpRoot: string;
  const bucket = `projects-${scheme}`;
  const fetch = (entry: string) => fetchObjectSource(entry, { objectStores: config, tmpRoot });

  beforeAll(async () => {
    emulator = await start();
    config = emulatorConfig(emulator);
    await emulator.createBucket(bucket);
    await uploadDir(emulator, bucket, 'single/second_duck', SECOND_PROJECT);
    await uploadDir(emulator, bucket, 'multi/jaffle', EXAMPLE_PROJECT);
    await uploadDir(emulator, bucket, 'multi/second', SECOND_PROJECT);
    await emulator.upload(bucket, 'multi/README.md', 'two projects\n');
    await emulator.upload(bucket, 'multi/notes/todo.txt', 'not a project\n');
    await emulator.upload(bucket, 'multi/empty-folder/', '');
    await emulator.upload(bucket, 'single/second_duck_old/dbt_project.yml', 'name: must_not_be_fetched\n');
    await emulator.upload(bucket, 'no-project/readme.txt', 'hello\n');
  });
  afterAll(async () => {
    await emulator?.stop();
  });
  beforeEach(async () => {
    tmpRoot = await mkdtemp(join(tmpdir(), 'object-source-test-'));
  });
  afterEach(async () => {
    await rm(tmpRoot, { recursive: true, force: true });
  });

  it('downloads every object under the prefix into a dbtt-models-* directory that is the project', async () => {
    const source = await fetch(`${scheme}://${bucket}/single/second_duck`);
    expect(basename(source.dir)).toMatch(/^dbtt-models-/);
    expect(source.projectDirs).toEqual([source.dir]);
    expect(await listFiles(source.dir)).toEqual(await listFiles(SECOND_PROJECT));
    for (const f of await listFiles(SECOND_PROJECT)) {
      expect(await readFile(join(source.dir, f))).toEqual(await readFile(join(SECOND_PROJECT, f)));
    }
    await source.cleanup();
    expect(existsSync(source.dir)).toBe(false);
    await source.cleanup();
  });

  it('uses the immediate subdirectories holding a dbt_project.yml when the root is not a project', async () => {
    const source = await fetch(`${scheme}://${bucket}/multi/`);
    expect(source.projectDirs).toEqual([join(source.dir, 'jaffle'), join(source.dir, 'second')]);
    expect(await readFile(join(source.dir, 'notes/todo.txt'), 'utf8')).toBe('not a project\n');
    await source.cleanup();
  });

  it('fetches the whole bucket when the entry has no prefix', async () => {
    await emulator.createBucket(`${bucket}-root`);
    await uploadDir(emulator, `${bucket}-root`, '', SECOND_PROJECT);
    const source = await fetch(`${scheme}://${bucket}-root`);
    expect(source.projectDirs).toEqual([source.dir]);
    expect(await listFiles(source.dir)).toEqual(await listFiles(SECOND_PROJECT));
    await source.cleanup();
  });

  it('fails naming the entry when no project is there, and leaves nothing behind', async () => {
    const err = await failure(fetch(`${scheme}://${bucket}/no-project`));
    expect(err.code).toBe('CONFIG_ERROR');
    expect(err.message).toContain(`DBT_PROJECT_DIRS: ${scheme}://${bucket}/no-project`);
    expect(err.message).toContain('no dbt_project.yml');
    expect(await readdir(tmpRoot)).toEqual([]);
  });

  it('fails naming the entry when the prefix holds no objects', async () => {
    const err = await failure(fetch(`${scheme}://${bucket}/nothing-here`));
    expect(err.code).toBe('CONFIG_ERROR');
    expect(err.message).toContain(`${scheme}://${bucket}/nothing-here: no objects under this prefix`);
    expect(await readdir(tmpRoot)).toEqual([]);
  });

  it('fails naming the entry and the bucket when the bucket does not exist', async () => {
    const err = await failure(fetch(`${scheme}://no-such-bucket-here/p`));
    expect(err.code).toBe('CONFIG_ERROR');
    expect(err.message).toContain(`DBT_PROJECT_DIRS: ${scheme}://no-such-bucket-here/p`);
    expect(err.message).toContain('bucket no-such-bucket-here does not exist');
    expect(await readdir(tmpRoot)).toEqual([]);
  });

  // Declared for S3 only (not skipped for GCS): the GCS emulator cannot store such a key, and
  // the guard it exercises is the same code for both stores.
  const itOnS3 = scheme === 's3' ? it : (): void => undefined;
  itOnS3('refuses object keys that would escape the download directory', async () => {
    await emulator.upload(bucket, 'sneaky/dbt_project.yml', 'name: sneaky\n');
    await emulator.upload(bucket, 'sneaky/../../escape.txt', 'x');
    const err = await failure(fetch(`${scheme}://${bucket}/sneaky`));
    expect(err.message).toContain('cannot be written safely');
    expect(await readdir(tmpRoot)).toEqual([]);
  });
});
