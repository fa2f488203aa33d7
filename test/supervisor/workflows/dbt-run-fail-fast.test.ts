// dbt_run's fail_fast with stubbed activities: after the first failure no new node starts; nodes
// already running finish, every other node is `skipped` as dbt reports it; without fail_fast the
// same failure skips only what is downstream of it.
import { describe, expect, inject, it } from 'vitest';
import { RUN_FAILED_ERROR_TYPE } from '../../../src/shared/names.js';
import type { PlanNode } from '../../../src/shared/plan.js';
import { SKIP_FAIL_FAST, SKIP_UPSTREAM } from '../../../src/shared/run-tracker.js';
import { at, createStubActivities, planNode, planOf, untilRunReportsFailures } from '../../support/stub-activities.js';
import { runWithStubs } from '../../support/stub-worker.js';

const broken = planNode('model', 'broken');
const slow = planNode('model', 'slow');
const afterSlow = planNode('model', 'after_slow', [slow]);
const testSlow = planNode('test', 'not_null_slow_id', [slow]);
const leaf = planNode('model', 'leaf', [afterSlow]);
const afterBroken = planNode('model', 'after_broken', [broken]);
const NODES: PlanNode[] = [broken, slow, afterSlow, testSlow, leaf, afterBroken];

/** Both roots start together; `broken` fails while `slow` runs, and `slow` ends only once the run has recorded that failure. */
function failingRunStubs() {
  const made = createStubActivities(planOf(NODES), {
    [broken.unique_id]: { status: 'error', before: () => made.calls.started(slow.unique_id) },
    [slow.unique_id]: { before: () => untilRunReportsFailures(1) },
  });
  return made;
}

const ids = (nodes: readonly PlanNode[]) => nodes.map((n) => n.unique_id).sort();

describe('dbt_run fail_fast (stubbed activities)', () => {
  it('starts no node after the first failure and reports every node not run as skipped (fail_fast)', async () => {
    const stubs = failingRunStubs();
    const run = await runWithStubs(inject('temporalAddress'), stubs.activities, { command: 'build', fail_fast: true });
    const { calls } = stubs;

    // Only the two roots ran; nothing started after the broken model ended.
    expect(calls.nodeInputs.map((i) => i.unique_id).sort()).toEqual(ids([broken, slow]));
    const firstFailureAt = at(calls, `end ${broken.unique_id}`);
    expect(calls.log.slice(firstFailureAt).filter((entry) => entry.startsWith('start '))).toEqual([]);

    expect(run.failure?.type).toBe(RUN_FAILED_ERROR_TYPE);
    expect(run.failure?.message).toContain(broken.unique_id);
    expect(run.output?.success).toBe(false);
    const byId = new Map((run.output?.node_results ?? []).map((r) => [r.unique_id, r]));
    expect([...byId.keys()].sort()).toEqual(ids(NODES));
    expect(byId.get(broken.unique_id)?.status).toBe('error');
    // The node already in flight finished normally.
    expect(byId.get(slow.unique_id)?.status).toBe('success');
    for (const node of [afterSlow, testSlow, leaf, afterBroken]) {
      expect(byId.get(node.unique_id), node.unique_id).toMatchObject({ status: 'skipped', message: SKIP_FAIL_FAST });
    }
    expect(run.metrics).toEqual(['started build', 'finished build failed']);
  });

  it('without fail_fast runs everything not downstream of the failure', async () => {
    const stubs = failingRunStubs();
    const run = await runWithStubs(inject('temporalAddress'), stubs.activities, { command: 'build' });

    expect(stubs.calls.nodeInputs.map((i) => i.unique_id).sort()).toEqual(ids([broken, slow, afterSlow, testSlow, leaf]));
    expect(run.failure?.type).toBe(RUN_FAILED_ERROR_TYPE);
    const statuses = Object.fromEntries((run.output?.node_results ?? []).map((r) => [r.unique_id, [r.status, r.message]]));
    expect(statuses).toEqual({
      [broken.unique_id]: ['error', `Runtime Error in ${broken.unique_id}`],
      [slow.unique_id]: ['success', 'OK'],
      [afterSlow.unique_id]: ['success', 'OK'],
      [testSlow.unique_id]: ['pass', 'OK'],
      [leaf.unique_id]: ['success', 'OK'],
      [afterBroken.unique_id]: ['skipped', SKIP_UPSTREAM],
    });
  });
});
