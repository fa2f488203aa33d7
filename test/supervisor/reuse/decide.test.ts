import { describe, expect, it } from 'vitest';
import type { PlanNode } from '../../../src/shared/plan.js';
import { decideAll } from '../../../src/supervisor/reuse/decide.js';
import type { DecideInput } from '../../../src/supervisor/reuse/decide.js';
import { fpOf, sqlPart } from '../../../src/supervisor/reuse/fingerprint.js';
import type { ManifestEntry } from '../../../src/supervisor/reuse/fingerprint.js';
import type { NodeReuse } from '../../../src/shared/reuse.js';
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

  it('decides without compiling what it can: a built node records its SQL from its build, an unchanged keyed node is reused uncompiled', () => {
    const entries = input().entries as Map<string, ManifestEntry>;
    entries.set(A, model(A, [SRC], { raw_code: "select * from {{ source('raw', 't') }}" }));
    entries.set(B, model(B, [A], { raw_code: "select * from {{ ref('a') }}" }));
    const lazy = (over: Partial<DecideInput>): { d: Map<string, NodeReuse>; later: Set<string> } => {
      const later = new Set<string>();
      return { d: decideAll(input({ entries, codes: new Map(), compileLater: later, ...over })), later };
    };
    // First run: nothing to compare with; nothing compiled; the states wait for their SQL.
    const first = lazy({ invocationId: 'run-1' });
    expect(first.later.size).toBe(0);
    expect(first.d.get(A)).toMatchObject({ action: 'build', fp: null, pending_sql: true });
    expect(first.d.get(A)?.parts?.['sql']).toBeUndefined();
    // What record.ts writes once each node's build reported its compiled SQL.
    const built = { [A]: 'select * from raw', [B]: 'select * from a' } as Record<string, string>;
    const stored = new Map([...first.d].map(([id, r]) => {
      const parts = { ...r.parts, sql: sqlPart(built[id] as string) };
      return [id, { fp: fpOf(parts), parts, invocation_id: 'run-1', built_at: '', code_key: r.code?.key, code: r.code?.code } as NodeState];
    }));
    // The same states as a plan that compiled everything would have recorded.
    expect(stored.get(B)?.fp).toBe(firstRun().get(B)?.fp);
    const again = lazy({ stored });
    expect(again.later.size).toBe(0);
    expect(again.d.get(A)).toEqual({ action: 'reuse', from: 'run-1', reason: 'unchanged since run-1' });
    expect(again.d.get(B)?.action).toBe('reuse');
    // An edited model is rebuilt uncompiled ("its code changed"), its child for its parent.
    entries.set(A, model(A, [SRC], { raw_code: "select id from {{ source('raw', 't') }}" }));
    const edited = lazy({ stored });
    expect(edited.later.size).toBe(0);
    expect(edited.d.get(A)).toMatchObject({ action: 'build', reason: 'changed: sql', pending_sql: true });
    expect(edited.d.get(B)).toMatchObject({ action: 'build', reason: `parent ${A} is rebuilt` });
  });

  it('compiles a node whose SQL may depend on more than its code, deciding its children as if it were reused until then', () => {
    const entries = input().entries as Map<string, ManifestEntry>;
    entries.set(A, model(A, [SRC], { raw_code: "select * from {{ source('raw', 't') }} where at < '{{ run_started_at }}'" }));
    const stored = firstRun();
    const later = new Set<string>();
    const d = decideAll(input({ entries, stored, codes: new Map(), compileLater: later }));
    // B too: its state (from a plan that compiled it) has no code key to compare.
    expect([...later]).toEqual([A, B]);
    expect(d.get(A)).toMatchObject({ action: 'reuse', reason: 'to be compared once compiled' });
    const compiled = decideAll(input({ entries, stored, codes: new Map([[A, 'select * from raw'], [B, 'select * from a']]) }));
    expect([compiled.get(A)?.action, compiled.get(B)?.action]).toEqual(['reuse', 'reuse']);
    expect(decideAll(input({ entries, stored, codes: new Map() })).get(A)).toMatchObject({ action: 'build', reason: 'compiled code unavailable', fp: null });
  });

  it('compiles the built nodes no code key stands for when the run leases (a waiting run compares their whole inputs)', () => {
    const entries = input().entries as Map<string, ManifestEntry>;
    entries.set(A, model(A, [SRC], { raw_code: "select * from {{ source('raw', 't') }} where at < '{{ run_started_at }}'" }));
    entries.set(B, model(B, [A], { raw_code: "select * from {{ ref('a') }}" }));
    const later = new Set<string>();
    const d = decideAll(input({ entries, codes: new Map(), compileLater: later, compileBuilt: true }));
    expect([...later]).toEqual([A]);
    expect(d.get(B)).toMatchObject({ action: 'build', pending_sql: true });
    expect(decideAll(input({ entries, codes: new Map(), compileLater: new Set() })).get(A)).toMatchObject({ action: 'build', pending_sql: true });
  });
});
