// The package as a user installs it: `npm pack`, `npm install -g` of the tarball into a scratch
// prefix, then `dbt-temporal local build` from inside a copy of the example project (the
// toolchain is the repository's venv, given through DBT_TEMPORAL_VENV; nothing is reinstalled).
import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../support/cli.js';
import { EXAMPLE_PROJECT, REPO_ROOT } from '../support/paths.js';
import { hashTree } from '../support/tree-hash.js';

let scratch: string;
let bin: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'e2e-install-'));
  await execa('npm', ['pack', '--pack-destination', scratch, '--silent'], { cwd: REPO_ROOT });
  const tarball = (await readdir(scratch)).find((f) => f.endsWith('.tgz'));
  if (!tarball) throw new Error('npm pack wrote no tarball');
  // Dependencies come from the npm registry (the local cache when it has them).
  await execa('npm', ['install', '-g', '--prefix', join(scratch, 'prefix'), join(scratch, tarball), '--no-audit', '--no-fund', '--prefer-offline'], { cwd: scratch });
  bin = join(scratch, 'prefix', 'bin', 'dbt-temporal');
}, 600_000);

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe('dbt-temporal installed from the packed tarball', () => {
  it('runs `local build` from inside a copy of the example project, with plain output off a TTY', async () => {
    const project = join(scratch, 'my project');
    await cp(EXAMPLE_PROJECT, project, { recursive: true });
    const before = await hashTree([project]);
    const env = { PATH: process.env['PATH'], HOME: scratch, DBT_TEMPORAL_VENV: `${REPO_ROOT}.venv`, JAFFLE_DUCKDB_PATH: join(scratch, 'jaffle.duckdb') };
    const r = await cli(['local', 'build', '--no-daemon'], { bin, env, cwd: join(project, 'models') });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toContain(`project ${project} (profiles ${project})`);
    expect(r.stdout).toMatch(/^ ?\d+ of 24 OK model jaffle_duck\.customers /m);
    expect(r.stdout).toMatch(/^Done\. PASS=24 WARN=0 ERROR=0 SKIP=0 NO-OP=0 TOTAL=24$/m);
    expect(r.stdout).not.toMatch(/\x1b\[/);
    expect(await hashTree([project])).toBe(before);
  });

  it('sets its toolchain up on first use from the lock it ships, saying where and why', async () => {
    const r = await cli(['local', 'build'], { bin, env: { PATH: process.env['PATH'], HOME: scratch, XDG_DATA_HOME: join(scratch, 'data'), PYTHON: join(scratch, 'no-python') }, cwd: join(scratch, 'my project') });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain(`setting up the Python toolchain (dbt-core, adapters, Temporal CLI) in ${join(scratch, 'data', 'dbt-temporal', 'venv')}`);
    expect(r.stderr).toMatch(/no-python not found: Python >= 3\.11 is required/);
  });
});
