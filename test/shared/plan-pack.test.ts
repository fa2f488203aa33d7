// A plan's nodes packed for Temporal's payloads (plan_project's result, a continued run's
// carried plan): unpacked, the same plan; packed, a fraction of its size; too large even packed,
// a clear selection error instead of a payload the server refuses.
import { describe, expect, it } from 'vitest';
import type { ExecutionPlan, PlanNode } from '../../src/shared/plan.js';
import { packIfPossible, packPlan, unpackPlan } from '../../src/shared/plan-pack.js';
import { jsonSize } from '../../src/shared/payload-budget.js';
import { fitPlan } from '../../src/supervisor/activities/plan-project.js';
import { createRedactor } from '../../src/supervisor/redact.js';

const planOf = (nodes: PlanNode[]): ExecutionPlan => ({ project: 'p', command: 'build', target: 'dev', nodes, has_on_run_start: false, has_on_run_end: false, warehouse: null });

const nodes: PlanNode[] = [
  { unique_id: 'seed.p.raw', name: 'raw', resource_type: 'seed', depends_on: [], path: 'seeds/raw.csv', reuse: { action: 'reuse', from: 'inv-0', reason: 'unchanged since inv-0' } },
  { unique_id: 'model.p.orders', name: 'orders', resource_type: 'model', depends_on: ['seed.p.raw'], duration_s: 1.5, cost: 12, lease: { relation: '"db"."s"."orders"', reuse: true, inputs: { self: 'abc', parents: ['seed.p.raw'] } }, reuse: { action: 'build', reason: 'changed: sql', recorded: true } },
  { unique_id: 'model.p.dim.v2', name: 'dim', resource_type: 'model', depends_on: ['model.p.orders'], reuse: { action: 'reuse', from: 'inv-1', reason: 'unchanged since inv-1' } },
  { unique_id: 'test.p.unique_orders_id.1a2b3c', name: 'unique_orders_id', resource_type: 'test', depends_on: ['model.p.orders', 'model.p.dim.v2'] },
  { unique_id: 'unit_test.p.orders.test_totals', name: 'test_totals', resource_type: 'unit_test', depends_on: ['model.p.orders'] },
  { unique_id: 'model.p.odd', name: 'odd', resource_type: 'model', depends_on: [], reuse: { action: 'reuse', from: 'inv-0', reason: 'something else' } },
  { unique_id: 'model.p.first', name: 'first', resource_type: 'model', depends_on: [], reuse: { action: 'build', reason: 'no earlier build recorded' }, lease: { relation: '"db"."s"."first"', reuse: false } },
  { unique_id: 'model.p.older', name: 'older', resource_type: 'model', depends_on: [], reuse: { action: 'build', reason: 'x', fp: 'f', parts: { sql: 's' } }, lease: { relation: '"db"."s"."older"', reuse: true, inputs: { self: 'd', parents: ['model.p.gone'] } } },
];

/** A 200-node layered plan with reuse decisions and leases, as a reuse run's plan looks. */
function layered(count: number): PlanNode[] {
  const out: PlanNode[] = [];
  for (let i = 0; i < count; i++) {
    const id = `model.bench.m_${Math.floor(i / 8)}_${i % 8}`;
    const deps = i < 8 ? [] : [out[i - 8]?.unique_id as string, out[i - 8 + ((i + 1) % 8) - (i % 8)]?.unique_id as string];
    out.push({
      unique_id: id, name: id.split('.')[2] as string, resource_type: 'model', depends_on: [...new Set(deps)], path: `models/l${Math.floor(i / 8)}/${id.split('.')[2] as string}.sql`,
      lease: { relation: `"wh"."main"."${id.split('.')[2] as string}"`, reuse: true },
      reuse: { action: 'reuse', from: '0b1f6c1e-8a8e-4b55-9d1e-3f3c0c7f9a10', reason: 'unchanged since 0b1f6c1e-8a8e-4b55-9d1e-3f3c0c7f9a10' },
    });
  }
  return out;
}

describe('packed plans', () => {
  it('unpack to the same plan: names, types, parents, reuse decisions, leases and the rest', () => {
    const plan = { ...planOf(nodes), coordination: { leases: true, scope: 'dev', admission: null } };
    const packed = packPlan(plan);
    expect(packed.nodes).toEqual([]);
    expect(packed.packed_nodes?.inv).toEqual(['inv-0', 'inv-1']);
    expect(unpackPlan(JSON.parse(JSON.stringify(packed)) as ExecutionPlan)).toEqual(plan);
  });

  it('leave a plain plan (an older worker\'s) as it is, and a plan with a parent outside it plain', () => {
    const plan = planOf(nodes);
    expect(unpackPlan(plan)).toBe(plan);
    const outside = planOf([{ unique_id: 'model.p.a', name: 'a', resource_type: 'model', depends_on: ['model.p.elsewhere'] }]);
    expect(packIfPossible(outside)).toBe(outside);
    expect(packPlan(packPlan(plan))).toEqual(packPlan(plan));
  });

  it('take about a third of the plain size on a reuse run\'s plan', () => {
    const plan = planOf(layered(200));
    const ratio = jsonSize(packPlan(plan)) / jsonSize(plan);
    expect(ratio).toBeLessThan(0.45);
    expect(unpackPlan(packPlan(plan))).toEqual(plan);
  });

  it('keep their ids through the activity result\'s redaction, with text still redacted (a short password that is part of a project name)', () => {
    const redact = createRedactor(['bench']);
    const plan = { ...planOf(layered(16)), manifest_path: '/tmp/bench/store/inv/manifest.json', reuse_records: '/tmp/bench/store/inv/reuse-records.json' };
    plan.nodes[9] = { ...plan.nodes[9] as PlanNode, reuse: { action: 'build', reason: 'compile failed: password bench rejected', recorded: true } };
    // As plan_project returns it, then as the failure-hygiene interceptor redacts every result.
    const sent = redact.data(fitPlan(plan, true, redact));
    const back = unpackPlan(JSON.parse(JSON.stringify(sent)) as ExecutionPlan);
    expect(back.nodes.map((n) => n.unique_id)).toEqual(plan.nodes.map((n) => n.unique_id));
    expect(back.nodes.map((n) => n.depends_on)).toEqual(plan.nodes.map((n) => n.depends_on));
    expect(back.reuse_records).toBe(plan.reuse_records);
    expect(back.nodes[9]?.reuse?.reason).toBe('compile failed: password *** rejected');
  });

  it('fit a plan too large plain when packed, and refuse one too large even packed with a selection error', () => {
    const big = planOf(layered(6000));
    expect(jsonSize(big)).toBeGreaterThan(1_500_000);
    expect(() => fitPlan(big, false)).toThrow(/the plan of 6000 selected nodes is .* MB, more than one Temporal payload holds/);
    expect(unpackPlan(fitPlan(big, true)).nodes).toHaveLength(6000);
    let failure: unknown;
    try {
      fitPlan(planOf(layered(30000)), true);
    } catch (err) {
      failure = err;
    }
    expect(failure).toMatchObject({ type: 'SELECTION_ERROR', nonRetryable: true, message: expect.stringMatching(/select fewer nodes/) as unknown });
  });
});
