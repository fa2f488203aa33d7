// The reuse state built nodes record, kept out of the plan and the node inputs: one file per
// run in the artifact store, read once per worker and kept in memory, never a whole plan's
// worth in Temporal's history.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PlanNode } from '../../../src/shared/plan.js';
import { LocalArtifactStore } from '../../../src/supervisor/artifacts/local-store.js';
import type { ArtifactStore } from '../../../src/supervisor/artifacts/store.js';
import { PlanRecords, RECORDS_FILE, detachRecords } from '../../../src/supervisor/reuse/plan-records.js';
import { reuseRecord } from '../../../src/supervisor/workflows/reuse.js';
import type { ExecutionPlan } from '../../../src/shared/plan.js';

const node = (name: string, reuse?: PlanNode['reuse']): PlanNode => ({ unique_id: `model.p.${name}`, name, resource_type: 'model', depends_on: [], ...(reuse ? { reuse } : {}) });

/** A store that counts its reads and can be told to fail them. */
function counting(store: ArtifactStore): ArtifactStore & { gets: number; failing: boolean } {
  const s = {
    gets: 0, failing: false, location: store.location,
    put: (inv: string, name: string, text: string) => store.put(inv, name, text),
    async get(ref: string) {
      s.gets++;
      if (s.failing) throw new Error('store down');
      return store.get(ref);
    },
  };
  return s;
}

describe('plan records', () => {
  let dir: string;
  let store: LocalArtifactStore;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'plan-records-'));
    store = new LocalArtifactStore(dir);
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('takes what built nodes record out of the plan, keeping each decision\'s reason', () => {
    const nodes = [
      node('a', { action: 'build', reason: 'changed: sql', fp: 'f1', parts: { sql: 's1', 'parent:model.p.x': 'v1' }, target: 'prod' }),
      node('b', { action: 'reuse', from: 'inv-0', reason: 'unchanged since inv-0' }),
      node('c', { action: 'build', reason: 'not compiled', fp: null, parts: { config: 'c' }, pending_sql: true, code: { key: 'k', code: 'd' } }),
      node('d', { action: 'build', reason: 'reuse needs an artifact store' }),
      node('e'),
    ];
    const { nodes: out, records } = detachRecords(nodes, 'dev');
    expect(out.map((n) => n.reuse ?? null)).toEqual([
      { action: 'build', reason: 'changed: sql', recorded: true },
      { action: 'reuse', from: 'inv-0', reason: 'unchanged since inv-0' },
      { action: 'build', reason: 'not compiled', recorded: true },
      { action: 'build', reason: 'reuse needs an artifact store' },
      null,
    ]);
    expect(records).toEqual({
      'model.p.a': { fp: 'f1', parts: { sql: 's1', 'parent:model.p.x': 'v1' }, target: 'prod' },
      'model.p.c': { fp: null, parts: { config: 'c' }, target: 'dev', pending_sql: true, code: { key: 'k', code: 'd' } },
    });
    expect(JSON.stringify(out)).not.toContain('parts');
  });

  it('hands each node of a run its own record: from memory on the planning worker, one read on any other', async () => {
    const file = { 'model.p.a': { fp: 'f1', parts: { sql: 's1' }, target: 'prod' }, 'model.p.b': { fp: 'f2', parts: { sql: 's2' }, target: 'prod' } };
    const planner = counting(store);
    const planning = new PlanRecords(planner);
    const ref = await planning.write('inv-1', file);
    expect(ref).toBe(join(dir, 'inv-1', RECORDS_FILE));
    expect(await planning.of(ref, 'model.p.b')).toEqual(file['model.p.b']);
    expect(planner.gets).toBe(0);

    const other = counting(store);
    const joining = new PlanRecords(other);
    const answers = await Promise.all(['model.p.a', 'model.p.b', 'model.p.zz'].map((id) => joining.of(ref, id)));
    expect(answers).toEqual([file['model.p.a'], file['model.p.b'], null]);
    expect(await joining.of(ref, 'model.p.a')).toEqual(file['model.p.a']);
    expect(other.gets).toBe(1);
  });

  it('reads again after a failed read, and keeps at most the configured number of runs', async () => {
    const refs = await Promise.all(['inv-1', 'inv-2', 'inv-3'].map((inv) => new PlanRecords(store).write(inv, { 'model.p.a': { fp: inv, parts: {}, target: 't' } })));
    const s = counting(store);
    const records = new PlanRecords(s, { maxRuns: 2 });
    s.failing = true;
    await expect(records.of(refs[0] as string, 'model.p.a')).rejects.toThrow(/store down/);
    s.failing = false;
    expect((await records.of(refs[0] as string, 'model.p.a'))?.fp).toBe('inv-1');
    expect(s.gets).toBe(2);
    for (const ref of refs) await records.of(ref, 'model.p.a');
    // inv-1 was the least recently used of three: read again.
    expect(s.gets).toBe(4);
    expect((await records.of(refs[0] as string, 'model.p.a'))?.fp).toBe('inv-1');
    expect(s.gets).toBe(5);
  });

  it('gives a node\'s activity the records file\'s ref, or the inline record of a plan from an older worker', () => {
    const plan = { nodes: [], reuse_records: '/store/inv-1/reuse-records.json', target: 'prod' } as unknown as ExecutionPlan;
    expect(reuseRecord(node('a', { action: 'build', reason: 'x', recorded: true }), plan)).toEqual({ reuse_records: '/store/inv-1/reuse-records.json' });
    expect(reuseRecord(node('a', { action: 'reuse', from: 'inv-0', reason: 'x' }), plan)).toEqual({});
    expect(reuseRecord(node('a', { action: 'build', reason: 'x' }), plan)).toEqual({});
    const old = node('a', { action: 'build', reason: 'x', fp: 'f1', parts: { sql: 's' } });
    expect(reuseRecord(old, { ...plan, reuse_records: null })).toEqual({ reuse_record: { fp: 'f1', parts: { sql: 's' }, target: 'prod' } });
  });
});
