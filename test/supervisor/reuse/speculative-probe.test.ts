// The speculative probe: the next plan of a key starts what the last one probed, on its
// warehouse, and never rejects; the memo keeps no in-memory DuckDB and is bounded.
import { describe, expect, it } from 'vitest';
import type { CompileTask, DbtInvocation, ExecutorResult } from '../../../src/shared/executor-protocol.js';
import type { ProbeScope } from '../../../src/supervisor/reuse/probe-scope.js';
import { ProbeSpeculator, attachedAnswer, probeMemoKey } from '../../../src/supervisor/reuse/speculative-probe.js';

const SCOPE: ProbeScope = {
  schemas: new Set(['wh.main', 'wh.raw']),
  sources: new Map([['source.p.raw.orders', { unique_id: 'source.p.raw.orders', key: 'wh.raw.orders', relation: '"wh"."raw"."orders"', schema: 'raw', identifier: 'orders', loaded_at_field: null }]]),
};
const invocation = { dbtPath: 'dbt' } as DbtInvocation;
const answered = (compiled: string): ExecutorResult => ({ type: 'compiled', runResultsJson: JSON.stringify({ results: [{ unique_id: 'sql_operation.p.inline', compiled_code: compiled }] }) });
const ANSWER = JSON.stringify({ exists: ['WH.MAIN.A'], versions: [['source.p.raw.orders', 'rows:4:9']] });

/** A compile that records where it ran and what it asked. */
function recorder(result: () => Promise<ExecutorResult>) {
  const calls: { warehouse: string | null; task: CompileTask }[] = [];
  const compileOn = (warehouse: string | null) => (task: CompileTask) => {
    calls.push({ warehouse, task });
    return result();
  };
  return { calls, compileOn };
}

