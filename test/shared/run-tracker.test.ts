// The run bookkeeping without Temporal: scheduling, skips, fail_fast, cancellation, and the
// continue-as-new carry-over of a 1,500-node run.
import { describe, expect, it } from 'vitest';
import type { NodeResult } from '../../src/shared/contracts.js';
import type { ExecutionPlan, PlanNode } from '../../src/shared/plan.js';
import { RunTracker, SKIP_FAIL_FAST, SKIP_UPSTREAM, syntheticResult } from '../../src/shared/run-tracker.js';
import type { CarriedRun } from '../../src/shared/run-tracker.js';

function node(name: string, deps: string[] = []): PlanNode {
  return { unique_id: `model.p.${name}`, name, resource_type: 'model', depends_on: deps.map((d) => `model.p.${d}`) };
}

function plan(nodes: PlanNode[]): ExecutionPlan {
  return { project: 'p', command: 'build', target: null, nodes, has_on_run_start: false, has_on_run_end: false };
}

function ok(id: string): NodeResult {
  return { ...syntheticResult(id, 'success', 'OK'), execution_time: 1.5, compiled_code: `select * from ${id} -- ${'x'.repeat(300)}` };
}

/** A layered synthetic DAG: each node depends on up to two nodes of the previous layer. */
function syntheticDag(count: number, width: number): PlanNode[] {
  const nodes: PlanNode[] = [];
  for (let i = 0; i < count; i++) {
    const layer = Math.floor(i / width);
    const deps = layer === 0 ? [] : [`n${(layer - 1) * width + (i % width)}`, `n${(layer - 1) * width + ((i * 7) % width)}`];
    nodes.push(node(`n${i}`, [...new Set(deps)]));
  }
  return nodes;
}

const start = (p: ExecutionPlan, failFast = false): RunTracker => RunTracker.start(p, { invocationId: 'inv-1', failFast, startedAtMs: 0, maxInFlight: 10 });

