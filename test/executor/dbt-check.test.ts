// The worker's start-up check of its dbt: the interpreter behind DBT_EXECUTABLE (a bare name
// resolves on PATH, so it cannot bypass the shim) and dbt_reach's self-check in it.
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkDbt } from '../../src/executor/dbt-check.js';
import { dbtPython } from '../../src/executor/subprocess/dbt-python.js';
import { DBT } from '../support/paths.js';

let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'dbt-check-'));
});

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe('the start-up dbt check', () => {
  it('passes on the pinned dbt, naming its version, with no drift warning', async () => {
    const check = await checkDbt(DBT, process.env);
    expect(check.dbtCoreVersion).toMatch(/^1\.11\./);
    expect(check.warnings).toEqual([]);
  }, 120_000);

  it('finds the interpreter of a bare `dbt` on PATH (no bypass of the shim)', () => {
    const path = `${dirname(DBT)}:${process.env['PATH'] ?? ''}`;
    const saved = process.env['PATH'];
    process.env['PATH'] = path;
    try {
      expect(dbtPython('dbt')).toMatch(/python/);
    } finally {
      process.env['PATH'] = saved;
    }
  });

  it('fails with a message naming DBT_EXECUTABLE when no Python runs it', async () => {
    const fake = join(scratch, 'bin', 'dbt');
    await rm(dirname(fake), { recursive: true, force: true });
    await import('node:fs/promises').then((fs) => fs.mkdir(dirname(fake)));
    await writeFile(fake, '#!/bin/sh\necho fake dbt\n');
    await chmod(fake, 0o755);
    await expect(checkDbt(fake, process.env)).rejects.toThrow(/DBT_EXECUTABLE=.*cannot find the Python that runs it/);
  });

  it('fails with dbt-temporal\'s own message when the interpreter cannot import dbt', async () => {
    const fake = join(scratch, 'plain', 'dbt');
    await import('node:fs/promises').then((fs) => fs.mkdir(dirname(fake), { recursive: true }));
    await writeFile(fake, '#!/usr/bin/python3\n');
    await chmod(fake, 0o755);
    await expect(checkDbt(fake, process.env)).rejects.toThrow(/dbt self-check failed for \/usr\/bin\/python3 .*(No module named|ModuleNotFoundError)/);
  }, 60_000);
});
