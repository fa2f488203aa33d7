// The locked Python toolchain: a fresh clone sets its venv up from requirements.lock (with uv,
// the faster installer here), the stale-lock check stops a changed requirements.txt, and the
// repository's venv (where the warm engine's dbt patches are tested) holds exactly the lock.
import { readFile, mkdtemp, rm, appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/paths.js';

const pin = (name: string, version: string): string => `${name.toLowerCase().replace(/[_.]/g, '-')}==${version}`;

/** `name==version` pins of a lock that apply on Linux, names normalised. */
async function lockPins(lock: string): Promise<string[]> {
  const text = await readFile(lock, 'utf8');
  return [...text.matchAll(/^([A-Za-z0-9_.-]+)==(\S+?)(?: ; (.*?))? \\$/gm)]
    .filter(([, , , marker]) => !marker?.includes("sys_platform == 'win32'"))
    .map(([, name, version]) => pin(name as string, version as string))
    .sort();
}

async function installed(python: string): Promise<string[]> {
  const r = await execa(python, ['-m', 'pip', 'list', '--format', 'freeze', '--disable-pip-version-check', '--exclude', 'pip', '--exclude', 'setuptools']);
  return String(r.stdout).split('\n').filter(Boolean).map((l) => pin(...(l.split('==') as [string, string]))).sort();
}

let scratch: string;
let clone: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'setup-lock-'));
  clone = join(scratch, 'clone');
  const head = String((await execa('git', ['rev-parse', 'HEAD'], { cwd: REPO_ROOT })).stdout).trim();
  await execa('git', ['clone', '--quiet', '--no-checkout', REPO_ROOT, clone]);
  await execa('git', ['checkout', '--quiet', head], { cwd: clone });
});

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe('the Python lock file', () => {
  it('pins every package of the repository venv, at exactly the installed versions', async () => {
    expect(await installed(`${REPO_ROOT}.venv/bin/python`)).toEqual(await lockPins(`${REPO_ROOT}requirements.lock`));
  });

  it('sets up a fresh clone from the lock, with every hash checked', async () => {
    // uv (from PyPI) installs the locked wheels in parallel and from its cache.
    await execa('python3', ['-m', 'venv', join(scratch, 'uv')]);
    await execa(join(scratch, 'uv', 'bin', 'pip'), ['install', '--quiet', '--disable-pip-version-check', 'uv==0.13.9']);
    const r = await execa('node', ['scripts/setup-python.mjs'], { cwd: clone, env: { ...process.env, UV: join(scratch, 'uv', 'bin', 'uv') }, reject: false, all: true });
    expect(r.exitCode, String(r.all)).toBe(0);
    expect(String(r.all)).toMatch(/installing the locked Python packages .* with uv/);
    expect(await installed(join(clone, '.venv', 'bin', 'python'))).toEqual(await lockPins(join(clone, 'requirements.lock')));
    expect(String((await execa(join(clone, '.venv', 'bin', 'dbt'), ['--version'])).stdout)).toMatch(/installed: 1\.11\./);
    // Run again: nothing to do.
    const again = await execa('node', ['scripts/setup-python.mjs'], { cwd: clone, reject: false, all: true });
    expect(again.exitCode).toBe(0);
    expect(String(again.all)).not.toMatch(/installing/);
  }, 600_000);

  it('fails the set-up when requirements.txt changed since the lock was generated', async () => {
    expect((await execa('node', ['scripts/setup-python.mjs', '--check'], { cwd: clone, reject: false })).exitCode).toBe(0);
    await appendFile(join(clone, 'requirements.txt'), 'six==1.17.0\n');
    for (const args of [['--check'], []]) {
      const r = await execa('node', ['scripts/setup-python.mjs', ...args], { cwd: clone, reject: false });
      expect(r.exitCode).toBe(1);
      expect(String(r.stderr)).toMatch(/requirements\.lock is stale: .*regenerate it with `npm run lock`/);
    }
  });
});
