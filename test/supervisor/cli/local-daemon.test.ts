// The daemon's building blocks on real files: the fingerprint moves with what dbt parses and
// not with what dbt (or a DuckDB warehouse, or the shell) writes; the start-up lock serialises
// two holders and takes over from a dead one.
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workerFingerprint } from '../../../src/supervisor/cli/local-daemon-fingerprint.js';
import { acquireLock } from '../../../src/supervisor/cli/local-daemon-lock.js';

let dir: string;
const print = (env: Record<string, string> = { A: '1' }, cwd = '/work') => workerFingerprint({ projectDir: join(dir, 'p'), profilesDir: join(dir, 'p'), env, cwd });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'daemon-parts-'));
  await mkdir(join(dir, 'p', 'models'), { recursive: true });
  await writeFile(join(dir, 'p', 'dbt_project.yml'), 'name: p\n');
  await writeFile(join(dir, 'p', 'profiles.yml'), 'p: {}\n');
  await writeFile(join(dir, 'p', 'models', 'a.sql'), 'select 1\n');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the worker fingerprint', () => {
  it('changes with a model, a new file, profiles.yml, the env or the working directory', async () => {
    const base = print();
    expect(print()).toBe(base);
    await writeFile(join(dir, 'p', 'models', 'a.sql'), 'select 22\n');
    const edited = print();
    expect(edited).not.toBe(base);
    await writeFile(join(dir, 'p', 'models', 'b.sql'), 'select 2\n');
    const added = print();
    expect(added).not.toBe(edited);
    await writeFile(join(dir, 'p', 'profiles.yml'), 'p: {outputs: {}}\n');
    const profiled = print();
    expect(profiled).not.toBe(added);
    expect(print({ A: '2' })).not.toBe(profiled);
    expect(print({ A: '1' }, '/elsewhere')).not.toBe(profiled);
  });

  it("ignores what dbt and the warehouse write, and the shell's per-terminal variables", async () => {
    const base = print();
    await mkdir(join(dir, 'p', 'target'), { recursive: true });
    await writeFile(join(dir, 'p', 'target', 'manifest.json'), '{}');
    await mkdir(join(dir, 'p', 'logs'), { recursive: true });
    await writeFile(join(dir, 'p', 'logs', 'dbt.log'), 'x');
    await writeFile(join(dir, 'p', 'dev.duckdb'), 'x');
    expect(print()).toBe(base);
    expect(print({ A: '1', PWD: '/x', OLDPWD: '/y', SHLVL: '3', TERM: 'xterm', COLUMNS: '80' })).toBe(base);
  });
});

describe('the start-up lock', () => {
  it('lets one holder in at a time', async () => {
    const path = join(dir, 'lock');
    const order: string[] = [];
    const release = await acquireLock(path);
    const second = acquireLock(path, { pollMs: 10 }).then((r) => {
      order.push('second');
      r();
    });
    await new Promise((r) => setTimeout(r, 100));
    order.push('first released');
    release();
    await second;
    expect(order).toEqual(['first released', 'second']);
    expect(existsSync(path)).toBe(false);
  });

  it('takes over a lock whose holder died', async () => {
    const path = join(dir, 'lock-dead');
    const dead = await execa('node', ['-e', 'process.stdout.write(String(process.pid))']);
    await writeFile(path, dead.stdout);
    const release = await acquireLock(path, { timeoutMs: 5000, pollMs: 10 });
    release();
    expect(existsSync(path)).toBe(false);
  });
});