describe('RunTracker', () => {
  it('starts nodes when their parents finish and skips everything below a failure', () => {
    const t = start(plan([node('a'), node('b'), node('c', ['a']), node('d', ['c']), node('e', ['b'])]));
    expect(t.take(10).map((n) => n.name)).toEqual(['a', 'b']);
    t.finish(syntheticResult('model.p.a', 'error', 'boom'));
    t.finish(ok('model.p.b'));
    expect(t.take(10).map((n) => n.name)).toEqual(['e']);
    t.finish(ok('model.p.e'));
    expect(t.isDone).toBe(true);
    const byId = new Map(t.resultsInOrder().map((r) => [r.unique_id, r]));
    expect(byId.get('model.p.c')?.message).toBe(SKIP_UPSTREAM);
    expect(byId.get('model.p.d')?.status).toBe('skipped');
    expect(t.status()).toMatchObject({ succeeded: 2, failed: 1, skipped: 2, pending: 0, running: 0, total_levels: 3, completed_levels: 3 });
  });

  it('with fail_fast set after a failure, starts no new node and skips the rest', () => {
    const t = start(plan([node('a'), node('b'), node('c', ['b'])]));
    t.take(10);
    t.finish(syntheticResult('model.p.a', 'error', 'boom'));
    t.failFast = true;
    t.finish(ok('model.p.b'));
    expect(t.take(10)).toEqual([]);
    expect(t.resultsInOrder().at(-1)).toMatchObject({ unique_id: 'model.p.c', status: 'skipped', message: SKIP_FAIL_FAST });
  });

  it('with fail_fast, skips every node it did not run due to fail_fast, below a skipped one too (as dbt)', () => {
    const t = start(plan([node('a'), node('b'), node('c', ['b']), node('d', ['c'])]), true);
    t.take(10);
    t.finish(syntheticResult('model.p.a', 'error', 'boom'));
    t.finish(ok('model.p.b'));
    expect(t.take(10)).toEqual([]);
    const byId = new Map(t.resultsInOrder().map((r) => [r.unique_id, r]));
    expect(byId.get('model.p.c')).toMatchObject({ status: 'skipped', message: SKIP_FAIL_FAST });
    expect(byId.get('model.p.d')).toMatchObject({ status: 'skipped', message: SKIP_FAIL_FAST });
  });

  it('never starts more than the capacity and reports running nodes by label', () => {
    const t = start(plan(syntheticDag(30, 30)));
    expect(t.take(7)).toHaveLength(7);
    expect(t.status()).toMatchObject({ running: 7, pending: 23 });
    expect(t.status().running_nodes[0]).toBe('model:n0');
  });

  it('after a stop request starts nothing new: the rest becomes cancelled', () => {
    const t = start(plan([node('a'), node('b', ['a']), node('c', ['b'])]));
    t.take(10);
    t.stopRequested = true;
    t.finish(ok('model.p.a'));
    expect(t.take(10)).toEqual([]);
    expect(t.isDone).toBe(true);
    expect(t.resultsInOrder().map((r) => r.status)).toEqual(['success', 'cancelled', 'cancelled']);
    expect(t.log.at(-1)).toMatch(/3 of 3 CANCEL model p\.c .*\[CANCELLED\]$/);
  });

  it('marks every node not started as cancelled when the run is cancelled', () => {
    const t = start(plan([node('a'), node('b', ['a']), node('c')]));
    t.take(1);
    t.finish(syntheticResult('model.p.a', 'cancelled', 'cancelled'));
    expect(t.cancelNotStarted('cancelled')).toBe(2);
    expect(t.status()).toMatchObject({ cancelled: 3, pending: 0 });
  });

  it('shows a node paused from Temporal as paused (status, memo, log) until it runs again; a reset is logged', () => {
    const t = start(plan([node('a'), node('b')]));
    t.take(10);
    expect(t.interrupt('model.p.a', 'paused')).toBe(true);
    expect(t.status()).toMatchObject({ running: 2, paused: 1, pending: 0, running_nodes: ['model:b'], paused_nodes: ['model:a'] });
    expect(t.nodeStatusMemo()).toEqual({ nodes: { 'model.p.a': 'paused', 'model.p.b': 'running' } });
    expect(t.log.at(-1)).toMatch(/^1 of 2 PAUSED model p\.a \.+ \[PAUSED from Temporal: waiting for unpause\]$/);
    // Repeats, and reports of nodes not running, change nothing.
    expect(t.interrupt('model.p.a', 'paused')).toBe(false);
    expect(t.interrupt('model.p.b', 'resumed')).toBe(false);
    expect(t.interrupt('model.p.zzz', 'paused')).toBe(false);
    expect(t.interrupt('model.p.a', 'resumed')).toBe(true);
    expect(t.log.at(-1)).toMatch(/^1 of 2 RESUME model p\.a \.+ \[RUN\]$/);
    expect(t.status()).toMatchObject({ running: 2, paused: 0, running_nodes: ['model:a', 'model:b'], paused_nodes: [] });
    expect(t.interrupt('model.p.b', 'reset')).toBe(true);
    expect(t.log.at(-1)).toMatch(/^2 of 2 RESET model p\.b \.+ \[RESET from Temporal: restarting\]$/);
    t.interrupt('model.p.b', 'paused');
    t.finish(ok('model.p.b'));
    expect(t.status()).toMatchObject({ running: 1, paused: 0, paused_nodes: [] });
    expect(t.interrupt('model.p.b', 'paused')).toBe(false);
  });

  it('lists every node in the node_status memo, and only the interesting ones for large runs', () => {
    const small = start(plan([node('a'), node('b')]));
    small.take(1);
    expect(small.nodeStatusMemo()).toEqual({ nodes: { 'model.p.a': 'running', 'model.p.b': 'pending' } });
    const big = start(plan(syntheticDag(1500, 100)));
    for (const n of big.take(100)) big.finish(n.name === 'n3' ? syntheticResult(n.unique_id, 'error', 'x') : ok(n.unique_id));
    const memo = big.nodeStatusMemo(1000);
    expect(memo.truncated).toBe(true);
    expect(memo.nodes['model.p.n3']).toBe('error');
    expect(Object.values(memo.nodes).every((s) => s !== 'pending' && s !== 'success')).toBe(true);
    expect(memo.counts?.success).toBe(99);
    expect(JSON.stringify(memo).length).toBeLessThan(32_000);
  });

  it('carries a 1,500-node run through many continue-as-new segments, each node once', () => {
    const dag = syntheticDag(1500, 60);
    const failing = 'model.p.n130';
    let tracker = start(plan(dag));
    let segments = 0;
    while (!tracker.isDone) {
      // One segment: up to 200 completions with 50 in flight, then drain and carry over as JSON.
      let finished = 0;
      let batch = tracker.take(50);
      while (batch.length > 0 && finished < 200) {
        for (const n of batch) tracker.finish(n.unique_id === failing ? syntheticResult(n.unique_id, 'error', 'boom') : ok(n.unique_id));
        finished += batch.length;
        batch = finished < 200 ? tracker.take(50) : [];
      }
      for (const n of batch) tracker.finish(ok(n.unique_id));
      const carried = JSON.parse(JSON.stringify(tracker.carry())) as CarriedRun;
      tracker = new RunTracker(carried);
      segments += 1;
    }
    expect(segments).toBeGreaterThan(5);
    expect(tracker.segment).toBe(segments);
    const ids = tracker.resultsInOrder().map((r) => r.unique_id);
    expect(new Set(ids).size).toBe(1500);
    expect(ids).toHaveLength(1500);
    const statuses = tracker.status();
    expect(statuses.failed).toBe(1);
    expect(statuses.succeeded + statuses.skipped + statuses.failed).toBe(1500);
    expect(statuses.skipped).toBeGreaterThan(0);
    // The log numbers every node once, 1..N, across all segments.
    const numbers = tracker.log.map((l) => /^\s*(\d+) of 1500 (?:OK|ERROR|SKIP)/.exec(l)?.[1]).filter((n) => n !== undefined).map(Number);
    expect(numbers.sort((a, b) => a - b)).toEqual(Array.from({ length: 1500 }, (_, i) => i + 1));
  });
});
