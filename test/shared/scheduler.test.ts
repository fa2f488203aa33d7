import { describe, expect, it } from 'vitest';
import type { PlanNode } from '../../src/shared/plan.js';
import { DagScheduler } from '../../src/shared/scheduler.js';

const node = (id: string, deps: string[] = []): PlanNode => ({ unique_id: id, name: id, resource_type: 'model', depends_on: deps });

describe('DagScheduler', () => {
  it('starts a node as soon as its own upstream nodes are done, not a whole level', () => {
    // a -> b ; c (slow) -> d. When a finishes, b may start even though c is still running.
    const s = new DagScheduler([node('a'), node('c'), node('b', ['a']), node('d', ['c'])]);
    expect(s.takeReady().map((n) => n.unique_id)).toEqual(['a', 'c']);
    s.complete('a', 'success');
    expect(s.takeReady().map((n) => n.unique_id)).toEqual(['b']);
    s.complete('c', 'success');
    expect(s.takeReady().map((n) => n.unique_id)).toEqual(['d']);
  });

  it('blocks every downstream node of a failure, transitively, but not a warn', () => {
    const s = new DagScheduler([node('a'), node('w'), node('b', ['a']), node('c', ['b']), node('x', ['w'])]);
    s.takeReady();
    s.complete('a', 'error');
    s.complete('w', 'warn');
    const ready = s.takeReady().map((n) => n.unique_id);
    expect(ready).toEqual(['b', 'x']);
    expect(s.isBlocked('b')).toBe(true);
    expect(s.isBlocked('x')).toBe(false);
    s.complete('b', 'skipped');
    expect(s.takeReady().map((n) => n.unique_id)).toEqual(['c']);
    expect(s.isBlocked('c')).toBe(true);
  });

  it('treats a failing test as blocking, like dbt build', () => {
    const s = new DagScheduler([node('t'), node('child', ['t'])]);
    s.takeReady();
    s.complete('t', 'fail');
    s.takeReady();
    expect(s.isBlocked('child')).toBe(true);
  });

  it('reports completion and never-started nodes', () => {
    const s = new DagScheduler([node('a'), node('b', ['a'])]);
    s.takeReady();
    expect(s.pending().map((n) => n.unique_id)).toEqual(['b']);
    s.complete('a', 'success');
    s.takeReady();
    s.complete('b', 'success');
    expect(s.done).toBe(true);
  });
});
