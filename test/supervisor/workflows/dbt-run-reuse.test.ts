// dbt_run with reuse decided by the plan (stubbed activities): reused nodes finish at once as
// dbt's `no-op` "reused from <invocation>", never executed, whether or not leases are on.
import { describe, expect, inject, it } from 'vitest';
import type { PlanNode } from '../../../src/shared/plan.js';
import { createStubActivities, planNode, planOf } from '../../support/stub-activities.js';
import { runWithStubs } from '../../support/stub-worker.js';

const reused = (n: PlanNode): PlanNode => ({ ...n, reuse: { action: 'reuse', from: 'inv-1', reason: 'unchanged since inv-1' } });

function project(width: number, depth: number): PlanNode[] {
  const nodes: PlanNode[] = [];
  let prev: PlanNode[] = [];
  for (let d = 0; d < depth; d++) {
    const layer = Array.from({ length: width }, (_, i) => planNode('model', `m_${d}_${i}`, prev));
    nodes.push(...layer, planNode('test', `t_${d}`, [layer[0] as PlanNode]));
    prev = layer;
  }
  return nodes;
}

describe('dbt_run with reuse (stubbed activities)', () => {
  it('finishes a run whose every node is reused, with no leases, executing nothing', async () => {
    const nodes = project(8, 20).map(reused);
    const stubs = createStubActivities(planOf(nodes));
    const run = await runWithStubs(inject('temporalAddress'), stubs.activities, { command: 'build', reuse: true });
    expect(run.failure).toBeNull();
    expect(run.output?.success).toBe(true);
    const results = run.output?.node_results ?? [];
    expect(results).toHaveLength(nodes.length);
    expect(new Set(results.map((r) => r.status))).toEqual(new Set(['no-op']));
    expect(results[0]?.message).toContain('reused from inv-1');
    expect(stubs.calls.nodeInputs).toHaveLength(0);
  });
});
