// Run options on DuckDB: vars (SQL and config()), the microbatch event-time window (parity with
// dbt), and fail_fast (no node is scheduled after a failure). Per-run env isolation is covered
// on Postgres (parity-postgres.test.ts), full_refresh by the parity suites.
import { describe, expect, it } from 'vitest';
import type { DbtRunOutput } from '../../src/shared/contracts.js';
import { duckDbSide } from '../support/duckdb-dump.js';
import { useE2eWorker } from '../support/e2e-worker.js';
import { readHistory } from '../support/history.js';
import { PARITY_FAILING, PARITY_MAIN, parityWorkerEnv } from '../support/parity-fixtures.js';
import { runParitySteps } from '../support/parity-steps.js';
import type { ParitySide } from '../support/parity-steps.js';

const e2e = useE2eWorker('run-options', () => parityWorkerEnv([PARITY_MAIN, PARITY_FAILING]));

function duck(name: string): ParitySide {
  return duckDbSide(e2e.scratch, name);
}

function compiled(output: DbtRunOutput | null, uniqueId: string): string {
  return output?.node_results.find((r) => r.unique_id === uniqueId)?.compiled_code ?? '';
}

describe('run options on DuckDB', () => {
  it.concurrent('applies vars over the project defaults in SQL and in config(), per run', async () => {
    const side = duck('vars');
    const [withVars, without] = await Promise.all([
      e2e.run({ project: 'parity_main', command: 'run', select: 'vars_model', env: side.env,
        vars: { label: 'from_input', max_order_id: 3, vars_alias: 'vars_renamed' } }),
      e2e.run({ project: 'parity_main', command: 'compile', select: 'vars_model', env: duck('novars').env }),
    ]);
    expect(withVars.ok, withVars.message ?? '').toBe(true);
    expect(compiled(withVars.output, 'model.parity_main.vars_model')).toMatch(/'from_input' as label, 3 as max_order_id/);
    expect(compiled(without.output, 'model.parity_main.vars_model')).toMatch(/'default_label' as label, 5 as max_order_id/);
    // config(alias=var(...)): the table is named by the run's vars.
    expect((await side.dump())['main.vars_renamed']).toEqual([['from_input', '3']]);
  }, 600_000);

  it.concurrent('builds only the event-time window of a microbatch model, like dbt --event-time-start/end', async () => {
    const ours = duck('window-ours');
    await runParitySteps(e2e.client, e2e.worker.taskQueue, PARITY_MAIN, [
      { command: 'build', select: 'raw_events events_monthly' },
      { command: 'build', select: 'events_monthly', full_refresh: true, event_time_start: '2026-10-01T00:00:00Z', event_time_end: '2026-11-01T00:00:00Z' },
    ], ours, duck('window-oracle'));
    expect((await ours.dump())['main.events_monthly']?.map((r) => r[0])).toEqual(['3', '4', '5']);
  }, 600_000);

  it.concurrent('with fail_fast, schedules no node after the first failure and skips the rest', async () => {
    const side = duck('failfast');
    const seeded = await e2e.run({ project: 'parity_failing', command: 'seed', env: side.env });
    expect(seeded.ok, seeded.message ?? '').toBe(true);
    const res = await e2e.run({ project: 'parity_failing', command: 'run', fail_fast: true, env: side.env });
    expect(res.ok).toBe(false);
    const statuses = new Map(res.output?.node_results.map((r) => [r.unique_id, r.status]));
    expect(statuses.get('model.parity_failing.bad_syntax')).toBe('error');
    expect(statuses.get('model.parity_failing.bad_child')).toBe('skipped');
    const { activities, workflowTasksCompleted } = await readHistory(e2e.client, res.workflowId);
    const nodes = activities.filter((a) => a.activityType === 'execute_node');
    const failed = nodes.find((a) => a.activityId === 'model:bad_syntax');
    expect(failed, 'bad_syntax ran as an activity').toBeDefined();
    // The first workflow task after the failure closed is where fail_fast takes effect.
    const reacted = workflowTasksCompleted.find((i) => i > (failed?.closedAt ?? Infinity)) ?? Infinity;
    expect(nodes.filter((a) => a.scheduledAt > reacted).map((a) => a.activityId)).toEqual([]);
    // In-flight nodes finish; nodes never scheduled are reported as skipped.
    const scheduled = new Set(nodes.map((a) => a.activityId.replace(/^model:/, 'model.parity_failing.')));
    for (const [id, status] of statuses) {
      if (!scheduled.has(id)) expect(status, id).toBe('skipped');
    }
    for (const a of nodes) expect(a.outcome, a.activityId).not.toBe('open');
  }, 600_000);
});
