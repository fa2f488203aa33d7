// dbt_run's scheduling with stubbed activities: a node starts only once all its parents have
// finished, and as soon as they have (no level barriers); independent nodes run at once; the
// project hooks wrap the nodes; the output reports every node with dbt's statuses.
import { describe, expect, inject, it } from 'vitest';
import type { PlanNode } from '../../../src/shared/plan.js';
import { at, createStubActivities, hookResult, planNode, planOf, STUB_PROJECT } from '../../support/stub-activities.js';
import { runWithStubs } from '../../support/stub-worker.js';

const rawOrders = planNode('seed', 'raw_orders');
const rawCustomers = planNode('seed', 'raw_customers');
const stgOrders = planNode('model', 'stg_orders', [rawOrders]);
const stgCustomers = planNode('model', 'stg_customers', [rawCustomers]);
const notNullStgOrders = planNode('test', 'not_null_stg_orders_id', [stgOrders]);
const customers = planNode('model', 'customers', [stgOrders, stgCustomers]);
const uniqueCustomers = planNode('test', 'unique_customers_id', [customers]);
const dashboard = planNode('exposure', 'dashboard', [customers]);
const NODES: PlanNode[] = [rawOrders, rawCustomers, stgOrders, stgCustomers, notNullStgOrders, customers, uniqueCustomers, dashboard];
const EXECUTED = NODES.filter((n) => n !== dashboard);

describe('dbt_run scheduling (stubbed activities)', () => {
  it('starts each node after all its parents, runs independent nodes together, and reports every node', async () => {
    const plan = planOf(NODES, { start: true, end: true });
    const stubs = createStubActivities(plan, {
      // Each gate only opens if the workflow starts the other node meanwhile: two seeds in flight
      // at once, and a test of one branch while a model of the other branch still runs.
      [rawOrders.unique_id]: { before: () => stubs.calls.started(rawCustomers.unique_id) },
      [stgCustomers.unique_id]: { before: () => stubs.calls.started(notNullStgOrders.unique_id) },
    });
    const { calls } = stubs;
    const run = await runWithStubs(inject('temporalAddress'), stubs.activities, { command: 'build', select: 'stub+', target: 'dev', vars: { day: '2024-01-01' } });

    expect(run.failure).toBeNull();
    const output = run.output;
    expect(output).toMatchObject({ invocation_id: run.firstExecutionRunId, project: STUB_PROJECT, command: 'build', success: true, skipped: false, hook_errors: [] });

    // Every node executed exactly once, each after every one of its parents had ended.
    const executed = calls.nodeInputs.map((i) => i.unique_id);
    expect([...executed].sort()).toEqual(EXECUTED.map((n) => n.unique_id).sort());
    for (const node of EXECUTED) {
      for (const parent of node.depends_on) {
        expect(at(calls, `end ${parent}`), `${parent} ends before ${node.unique_id} starts`).toBeLessThan(at(calls, `start ${node.unique_id}`));
      }
    }
    // Independent nodes overlapped; a ready node did not wait for the rest of its level.
    expect(calls.maxConcurrent).toBeGreaterThan(1);
    expect(at(calls, `start ${rawCustomers.unique_id}`)).toBeLessThan(at(calls, `end ${rawOrders.unique_id}`));
    expect(at(calls, `start ${notNullStgOrders.unique_id}`)).toBeLessThan(at(calls, `end ${stgCustomers.unique_id}`));

    // dbt's statuses: models and seeds `success`, tests `pass`, the exposure `no-op` without an activity.
    const statuses = Object.fromEntries((output?.node_results ?? []).map((r) => [r.unique_id, r.status]));
    expect(statuses).toEqual({
      ...Object.fromEntries(EXECUTED.map((n) => [n.unique_id, n.resource_type === 'test' ? 'pass' : 'success'])),
      [dashboard.unique_id]: 'no-op',
      [hookResult('start').unique_id]: 'success',
      [hookResult('end').unique_id]: 'success',
    });
    // Hook results wrap the nodes' results, as in dbt's run_results.json.
    expect(output?.node_results[0]?.unique_id).toBe(hookResult('start').unique_id);
    expect(output?.node_results.at(-1)?.unique_id).toBe(hookResult('end').unique_id);
  });

  it('sends each node the run settings, runs the project hooks around the nodes, then releases and stores once', async () => {
    const plan = planOf(NODES, { start: true, end: true });
    const stubs = createStubActivities(plan);
    const { calls } = stubs;
    const run = await runWithStubs(inject('temporalAddress'), stubs.activities, { command: 'build', target: 'dev', vars: { day: '2024-01-01' }, full_refresh: true });
    expect(run.failure).toBeNull();

    expect(calls.plans).toHaveLength(1);
    expect(calls.plans[0]).toMatchObject({ invocation_id: run.firstExecutionRunId, request: { command: 'build', target: 'dev', env: {} } });
    for (const input of calls.nodeInputs) {
      expect(input).toMatchObject({ project: STUB_PROJECT, target: 'dev', vars: { day: '2024-01-01' }, full_refresh: true, command: 'build', invocation_id: run.firstExecutionRunId });
      expect(Number.isNaN(Date.parse(input.run_started_at ?? ''))).toBe(false);
    }

    // on-run-start before the first node, on-run-end after the last with every node's result.
    const nodeEntries = calls.log.map((entry, i) => (entry.startsWith('start ') || entry.startsWith('end ') ? i : -1)).filter((i) => i >= 0);
    expect(calls.hooks.map((h) => h.phase)).toEqual(['start', 'end']);
    expect(at(calls, 'hooks start')).toBeLessThan(Math.min(...nodeEntries));
    expect(at(calls, 'hooks end')).toBeGreaterThan(Math.max(...nodeEntries));
    expect(calls.hooks[1]?.results.map((r) => r.unique_id).sort()).toEqual(NODES.map((n) => n.unique_id).sort());

    // The engines are released after on-run-end, once; artifacts stored once with the output's results.
    expect(calls.released).toEqual([run.firstExecutionRunId]);
    expect(at(calls, 'release')).toBeGreaterThan(at(calls, 'hooks end'));
    expect(calls.stored).toHaveLength(1);
    expect(calls.stored[0]?.results.map((r) => r.unique_id)).toEqual(run.output?.node_results.map((r) => r.unique_id));
    expect(run.output?.artifacts?.run_results_path).toBe(`stub://${run.firstExecutionRunId}/run_results.json`);
    expect(run.metrics).toEqual(['started build', 'finished build success']);
  });
});
