import { describe, expect, it } from 'vitest';
import type { PlanNode } from '../../../src/shared/plan.js';
import { decideAll } from '../../../src/supervisor/reuse/decide.js';
import type { DecideInput } from '../../../src/supervisor/reuse/decide.js';
import type { ManifestEntry } from '../../../src/supervisor/reuse/fingerprint.js';
import type { NodeState } from '../../../src/supervisor/reuse/state-store.js';

const model = (id: string, deps: string[], extra: Partial<ManifestEntry> = {}): ManifestEntry => ({
  unique_id: id, resource_type: 'model', raw_code: 'select 1', config: { materialized: 'table' }, depends_on: { nodes: deps, macros: [] },
  database: 'db', schema: 'main', alias: id.split('.').pop() as string, relation_name: `db.main.${id.split('.').pop() as string}`, ...extra,
});
const node = (id: string, deps: string[]): PlanNode => ({ unique_id: id, name: id.split('.').pop() as string, resource_type: 'model', depends_on: deps });

const A = 'model.p.a';
const B = 'model.p.b';
const SRC = 'source.p.raw.t';

function input(over: Partial<DecideInput> = {}): DecideInput {
  const entries = new Map<string, ManifestEntry>([[A, model(A, [SRC])], [B, model(B, [A])], [SRC, { unique_id: SRC, resource_type: 'source' }]]);
  return {
    nodes: [node(A, []), node(B, [A])], entries, macros: new Map(), codes: new Map([[A, 'select * from raw'], [B, 'select * from a']]), compileError: null,
    probe: { exists: new Set(['db.main.a', 'db.main.b']), versions: new Map([[SRC, 'v1']]) }, stored: new Map(), invocationId: 'run-2',
    vars: {}, env: {}, where: 'dev', stateful: false, fullRefresh: false, ...over,
  };
}

/** The states a successful first run would have written. */
function firstRun(): Map<string, NodeState> {
  const first = decideAll(input({ invocationId: 'run-1' }));
  return new Map([...first].map(([id, d]) => [id, { fp: d.fp ?? null, parts: d.parts ?? {}, invocation_id: 'run-1', built_at: '' }]));
}

describe('decideAll', () => {
  it('builds what has no recorded build, then reuses it when nothing changed', () => {
    expect([...decideAll(input()).values()].map((d) => d.reason)).toEqual(['no earlier build recorded', 'parent model.p.a is rebuilt']);
    const again = decideAll(input({ stored: firstRun() }));
    expect(again.get(A)).toEqual({ action: 'reuse', from: 'run-1', reason: 'unchanged since run-1' });
    expect(again.get(B)?.action).toBe('reuse');
  });

  it('rebuilds a node whose source data version changed, and its children', () => {
    const d = decideAll(input({ stored: firstRun(), probe: { exists: new Set(['db.main.a', 'db.main.b']), versions: new Map([[SRC, 'v2']]) } }));
    expect(d.get(A)).toMatchObject({ action: 'build', reason: `changed: source:${SRC}` });
    expect(d.get(B)).toMatchObject({ action: 'build', reason: `parent ${A} is rebuilt` });
  });

  it('always rebuilds on an unknown source version, a missing relation, a full refresh or an incremental model', () => {
    const stored = firstRun();
    expect(decideAll(input({ stored, probe: { exists: new Set(['db.main.a', 'db.main.b']), versions: new Map() } })).get(A)).toMatchObject({ action: 'build', fp: null, reason: `data version of ${SRC} unknown` });
    expect(decideAll(input({ stored, probe: { exists: new Set(['db.main.b']), versions: new Map([[SRC, 'v1']]) } })).get(A)).toMatchObject({ action: 'build', reason: 'relation missing in the warehouse' });
    expect(decideAll(input({ stored, fullRefresh: true })).get(A)).toMatchObject({ action: 'build', reason: 'full refresh' });
    const inc = input({ stored });
    (inc.entries as Map<string, ManifestEntry>).set(A, model(A, [SRC], { config: { materialized: 'incremental' } }));
    expect(decideAll(inc).get(A)?.reason).toMatch(/incremental model: rebuilt by default/);
  });

  it('names the inputs that changed, and does not count a whitespace or comment change', () => {
    const stored = firstRun();
    expect(decideAll(input({ stored, codes: new Map([[A, '-- note\nselect *   from raw'], [B, 'select * from a']]) })).get(A)?.action).toBe('reuse');
    expect(decideAll(input({ stored, codes: new Map([[A, 'select id from raw'], [B, 'select * from a']]) })).get(A)?.reason).toBe('changed: sql');
  });

  it('rebuilds after a run without reuse rebuilt the node (its state has no fingerprint)', () => {
    const stored = new Map([...firstRun()].map(([id, s]) => [id, { ...s, fp: null, invocation_id: 'plain' }]));
    expect(decideAll(input({ stored })).get(A)?.reason).toBe('last built by plain without reuse');
  });
});