describe('ProbeSpeculator', () => {
  it('speculates only once a plan of the same key probed, with its scope, on its warehouse', async () => {
    const s = new ProbeSpeculator();
    const r = recorder(async () => answered(ANSWER));
    const key = probeMemoKey('p', null, { A: '1' }, {});
    expect(s.start(key, r.compileOn, invocation)).toBeNull();
    s.remember(key, { warehouse: 'duckdb:/tmp/wh.duckdb', adapter: 'duckdb', scope: SCOPE });
    const spec = s.start(key, r.compileOn, invocation);
    expect(spec?.adapter).toBe('duckdb');
    expect(spec?.scope).toBe(SCOPE);
    expect(await spec?.answer).toEqual({ exists: new Set(['wh.main.a']), versions: new Map([['source.p.raw.orders', 'rows:4:9']]) });
    expect(r.calls.map((c) => [c.warehouse, c.task.invocation, c.task.select])).toEqual([['duckdb:/tmp/wh.duckdb', invocation, null]]);
    expect(r.calls[0]?.task.inline).toContain('"wh"."raw"."orders"');
    expect(s.start(probeMemoKey('p', null, { A: '2' }, {}), r.compileOn, invocation)).toBeNull();
  });

  it('turns a failed or thrown probe into its reason, never a rejection', async () => {
    const s = new ProbeSpeculator();
    s.remember('k', { warehouse: null, adapter: 'duckdb', scope: SCOPE });
    const failed = s.start('k', recorder(async () => ({ type: 'error', code: 'DBT_COMPILATION_ERROR', message: 'no warehouse' } as ExecutorResult)).compileOn, invocation);
    expect(await failed?.answer).toBe('no warehouse');
    const thrown = s.start('k', recorder(() => Promise.reject(new Error('engine died'))).compileOn, invocation);
    expect(await thrown?.answer).toBe('speculative probe failed: engine died');
  });

  it('reads again the states the last plan of the key read, of its target, and names the presence it asked', async () => {
    const s = new ProbeSpeculator();
    const reads: [string, readonly string[]][] = [];
    const read = async (target: string, ids: readonly string[]) => (reads.push([target, ids]), new Map());
    expect(s.prefetch('k', read)).toBeNull();
    s.remember('k', { warehouse: null, adapter: 'duckdb', scope: SCOPE });
    expect(s.prefetch('k', read)).toBeNull();
    s.remember('k', { warehouse: null, adapter: 'duckdb', scope: SCOPE, states: { target: 'dev', ids: ['model.p.a', 'model.p.b'] } });
    const early = s.prefetch('k', read);
    expect(early?.target).toBe('dev');
    expect([...(early?.ids ?? [])]).toEqual(['model.p.a', 'model.p.b']);
    expect(await early?.states).toEqual(new Map());
    expect(reads).toEqual([['dev', ['model.p.a', 'model.p.b']]]);
    expect(s.presenceOf('k')).toBeNull();
    s.remember('k', { warehouse: null, adapter: 'duckdb', scope: SCOPE, presence: 'dev@duckdb:/w.db' });
    expect(s.presenceOf('k')).toBe('dev@duckdb:/w.db');
  });

  it('keeps no in-memory DuckDB and forgets the oldest entry beyond its bound', () => {
    const s = new ProbeSpeculator({ maxEntries: 2 });
    const r = recorder(async () => answered(ANSWER));
    const at = (warehouse: string | null) => ({ warehouse, adapter: 'duckdb', scope: SCOPE });
    s.remember('mem', at('duckdb-memory:run-1'));
    expect(s.start('mem', r.compileOn, invocation)).toBeNull();
    s.remember('a', at(null));
    s.remember('b', at(null));
    s.remember('a', at(null));
    s.remember('c', at(null));
    expect(s.start('b', r.compileOn, invocation)).toBeNull();
    expect(s.start('a', r.compileOn, invocation)).not.toBeNull();
    expect(s.start('c', r.compileOn, invocation)).not.toBeNull();
  });

  it('hands the last probe of a key to the plan\'s ls as queries, and reads its rows, its failure or its silence', async () => {
    const s = new ProbeSpeculator();
    expect(s.attach('k')).toBeNull();
    s.remember('k', { warehouse: 'duckdb:/tmp/wh.duckdb', adapter: 'duckdb', scope: SCOPE });
    const attached = s.attach('k');
    expect(attached).toMatchObject({ warehouse: 'duckdb:/tmp/wh.duckdb', adapter: 'duckdb', scope: SCOPE });
    expect(attached?.queries.exists_sql).toContain("in ('wh.main', 'wh.raw')");
    expect(attached?.queries.sources).toEqual([{ key: 'wh.raw.orders', sql: expect.stringContaining('from "wh"."raw"."orders" as t') }]);
    if (!attached) return;
    const rows = attachedAnswer(attached, { exists: ['WH.MAIN.A'], versions: [['source.p.raw.orders', 'rows:4:9'], ['source.p.raw.gone', null]] });
    expect(rows.scope).toBe(SCOPE);
    expect(await rows.answer).toEqual({ exists: new Set(['wh.main.a']), versions: new Map([['source.p.raw.orders', 'rows:4:9']]) });
    expect(await attachedAnswer(attached, { error: 'Catalog Error: nope' }).answer).toBe('speculative probe failed: Catalog Error: nope');
    expect(await attachedAnswer(attached, null).answer).toBe('the ls answered no probe');
  });

  it('keys entries by project, target as requested, env and vars, whatever their order', () => {
    const key = probeMemoKey('p', 'dev', { A: '1', B: '2' }, { v: 1 });
    expect(probeMemoKey('p', 'dev', { B: '2', A: '1' }, { v: 1 })).toBe(key);
    for (const other of [probeMemoKey('q', 'dev', { A: '1', B: '2' }, { v: 1 }), probeMemoKey('p', null, { A: '1', B: '2' }, { v: 1 }),
      probeMemoKey('p', 'dev', { A: '1' }, { v: 1 }), probeMemoKey('p', 'dev', { A: '1', B: '2' }, { v: 2 })]) expect(other).not.toBe(key);
  });
});
