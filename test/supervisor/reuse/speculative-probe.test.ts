import { describe, expect, it } from 'vitest';
import type { CompileTask, DbtInvocation, ExecutorResult } from '../../../src/shared/executor-protocol.js';
import type { ResolvedProject } from '../../../src/supervisor/projects/resolve-cache.js';
import { ProbeSpeculator, warehouseMemoKey } from '../../../src/supervisor/reuse/speculative-probe.js';

const manifest = {
  metadata: { adapter_type: 'duckdb' },
  nodes: {
    'model.p.a': { unique_id: 'model.p.a', resource_type: 'model', database: 'wh', schema: 'main', depends_on: { nodes: ['source.p.raw.orders'] } },
    'seed.p.s': { unique_id: 'seed.p.s', resource_type: 'seed', database: 'wh', schema: 'seeds' },
    'analysis.p.x': { unique_id: 'analysis.p.x', resource_type: 'analysis', database: 'wh', schema: 'analyses' },
  },
  sources: { 'source.p.raw.orders': { unique_id: 'source.p.raw.orders', resource_type: 'source', database: 'wh', schema: 'raw', name: 'orders', relation_name: '"wh"."raw"."orders"' } },
};
const project = (json = JSON.stringify(manifest)): ResolvedProject => ({ location: { name: 'p' }, graph: { adapterType: 'duckdb' }, manifestJson: json } as unknown as ResolvedProject);
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
  it('speculates only once a plan of the same key found its warehouse, and probes there', async () => {
    const s = new ProbeSpeculator();
    const r = recorder(async () => answered(ANSWER));
    const key = warehouseMemoKey('p', null, { A: '1' }, {});
    expect(s.start(project(), key, r.compileOn, invocation)).toBeNull();
    s.remember(key, 'duckdb:/tmp/wh.duckdb', 'duckdb');
    const spec = s.start(project(), key, r.compileOn, invocation);
    expect(spec?.adapter).toBe('duckdb');
    expect(await spec?.answer).toEqual({ exists: new Set(['wh.main.a']), versions: new Map([['source.p.raw.orders', 'rows:4:9']]) });
    expect(r.calls.map((c) => [c.warehouse, c.task.invocation, c.task.select])).toEqual([['duckdb:/tmp/wh.duckdb', invocation, null]]);
    expect(s.start(project(), warehouseMemoKey('p', null, { A: '2' }, {}), r.compileOn, invocation)).toBeNull();
  });

  it("probes every reusable node of the start-up manifest and their sources", () => {
    const s = new ProbeSpeculator();
    s.remember('k', null, 'duckdb');
    const spec = s.start(project(), 'k', recorder(async () => answered(ANSWER)).compileOn, invocation);
    expect([...(spec?.scope.schemas ?? [])].sort()).toEqual(['wh.main', 'wh.raw', 'wh.seeds']);
    expect([...(spec?.scope.sources.keys() ?? [])]).toEqual(['source.p.raw.orders']);
  });

  it('turns a failed or thrown probe into its reason, never a rejection', async () => {
    const s = new ProbeSpeculator();
    s.remember('k', null, 'duckdb');
    const failed = s.start(project(), 'k', recorder(async () => ({ type: 'error', code: 'DBT_COMPILATION_ERROR', message: 'no warehouse' } as ExecutorResult)).compileOn, invocation);
    expect(await failed?.answer).toBe('no warehouse');
    const thrown = s.start(project(), 'k', recorder(() => Promise.reject(new Error('engine died'))).compileOn, invocation);
    expect(await thrown?.answer).toBe('speculative probe failed: engine died');
  });

  it('keeps no in-memory DuckDB, skips a run on another adapter, forgets the oldest warehouse beyond its bound, and skips an unreadable manifest', () => {
    const s = new ProbeSpeculator({ maxWarehouses: 2 });
    const r = recorder(async () => answered(ANSWER));
    s.remember('mem', 'duckdb-memory:run-1', 'duckdb');
    expect(s.start(project(), 'mem', r.compileOn, invocation)).toBeNull();
    s.remember('pg', null, 'postgres');
    expect(s.start(project(), 'pg', r.compileOn, invocation), 'the start-up manifest is DuckDB, the run Postgres').toBeNull();
    s.remember('a', null, 'duckdb');
    s.remember('b', null, 'duckdb');
    s.remember('a', null, 'duckdb');
    s.remember('c', null, 'duckdb');
    expect(s.start(project(), 'b', r.compileOn, invocation)).toBeNull();
    expect(s.start(project(), 'a', r.compileOn, invocation)).not.toBeNull();
    expect(s.start(project(''), 'c', r.compileOn, invocation)).toBeNull();
  });

  it('keys warehouses by project, target as requested, env and vars, whatever their order', () => {
    const key = warehouseMemoKey('p', 'dev', { A: '1', B: '2' }, { v: 1 });
    expect(warehouseMemoKey('p', 'dev', { B: '2', A: '1' }, { v: 1 })).toBe(key);
    for (const other of [warehouseMemoKey('q', 'dev', { A: '1', B: '2' }, { v: 1 }), warehouseMemoKey('p', null, { A: '1', B: '2' }, { v: 1 }),
      warehouseMemoKey('p', 'dev', { A: '1' }, { v: 1 }), warehouseMemoKey('p', 'dev', { A: '1', B: '2' }, { v: 2 })]) expect(other).not.toBe(key);
  });
});
