// dbt_run's continue-as-new with stubbed activities: the run drains and continues as new when the
// server suggests it (workflowInfo().continueAsNewSuggested), which the dev server does once a
// history passes its default count limit (4,096 events): every node activity adds at least 3
// events, so a DAG of 1,800 nodes cannot finish in one execution (at most ~1,365 + 200 in flight).
// The run carries its state, never re-plans or re-runs a node, keeps skipping what a failure
// blocked, and ends with one output holding every node once.
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { RUN_FAILED_ERROR_TYPE } from '../../../src/shared/names.js';
import type { PlanNode } from '../../../src/shared/plan.js';
import { SKIP_UPSTREAM } from '../../../src/shared/run-tracker.js';
import { createStubActivities, hookResult, planNode, planOf } from '../../support/stub-activities.js';
import type { StubCalls } from '../../support/stub-activities.js';
import { runWithStubs } from '../../support/stub-worker.js';
import type { StubRunResult } from '../../support/stub-worker.js';

/** Layers of WIDTH models; each model refs two models of the layer above. */
const WIDTH = 50;
const LAYERS = 36;

function layeredNodes(): PlanNode[] {
  const nodes: PlanNode[] = [];
  for (let layer = 0; layer < LAYERS; layer++) {
    for (let i = 0; i < WIDTH; i++) {
      const above = layer === 0 ? [] : [nodes[(layer - 1) * WIDTH + i], nodes[(layer - 1) * WIDTH + ((i + 1) % WIDTH)]] as PlanNode[];
      nodes.push(planNode('model', `m_${layer}_${i}`, above));
    }
  }
  return nodes;
}

const layered = layeredNodes();
// A root that fails in the first execution, and a node that becomes ready only once every
// layered model is done, so in the last execution: it must still be skipped.
const broken = planNode('model', 'broken');
const afterAll = planNode('model', 'after_all', [broken, ...layered.slice(-WIDTH)]);
const NODES = [broken, ...layered, afterAll];
const sortedIds = (nodes: readonly { unique_id: string }[]) => nodes.map((n) => n.unique_id).sort();

describe('dbt_run continue-as-new (stubbed activities)', () => {
  let run: StubRunResult;
  let calls: StubCalls;

  beforeAll(async () => {
    // The on-run-start hook fails too: its error must reach the end of the run.
    const stubs = createStubActivities(planOf(NODES, { start: true, end: true }), { [broken.unique_id]: { status: 'error' } }, { hookStatus: { start: 'error' } });
    calls = stubs.calls;
    run = await runWithStubs(inject('temporalAddress'), stubs.activities, { command: 'build' });
  });

  it('continues a long run as new: node activities come from more than one execution', () => {
    expect(calls.nodeRunIds.size).toBeGreaterThan(1);
    expect(calls.nodeRunIds.has(run.firstExecutionRunId)).toBe(true);
  });

  it('ends with one output holding every node once, still skipping what a failure of the first execution blocked', () => {
    expect(run.failure?.type).toBe(RUN_FAILED_ERROR_TYPE);
    expect(run.failure?.message).toContain(broken.unique_id);
    expect(run.output).toMatchObject({ invocation_id: run.firstExecutionRunId, success: false });
    const results = (run.output?.node_results ?? []).filter((r) => r.unique_id.startsWith('model.'));
    expect(sortedIds(results)).toEqual(sortedIds(NODES));
    const byId = new Map(results.map((r) => [r.unique_id, r]));
    expect(byId.get(broken.unique_id)?.status).toBe('error');
    expect(byId.get(afterAll.unique_id)).toMatchObject({ status: 'skipped', message: SKIP_UPSTREAM });
    expect(layered.filter((n) => byId.get(n.unique_id)?.status !== 'success')).toEqual([]);
  });

  it('never re-plans or re-runs a node, and keeps dependencies across executions', () => {
    expect(calls.plans).toHaveLength(1);
    expect(sortedIds(calls.nodeInputs)).toEqual(sortedIds([broken, ...layered]));
    expect(new Set(calls.nodeInputs.map((i) => i.invocation_id))).toEqual(new Set([run.firstExecutionRunId]));
    const position = new Map(calls.log.map((entry, i) => [entry, i]));
    const late = layered.flatMap((node) => node.depends_on.filter((parent) => (position.get(`end ${parent}`) ?? Infinity) > (position.get(`start ${node.unique_id}`) ?? -1)));
    expect(late).toEqual([]);
  });

  it('runs each project hook once, stores artifacts once, keeps the hook error and reports one run', () => {
    expect(calls.hooks.map((h) => h.phase)).toEqual(['start', 'end']);
    expect(sortedIds(calls.hooks[1]?.results ?? [])).toEqual(sortedIds(NODES));
    expect(run.output?.hook_errors.map((e) => e.event)).toEqual(['on_run_start']);
    expect(run.output?.node_results.at(-1)?.unique_id).toBe(hookResult('end').unique_id);
    expect(calls.stored).toHaveLength(1);
    expect(calls.released).toEqual([run.firstExecutionRunId]);
    expect(run.metrics).toEqual(['started build', 'finished build failed']);
  });

  // The on-run-start results travel with the carried run: the output and run_results.json of a
  // continued run keep them, and a run whose only failure is its on-run-start hook still fails.
  it('keeps the on-run-start hook result in the output and the artifacts across continue-as-new', () => {
    const start = hookResult('start', 'error');
    expect(run.output?.node_results[0]).toMatchObject({ unique_id: start.unique_id, status: 'error' });
    expect(calls.stored[0]?.results[0]).toMatchObject({ unique_id: start.unique_id, status: 'error' });
  });
});
