// The lease rules the dbt_lease workflow applies: arrival order, capacity, idempotent requests,
// what a release or a dead holder leaves behind, and when a waiting node may reuse a build.
import { describe, expect, it } from 'vitest';
import { acquire, dropHolder, emptyLease, grantOf, isIdle, leaseWorkflowId, release, reusableBuild, splitParts, switched, toContend } from '../../src/shared/leases.js';
import type { BuildRecord, LeaseRequest } from '../../src/shared/leases.js';

const req = (id: string, holder: string, capacity = 1): LeaseRequest => ({ id, holder, capacity, label: `model:${id}` });
const ids = (rs: LeaseRequest[]): string[] => rs.map((r) => r.id);

describe('lease state', () => {
  it('grants one holder at a time in arrival order, and the next on release', () => {
    const s = emptyLease('pg/"db"."s"."orders"');
    expect(ids(acquire(s, req('a', 'run-a'), 0))).toEqual(['a']);
    expect(ids(acquire(s, req('b', 'run-b'), 10))).toEqual([]);
    expect(ids(acquire(s, req('c', 'run-c'), 20))).toEqual([]);
    const granted = release(s, { id: 'a', outcome: { kind: 'untouched' } }, 110);
    expect(ids(granted)).toEqual(['b']);
    const g = grantOf(s, granted[0] as LeaseRequest, 110);
    expect(g).toMatchObject({ id: 'b', waited_ms: 100, behind: ['run-a'] });
    expect(ids(release(s, { id: 'b', outcome: { kind: 'untouched' } }, 120))).toEqual(['c']);
    release(s, { id: 'c', outcome: { kind: 'untouched' } }, 130);
    expect(isIdle(s)).toBe(true);
  });

  it('admits up to the capacity, first come first served', () => {
    const s = emptyLease('prod');
    expect(ids([...acquire(s, req('1', 'r', 2), 0), ...acquire(s, req('2', 'r', 2), 0), ...acquire(s, req('3', 'q', 2), 0)])).toEqual(['1', '2']);
    expect(s.holders).toHaveLength(2);
    expect(ids(release(s, { id: '2', outcome: { kind: 'untouched' } }, 5))).toEqual(['3']);
    expect(s.holders).toHaveLength(2);
  });

  it('answers a repeated request once: a holder is granted again, a waiter keeps its place', () => {
    const s = emptyLease('k');
    acquire(s, req('a', 'run-a'), 0);
    acquire(s, req('b', 'run-b'), 1);
    expect(ids(acquire(s, req('a', 'run-a'), 2))).toEqual(['a']);
    expect(ids(acquire(s, req('b', 'run-b'), 3))).toEqual([]);
    expect(ids(s.waiters)).toEqual(['b']);
  });

  it('withdraws a waiter that gives up (a cancelled run) without touching the holder', () => {
    const s = emptyLease('k');
    acquire(s, req('a', 'run-a'), 0);
    acquire(s, req('b', 'run-b'), 0);
    expect(release(s, { id: 'b', outcome: { kind: 'untouched' } }, 1)).toEqual([]);
    expect(ids(s.holders)).toEqual(['a']);
    expect(s.waiters).toEqual([]);
  });

  it('keeps the last successful build, and forgets it when a holder may have written anything', () => {
    const s = emptyLease('k');
    const record: BuildRecord = { from: 'inv-a', self: '{}', parents: {} };
    acquire(s, req('a', 'run-a'), 0);
    release(s, { id: 'a', outcome: { kind: 'built', record } }, 1);
    expect(s.last).toEqual({ ...record, at_ms: 1 });
    acquire(s, req('b', 'run-b'), 2);
    release(s, { id: 'b', outcome: { kind: 'untouched' } }, 3);
    expect(s.last).toEqual({ ...record, at_ms: 1 });
    acquire(s, req('c', 'run-c'), 4);
    release(s, { id: 'c', outcome: { kind: 'built', record: null } }, 5);
    expect(s.last).toBeNull();
  });

  it('frees every slot and queued request of a run that is gone, and grants the next', () => {
    const s = emptyLease('k');
    s.last = { from: 'x', self: '{}', parents: {} };
    acquire(s, req('a1', 'run-a', 2), 0);
    acquire(s, req('a2', 'run-a', 2), 0);
    acquire(s, req('b', 'run-b', 2), 0);
    acquire(s, req('a3', 'run-a', 2), 0);
    expect(ids(dropHolder(s, 'run-a', 30_000))).toEqual(['b']);
    expect(ids(s.holders)).toEqual(['b']);
    expect(s.waiters).toEqual([]);
    expect(s.last).toBeNull();
  });

  it('names lease workflows by task queue, kind and key', () => {
    expect(leaseWorkflowId('dbt-tasks', 'admission', 'prod')).toBe('dbt-lease/dbt-tasks/admission/prod');
  });
});

