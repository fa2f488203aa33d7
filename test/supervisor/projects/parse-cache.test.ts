import { mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { localParseCacheDir, parseCache } from '../../../src/supervisor/projects/parse-cache.js';

const dirs: string[] = [];
const scratch = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'parse-cache-test-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const project = (n: number) => ({ name: `p${n}`, dir: `/projects/p${n}`, profilesDir: `/projects/p${n}` });

describe('the partial-parse cache of local workers', () => {
  it('gives back what the last start of the same project, profiles, target and dbt left, and nothing to others', () => {
    const dir = join(scratch(), 'parse');
    const cache = parseCache(dir, '/venv/bin/dbt');
    expect(cache.read(project(1), null)).toBeNull();
    cache.write(project(1), null, new Uint8Array([1, 2, 3]));
    expect([...(cache.read(project(1), null) ?? [])]).toEqual([1, 2, 3]);
    expect(cache.read(project(1), 'prod')).toBeNull();
    expect(cache.read(project(2), null)).toBeNull();
    expect(parseCache(dir, '/other/bin/dbt').read(project(1), null)).toBeNull();
    // Private: the file carries the manifest (and the values of the env vars dbt read).
    expect(statSync(dir).mode & 0o077).toBe(0);
    for (const f of readdirSync(dir)) expect(statSync(join(dir, f)).mode & 0o077).toBe(0);
  });

  it('leaves an unchanged file in place and only marks it used', () => {
    const dir = join(scratch(), 'parse');
    const cache = parseCache(dir, 'dbt');
    cache.write(project(1), null, new Uint8Array([1, 2, 3]));
    const [name] = readdirSync(dir);
    const path = join(dir, name as string);
    utimesSync(path, 1000, 1000);
    const inode = statSync(path).ino;
    cache.write(project(1), null, new Uint8Array([1, 2, 3]));
    expect(statSync(path).ino).toBe(inode);
    expect(statSync(path).mtimeMs).toBeGreaterThan(1e12);
    cache.write(project(1), null, new Uint8Array([4]));
    expect(statSync(path).ino).not.toBe(inode);
    expect([...(cache.read(project(1), null) ?? [])]).toEqual([4]);
  });

  it('lives in the user\'s cache directory, never under TMPDIR', () => {
    expect(localParseCacheDir({ XDG_CACHE_HOME: '/c', HOME: '/h', TMPDIR: '/t' })).toBe('/c/dbt-temporal/parse');
    expect(localParseCacheDir({ HOME: '/h', TMPDIR: '/t' })).toBe('/h/.cache/dbt-temporal/parse');
    expect(localParseCacheDir({ XDG_CACHE_HOME: 'relative', TMPDIR: '/t' })).toBeNull();
  });

  it('keeps the sixteen most recently written files and never fails a start', () => {
    const dir = join(scratch(), 'parse');
    const cache = parseCache(dir, 'dbt');
    for (let i = 0; i < 20; i++) {
      cache.write(project(i), null, new Uint8Array([i]));
      // The file just written is the one with today's time: date it i seconds after the epoch's 1000th.
      for (const f of readdirSync(dir)) if (statSync(join(dir, f)).mtimeMs > 1e12) utimesSync(join(dir, f), 1000 + i, 1000 + i);
    }
    expect(readdirSync(dir)).toHaveLength(16);
    expect(cache.read(project(19), null)).not.toBeNull();
    expect(cache.read(project(0), null)).toBeNull();
    // A cache directory that cannot be made is a miss, not an error.
    const file = join(scratch(), 'not-a-dir');
    writeFileSync(file, '');
    const broken = parseCache(join(file, 'parse'), 'dbt');
    expect(() => broken.write(project(1), null, new Uint8Array([1]))).not.toThrow();
    expect(broken.read(project(1), null)).toBeNull();
  });
});
