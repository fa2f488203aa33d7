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

  it('keeps fairness keys within 64 bytes', () => {
    expect(fairnessKey('x'.repeat(100))).toHaveLength(64);
  });
});
