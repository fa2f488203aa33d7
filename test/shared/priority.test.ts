import { describe, expect, it } from 'vitest';
import type { PlanNode } from '../../src/shared/plan.js';
import { fairnessKey, priorityKeys } from '../../src/shared/priority.js';

const n = (id: string, deps: string[] = []): PlanNode => ({ unique_id: id, name: id, resource_type: 'model', depends_on: deps });

describe('priorityKeys', () => {
  it('puts the start of the longest chain first', () => {
    // a -> b -> c -> d -> e -> f (height 5 at a), x alone.
    const plan = [n('a'), n('x'), n('b', ['a']), n('c', ['b']), n('d', ['c']), n('e', ['d']), n('f', ['e'])];
    const keys = priorityKeys(plan);
    expect(keys.get('a')).toBe(1);
    expect(keys.get('b')).toBe(1);
    expect(keys.get('c')).toBe(2);
    expect(keys.get('e')).toBe(4);
    expect(keys.get('f')).toBe(5);
    expect(keys.get('x')).toBe(5);
  });

  it('weights the chains by measured durations when earlier runs left them', () => {
    const d = (id: string, s: number | undefined, deps: string[] = []): PlanNode => ({ ...n(id, deps), ...(s === undefined ? {} : { duration_s: s }) });
    // Same heights everywhere; the slow chain (s1 -> s2, 10 s each) must start first.
    const plan = [d('a1', 0.1), d('b1', 0.1), d('s1', 10), d('a2', 0.1, ['a1']), d('b2', undefined, ['b1']), d('s2', 10, ['s1'])];
    const keys = priorityKeys(plan);
    expect(keys.get('s1')).toBe(1);
    expect(keys.get('s2')).toBe(3);
    expect(keys.get('a1')).toBe(5);
    // Unmeasured nodes cost the median (0.1 s here).
    expect(keys.get('b1')).toBe(keys.get('a1'));
    // Height alone cannot tell the chains apart.
    const byHeight = priorityKeys(plan.map((p) => n(p.unique_id, p.depends_on)));
    expect(byHeight.get('a1')).toBe(byHeight.get('s1'));
  });

  it('weights the chains by the cost earlier runs reported when the plan carries it, over durations', () => {
    const c = (id: string, s: number, cost: number | undefined, deps: string[] = []): PlanNode => ({ ...n(id, deps), duration_s: s, ...(cost === undefined ? {} : { cost }) });
    // The slow chain (q1 -> q2, 10 s each) scans little; the fast one (b1 -> b2) scans terabytes.
    const plan = [c('q1', 10, 1e6), c('b1', 0.5, 4e12), c('q2', 10, 1e6, ['q1']), c('b2', 0.5, undefined, ['b1'])];
    const byCost = priorityKeys(plan);
    expect(byCost.get('b1')).toBe(1);
    expect(byCost.get('q1')).toBe(5);
    // b2 reported nothing: it weighs the median cost (1e6 here), nothing beside b1's terabytes.
    expect(byCost.get('b2')).toBe(5);
    // The same plan without costs: durations put the slow chain first.
    const byDuration = priorityKeys(plan.map((p) => c(p.unique_id, p.duration_s ?? 0, undefined, p.depends_on)));
    expect(byDuration.get('q1')).toBe(1);
    expect(byDuration.get('b1')).toBe(5);
  });

  it('keeps fairness keys within 64 bytes', () => {
    expect(fairnessKey('x'.repeat(100))).toHaveLength(64);
  });
});
