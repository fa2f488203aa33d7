// The installed CLI entry (`npx dbt-temporal`, from the built dist/) and its exit codes.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { WORKER_NODE_FLAGS } from '../../../src/supervisor/cli/worker-node-flags.js';
import { REPO_ROOT } from '../../support/paths.js';

const npx = (...args: string[]) => execa('npx', ['--no-install', 'dbt-temporal', ...args], { cwd: REPO_ROOT, reject: false });

describe('dbt-temporal CLI entry', () => {
  it('runs through npx from the repository root and prints usage', async () => {
    const r = await npx('--help');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/Usage: dbt-temporal <command>/);
    for (const command of ['local', 'run', 'worker', 'healthcheck', 'setup']) expect(r.stdout).toContain(`  ${command} `);
    const run = await npx('run', '--help');
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toMatch(/--retry-from/);
    expect((await npx('worker', '--help')).stdout).toMatch(/Usage: dbt-temporal worker/);
  });

  it('exits 2 on an unknown command or flag', async () => {
    expect((await npx('bogus')).exitCode).toBe(2);
    const r = await npx('run', '--no-such-flag');
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/no-such-flag/);
  });

  it('exits 2 on a bad configuration value, naming the variable', async () => {
    const r = await execa('npx', ['--no-install', 'dbt-temporal', 'worker'], { cwd: REPO_ROOT, reject: false, env: { WORKER_TUNER: 'sideways' } });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/WORKER_TUNER/);
  });

  it("starts node with the worker's V8 flags, as every other worker launcher does", () => {
    const shebang = readFileSync(join(REPO_ROOT, 'bin', 'dbt-temporal.js'), 'utf8').split('\n')[0];
    expect(shebang).toBe(`#!/usr/bin/env -S node ${WORKER_NODE_FLAGS.join(' ')}`);
  });
});