describe('reusing a build finished while waiting', () => {
  const parts = { sql: 's1', config: 'c1', 'parent:model.p.a': 'inv-b', 'parent:model.p.outside': 'inv-0' };
  const inRun = (id: string): boolean => id === 'model.p.a';
  const { self, parents } = splitParts(parts, inRun);

  it('splits the in-run parents from the other inputs (outside parents stay inputs)', () => {
    expect(parents).toEqual(['model.p.a']);
    expect(JSON.parse(self)).toEqual({ config: 'c1', 'parent:model.p.outside': 'inv-0', sql: 's1' });
  });

  it('reuses when the inputs match and each in-run parent was read at the same version', () => {
    const last: BuildRecord = { from: 'inv-a', self, parents: { 'model.p.a': 'inv-a' }, at_ms: 5_000 };
    expect(reusableBuild(last, 1_000, self, parents, () => 'inv-a')).toBe('inv-a');
  });

  it('builds when a parent was built by this run, an input differs, or nothing is known', () => {
    const last: BuildRecord = { from: 'inv-a', self, parents: { 'model.p.a': 'inv-a' }, at_ms: 5_000 };
    expect(reusableBuild(last, 1_000, self, parents, () => 'inv-b')).toBeNull();
    expect(reusableBuild(last, 1_000, self, parents, () => null)).toBeNull();
    expect(reusableBuild({ ...last, self: '{"sql":"s2"}' }, 1_000, self, parents, () => 'inv-a')).toBeNull();
    expect(reusableBuild(null, 1_000, self, parents, () => 'inv-a')).toBeNull();
    expect(reusableBuild({ ...last, parents: {} }, 1_000, self, parents, () => 'inv-a')).toBeNull();
  });

  it('leaves builds from before the run started to the plan (which reads the recorded state)', () => {
    const last: BuildRecord = { from: 'inv-a', self, parents: { 'model.p.a': 'inv-a' }, at_ms: 5_000 };
    expect(reusableBuild(last, 6_000, self, parents, () => 'inv-a')).toBeNull();
  });
});

describe('scope presence', () => {
  const run = (name: string): LeaseRequest => ({ id: `${name}:presence`, holder: name, capacity: 1, label: 'run', presence: true });

  it('grants a run alone solo; a second run waits until the solo one switched, then both lease', () => {
    const s = emptyLease('dev@duckdb');
    const [a] = acquire(s, run('a'), 0);
    expect(grantOf(s, a as LeaseRequest, 0)).toMatchObject({ id: 'a:presence', solo: true });
    expect(acquire(s, run('b'), 5)).toEqual([]);
    // The solo holder is told once.
    expect(ids(toContend(s))).toEqual(['a:presence']);
    expect(toContend(s)).toEqual([]);
    const granted = switched(s, 'a:presence', 9);
    expect(ids(granted)).toEqual(['b:presence']);
    expect(grantOf(s, granted[0] as LeaseRequest, 9)).toMatchObject({ solo: false, waited_ms: 4, behind: ['a'] });
    // A third run while everyone leases: admitted at once, leasing.
    const [c] = acquire(s, run('c'), 10);
    expect(c).toMatchObject({ id: 'c:presence', solo: false });
    expect(toContend(s)).toEqual([]);
  });

  it('admits waiters together once the solo run leaves, alone only when one waits', () => {
    const s = emptyLease('dev');
    acquire(s, run('a'), 0);
    acquire(s, run('b'), 1);
    acquire(s, run('c'), 2);
    expect(ids(release(s, { id: 'a:presence', outcome: { kind: 'untouched' } }, 3))).toEqual(['b:presence', 'c:presence']);
    expect(s.holders.map((h) => h.solo)).toEqual([false, false]);
    const t = emptyLease('dev');
    acquire(t, run('a'), 0);
    acquire(t, run('b'), 1);
    expect(dropHolder(t, 'a', 2)).toMatchObject([{ id: 'b:presence', solo: true }]);
  });

  it('answers a repeated join with the same grant, and keeps a waiter in place', () => {
    const s = emptyLease('dev');
    acquire(s, run('a'), 0);
    expect(acquire(s, run('a'), 1)).toMatchObject([{ id: 'a:presence', solo: true }]);
    acquire(s, run('b'), 2);
    expect(acquire(s, run('b'), 3)).toEqual([]);
    expect(ids(s.waiters)).toEqual(['b:presence']);
  });
});
