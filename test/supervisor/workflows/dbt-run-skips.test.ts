// dbt_run's failures with stubbed activities: a failed node skips everything downstream (dbt's
// `skipped`, never executed) while independent branches go on, and the run fails with the
// complete DbtRunOutput as its failure's details.
import { describe, expect, inject, it } from 'vitest';
import type { PlanNode } from '../../../src/shared/plan.js';
import { RUN_FAILED_ERROR_TYPE } from '../../../src/shared/names.js';
import { SKIP_UPSTREAM } from '../../../src/shared/run-tracker.js';
import { createStubActivities, planNode, planOf, STUB_PROJECT } from '../../support/stub-activities.js';
import { runWithStubs } from '../../support/stub-worker.js';

const raw = planNode('seed', 'raw');
const stgA = planNode('model', 'stg_a', [raw]);
const stgB = planNode('model', 'stg_b', [raw]);
const notNullA = planNode('test', 'not_null_stg_a_id', [stgA]);
const notNullB = planNode('test', 'not_null_stg_b_id', [stgB]);
const martAb = planNode('model', 'mart_ab', [stgA, stgB]);
const final = planNode('model', 'final', [martAb]);
const NODES: PlanNode[] = [raw, stgA, stgB, notNullA, notNullB, martAb, final];
const DOWNSTREAM_OF_A = [notNullA, martAb, final];

const ids = (nodes: readonly PlanNode[]) => nodes.map((n) => n.unique_id).sort();

describe('dbt_run skips downstream of a failure (stubbed activities)', () => {
  it('reports nodes downstream of an `error` model as skipped, never executes them, and fails with the whole output', async () => {
    const stubs = createStubActivities(planOf(NODES), { [stgA.unique_id]: { status: 'error' } });
    const run = await runWithStubs(inject('temporalAddress'), stubs.activities, { command: 'build' });

    // The run failed as DbtRunFailed, naming the failed node; its details are the full output.
    expect(run.failure?.type).toBe(RUN_FAILED_ERROR_TYPE);
    expect(run.failure?.nonRetryable).toBe(true);
    expect(run.failure?.message).toContain(stgA.unique_id);
    expect(run.output).toMatchObject({ invocation_id: run.firstExecutionRunId, project: STUB_PROJECT, command: 'build', success: false, skipped: false });
    const results = run.output?.node_results ?? [];
    expect(results.map((r) => r.unique_id).sort()).toEqual(ids(NODES));

    const byId = new Map(results.map((r) => [r.unique_id, r]));
    expect(byId.get(stgA.unique_id)).toMatchObject({ status: 'error', message: `Runtime Error in ${stgA.unique_id}` });
    for (const node of DOWNSTREAM_OF_A) expect(byId.get(node.unique_id)).toMatchObject({ status: 'skipped', message: SKIP_UPSTREAM, execution_time: 0 });
    // The branch that does not depend on the failure still ran.
    for (const node of [raw, stgB]) expect(byId.get(node.unique_id)?.status).toBe('success');
    expect(byId.get(notNullB.unique_id)?.status).toBe('pass');

    // Skipped nodes were never executed; the failed run still stored its artifacts and released its engines.
    expect(stubs.calls.nodeInputs.map((i) => i.unique_id).sort()).toEqual(ids([raw, stgA, stgB, notNullB]));
    expect(stubs.calls.stored[0]?.results.map((r) => r.status).sort()).toEqual(results.map((r) => r.status).sort());
    expect(run.output?.artifacts?.run_results_path).toBe(`stub://${run.firstExecutionRunId}/run_results.json`);
    expect(stubs.calls.released).toEqual([run.firstExecutionRunId]);
    expect(run.metrics).toEqual(['started build', 'finished build failed']);
  });

  it('takes a failing activity\'s node result from its details, and reports any other activity failure as `error`', async () => {
    const stubs = createStubActivities(planOf(NODES), {
      // As execute_node fails for a dbt error: a non-retryable failure carrying dbt's result.
      [stgA.unique_id]: { fail: { type: 'DBT_DATABASE_ERROR', message: 'Database Error in model stg_a: table not found', withResult: true } },
      [stgB.unique_id]: { fail: { type: 'DBT_ENGINE_ERROR', message: 'engine crashed' } },
    });
    const run = await runWithStubs(inject('temporalAddress'), stubs.activities, { command: 'build' });

    expect(run.failure?.type).toBe(RUN_FAILED_ERROR_TYPE);
    const byId = new Map((run.output?.node_results ?? []).map((r) => [r.unique_id, r]));
    expect(byId.get(stgA.unique_id)).toMatchObject({ status: 'error', message: 'Database Error in model stg_a: table not found', execution_time: 0.01 });
    expect(byId.get(stgB.unique_id)).toMatchObject({ status: 'error', message: 'DBT_ENGINE_ERROR: engine crashed' });
    for (const node of [notNullA, notNullB, martAb, final]) expect(byId.get(node.unique_id)?.status).toBe('skipped');
    expect(stubs.calls.nodeInputs.map((i) => i.unique_id).sort()).toEqual(ids([raw, stgA, stgB]));
    expect(run.failure?.message).toContain(stgA.unique_id);
    expect(run.failure?.message).toContain(stgB.unique_id);
  });

  it('fails the run when a test fails, skipping what depends on it', async () => {
    const gate = planNode('model', 'after_test', [notNullB]);
    const nodes = [...NODES, gate];
    const stubs = createStubActivities(planOf(nodes), { [notNullB.unique_id]: { status: 'fail' } });
    const run = await runWithStubs(inject('temporalAddress'), stubs.activities, { command: 'build' });

    expect(run.failure?.type).toBe(RUN_FAILED_ERROR_TYPE);
    const statuses = Object.fromEntries((run.output?.node_results ?? []).map((r) => [r.unique_id, r.status]));
    expect(statuses).toEqual({
      [raw.unique_id]: 'success', [stgA.unique_id]: 'success', [stgB.unique_id]: 'success', [notNullA.unique_id]: 'pass',
      [notNullB.unique_id]: 'fail', [martAb.unique_id]: 'success', [final.unique_id]: 'success', [gate.unique_id]: 'skipped',
    });
    expect(stubs.calls.nodeInputs.map((i) => i.unique_id)).not.toContain(gate.unique_id);
  });
});
