// Lifecycle hooks as the Rust dbt-temporal defines them, given in the run input (which replaces
// the file's hooks): a pre_run skip, extra_env, on_error fail / warn / ignore, fire-and-forget.
import { describe, expect, it } from 'vitest';
import { childStarts } from '../support/hook-worker.js';
import { closedStatus, echo, useDropin } from './dropin-support.js';

const env = useDropin();

const run = (input: Record<string, unknown>) => env.client.run(env.worker.taskQueue, { project: 'dropin_pg', env: env.pg.env(env.pg.freshSchema('hooks')), ...input });

describe('lifecycle hooks', () => {
  it('skips the whole run when a pre_run hook returns {skip: true}', async () => {
    const res = await run({ hooks: { pre_run: [echo({ input: { return: { skip: true, reason: 'no new data' } } }), echo()] } });
    expect(res.ok, res.message ?? '').toBe(true);
    expect(res.output).toMatchObject({ success: true, skipped: true, skip_reason: 'no new data', node_results: [], hook_errors: [] });
    const { children, firstNodeAt } = await childStarts(env.client, res.workflowId);
    expect(children).toHaveLength(1); // the hooks after a skip do not run
    expect(firstNodeAt).toBe(-1);
  });

  it("merges a pre_run hook's extra_env into the run's env; warn failures land in hook_errors, ignore ones nowhere", async () => {
    const schema = env.pg.freshSchema('extra');
    const res = await env.client.run(env.worker.taskQueue, {
      project: 'dropin_pg', select: '+labels', env: env.pg.env(schema),
      hooks: {
        pre_run: [echo({ input: { return: { extra_env: { DROPIN_LABEL: 'from-hook', IGNORED: 1 } } } })],
        on_success: [echo({ input: { error: 'warned' } }), echo({ on_error: 'ignore', input: { error: 'ignored' } }), echo({ fire_and_forget: true, input: { error: 'late', sleep_ms: 1000 } })],
      },
    });
    expect(res.ok, res.message ?? '').toBe(true);
    expect(await env.pg.query(`select label from "${schema}".labels`)).toEqual([['from-hook']]);
    expect(res.output?.hook_errors).toEqual([{ hook_workflow_type: 'hook_echo', event: 'on_success', error: expect.stringMatching(/warned/) }]);
    // The fire-and-forget child runs on its own and fails after the parent completed.
    expect(await closedStatus(env.client, `${res.workflowId}-hook-on_success-2-hook_echo`)).toBe('FAILED');
  });

  it('fails the run when an on_error: fail hook fails, with the output kept', async () => {
    const res = await run({ command: 'run', select: 'customers', hooks: { on_success: [echo({ on_error: 'fail', input: { error: 'stop here' } })] } });
    expect(res.ok).toBe(false);
    expect(res.errorType).toBe('DbtRunFailed');
    expect(res.message).toMatch(/hook 'hook_echo' \(on_success\) failed: .*stop here/);
    expect(res.output?.success).toBe(false);
    expect(res.output?.node_results.find((r) => r.unique_id === 'model.dropin_pg.customers')?.status).toBe('success');
  });

  it('aborts before any node when a pre_run hook with on_error: fail fails', async () => {
    const res = await run({ hooks: { pre_run: [echo({ on_error: 'fail', input: { error: 'not ready' } })] } });
    expect(res.errorType).toBe('DbtRunFailed');
    expect(res.message).toMatch(/hook 'hook_echo' \(pre_run\) failed: .*not ready/);
    expect((await childStarts(env.client, res.workflowId)).firstNodeAt).toBe(-1);
  });

  it("disables the file's hooks with hooks: {}", async () => {
    const res = await run({ command: 'run', select: 'customers', hooks: {} });
    expect(res.ok, res.message ?? '').toBe(true);
    expect((await childStarts(env.client, res.workflowId)).children).toEqual([]);
  });
});
