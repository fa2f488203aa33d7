// Bad input gets a precise, non-retryable failure (or a startup error naming the problem),
// and the worker keeps serving other runs.
import { cp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WORKFLOW_TYPE } from '../../src/shared/names.js';
import { useE2eWorker } from '../support/e2e-worker.js';
import { EXAMPLE_PROJECT, SECOND_PROJECT } from '../support/paths.js';
import { runCli } from '../support/worker-process.js';

const e2e = useE2eWorker('bad', () => ({ DBT_PROJECT_DIRS: `${EXAMPLE_PROJECT},${SECOND_PROJECT}` }));
const baseEnv = (): Record<string, string> => ({ ...(process.env as Record<string, string>), TEMPORAL_ADDRESS: e2e.address });

describe('bad workflow input', () => {
  it('rejects an unknown command', async () => {
    const res = await e2e.run({ project: 'second_duck', command: 'bogus' });
    expect(res.errorType).toBe('INVALID_INPUT');
    expect(res.message).toMatch(/input\.command must be one of .*"bogus"/);
  });

  it('rejects input that is not a JSON object', async () => {
    const handle = await e2e.client.client.workflow.start(WORKFLOW_TYPE, { taskQueue: e2e.worker.taskQueue, workflowId: `bad-${Date.now()}`, args: ['not an object'] });
    await expect(handle.result()).rejects.toThrow();
    const desc = await handle.describe();
    expect(desc.status.name).toBe('FAILED');
  });

  it('succeeds with dbt\'s warnings and no node when a selector matches nothing, as dbt does', async () => {
    const res = await e2e.run({ project: 'second_duck', select: 'no_such_model' });
    expect(res.errorType).toBeNull();
    expect(res.output?.node_results).toEqual([]);
    expect(res.output?.warnings).toEqual(["The selection criterion 'no_such_model' does not match any enabled nodes", 'Nothing to do. Try checking your model configs and model specification args']);
  });

  it('fails a malformed selector with dbt\'s own message', async () => {
    const res = await e2e.run({ project: 'second_duck', select: 'bogus_method:foo' });
    expect(res.errorType).toBe('SELECTION_ERROR');
    expect(res.message).toMatch(/bogus_method/);
  });

  it('names the available projects when the project is unknown or missing', async () => {
    const unknown = await e2e.run({ project: 'nope' });
    expect(unknown.errorType).toBe('PROJECT_NOT_FOUND');
    expect(unknown.message).toMatch(/project 'nope' not found; available projects: jaffle_duck, second_duck/);
    const missing = await e2e.run({});
    expect(missing.errorType).toBe('PROJECT_NOT_FOUND');
    expect(missing.message).toMatch(/multiple projects loaded/);
  });

  it('keeps serving good runs after all of the above', async () => {
    const res = await e2e.run({ project: 'second_duck', command: 'seed', env: { SECOND_DUCKDB_PATH: join(e2e.scratch, 'ok.duckdb') } });
    expect(res.ok).toBe(true);
    expect(res.output?.node_results.map((r) => r.status)).toEqual(['success']);
  });
});

describe('bad CLI input and configuration', () => {
  it('exits 2 on unparseable --input JSON', async () => {
    const r = await runCli(['run', '--input', '{not json', '--task-queue', e2e.worker.taskQueue], baseEnv());
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/--input is not valid JSON/);
  });

  it('exits 2 for a rejected run and prints the reason', async () => {
    const r = await runCli(['run', '--project', 'second_duck', '--select', 'bogus_method:foo', '--task-queue', e2e.worker.taskQueue], baseEnv());
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/run rejected \(SELECTION_ERROR\)[\s\S]*'bogus_method' is not a valid method name/);
  });

  it('refuses to start when the project directory is missing', async () => {
    const r = await runCli(['worker'], { ...baseEnv(), DBT_PROJECT_DIR: join(e2e.scratch, 'missing') });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/DBT_PROJECT_DIR: .*missing does not exist/);
  });

  it('refuses to start when the profile is missing or broken', async () => {
    const noProfile = join(e2e.scratch, 'no-profile');
    await cp(SECOND_PROJECT, noProfile, { recursive: true });
    await rm(join(noProfile, 'profiles.yml'));
    const r1 = await runCli(['worker'], { ...baseEnv(), DBT_PROJECT_DIR: noProfile });
    expect(r1.exitCode).toBe(2);
    expect(r1.stderr).toMatch(/no profiles\.yml in/);

    const badProfile = join(e2e.scratch, 'bad-profile');
    await cp(SECOND_PROJECT, badProfile, { recursive: true });
    await writeFile(join(badProfile, 'profiles.yml'), 'other_profile:\n  target: dev\n  outputs:\n    dev: {type: duckdb, path: /tmp/x.duckdb}\n');
    const r2 = await runCli(['worker'], { ...baseEnv(), DBT_PROJECT_DIR: badProfile });
    expect(r2.exitCode).toBe(2);
    expect(r2.stderr).toMatch(/second_duck.*failed to resolve.*second_duck/s);
  });
});
