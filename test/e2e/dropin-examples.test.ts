// A Rust dbt-temporal user's set-up, unchanged, on our worker (Postgres): a project with a
// dbt_temporal.yml (retry + hooks), a second project on the same worker, per-run env overrides,
// runs started with `temporal workflow start`. Statuses and tables are plain dbt's; the hook
// child workflows run in order with the Rust project's payload; retries follow its rules.
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import type { DbtRunOutput } from '../../src/shared/contracts.js';
import { statusMap } from '../support/client.js';
import { runPlainDbt } from '../support/dbt-oracle.js';
import { readHistory } from '../support/history.js';
import { childStarts } from '../support/hook-worker.js';
import { freePort } from '../support/postgres.js';
import { startWorker } from '../support/worker-process.js';
import { DROPIN, DROPIN_RETRY, useDropin, temporalStart } from './dropin-support.js';

const env = useDropin();

describe('the Rust project example shapes', () => {
  it('builds like plain dbt and runs the file hooks as child workflows with the Rust payload', async () => {
    const { pg, client, worker } = env;
    const [ours, theirs] = [pg.freshSchema('dropin'), pg.freshSchema('dropin_oracle')];
    const input = { project: 'dropin_pg', env: { ...pg.env(ours), DROPIN_LABEL: 'per-run' } };
    const workflowId = await temporalStart(worker.taskQueue, input);
    const output = (await client.client.workflow.getHandle(workflowId).result()) as DbtRunOutput;
    const oracle = await runPlainDbt(DROPIN, ['build'], { ...pg.env(theirs), DROPIN_LABEL: 'per-run' });
    expect(oracle.exitCode).toBe(0);
    expect(output.success).toBe(true);
    expect([...statusMap(output)].sort()).toEqual([...oracle.statuses].sort());
    for (const table of ['customers']) {
      expect(await pg.query(`select * from "${ours}".${table} order by 1`)).toEqual(await pg.query(`select * from "${theirs}".${table} order by 1`));
    }
    // env_var('_') is the run's input as JSON (the Rust shape: every field, with defaults).
    const [[label, runInput]] = (await pg.query(`select label, run_input from "${ours}".labels`)) as [[string, string]];
    expect(label).toBe('per-run');
    expect(JSON.parse(runInput)).toMatchObject({ project: 'dropin_pg', command: 'build', select: null, vars: {}, full_refresh: false, hooks: null, env: input.env, event_time_start: null });

    const { children, firstNodeAt, lastNodeAt } = await childStarts(client, workflowId);
    expect(children.map((c) => c.workflowId)).toEqual([`${workflowId}-hook-pre_run-0-hook_echo`, `${workflowId}-hook-on_success-0-hook_echo`]);
    const [pre, post] = children as [typeof children[0], typeof children[0]];
    expect(pre.at).toBeLessThan(firstNodeAt);
    expect(post.at).toBeGreaterThan(lastNodeAt);
    expect(pre).toMatchObject({ taskQueue: 'dropin-hooks', executionTimeoutSecs: 60 });
    expect(post.executionTimeoutSecs).toBe(300);
    expect(post.parentClosePolicy).not.toBe(pre.parentClosePolicy); // fire-and-forget: abandoned
    expect(pre.input).toMatchObject({ event: 'pre_run', invocation_id: output.invocation_id, input: { project: 'dropin_pg', command: 'build' }, plan: { project: 'dropin_pg' }, output: null });
    expect((pre.input as { plan: { nodes: unknown[] } }).plan.nodes).toHaveLength(output.node_results.length - 1); // all but the hook operation
    expect(post.input).toMatchObject({ event: 'on_success', output: { invocation_id: output.invocation_id, success: true } });
  });

  it('serves a second project by name, with its own settings (no hooks)', async () => {
    const schema = env.pg.freshSchema('dropin_two');
    const res = await env.client.run(env.worker.taskQueue, { project: 'dropin_retry', env: env.pg.env(schema) });
    expect(res.ok, res.message ?? '').toBe(true);
    expect([...statusMap(res.output).keys()].sort()).toEqual(['model.dropin_retry.answer', 'operation.dropin_retry.dropin_retry-on-run-start-0']);
    expect(await env.pg.query(`select answer from "${schema}".answer`)).toEqual([[42]]);
    expect((await childStarts(env.client, res.workflowId)).children).toEqual([]);
  });
});

describe('retry settings', () => {
  const closedPortEnv = async (prefix: string) => ({ ...env.pg.env(env.pg.freshSchema(prefix)), PARITY_PG_PORT: String(await freePort()) });

  it('makes retry.non_retryable_errors permanent and never retries project hooks by default', async () => {
    const res = await env.client.run(env.worker.taskQueue, { project: 'dropin_pg', command: 'run', select: 'customers', hooks: {}, env: await closedPortEnv('refused') });
    expect(res.ok).toBe(false);
    const { activities } = await readHistory(env.client, res.workflowId);
    const attempts = activities.filter((a) => a.activityType !== 'plan_project').map((a) => [a.activityType, a.attempt]);
    expect(attempts).toEqual([['run_project_hooks', 1], ['execute_node', 1]]);
  });

  it('retries on-run-start when retry.project_hooks.on_run_start asks, within the retry budget', async () => {
    const res = await env.client.run(env.worker.taskQueue, { project: 'dropin_retry', env: await closedPortEnv('hookretry') });
    expect(res.ok).toBe(false);
    const { activities } = await readHistory(env.client, res.workflowId);
    expect(activities.filter((a) => a.activityType !== 'plan_project').map((a) => [a.activityType, a.attempt])).toEqual([['run_project_hooks', 2], ['execute_node', 2]]);
  });

  it('stops the worker on a bad dbt_temporal.yml, naming the file and the key', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dropin-bad-'));
    try {
      await cp(DROPIN_RETRY, dir, { recursive: true });
      await writeFile(join(dir, 'dbt_temporal.yml'), 'retry:\n  max_attemps: 2\n');
      const start = startWorker({ ...(process.env as Record<string, string>), TEMPORAL_ADDRESS: inject('temporalAddress'), DBT_PROJECT_DIR: dir });
      await expect(start).rejects.toThrow(/dbt_temporal\.yml: unknown key `retry\.max_attemps` \(did you mean `retry\.max_attempts`\?\)/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
