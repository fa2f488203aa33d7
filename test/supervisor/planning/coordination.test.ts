// dbt_temporal.yml's `leases:` and `limits:`, and what a plan asks of its nodes from them.
import { describe, expect, it } from 'vitest';
import type { PlanNode } from '../../../src/shared/plan.js';
import type { ManifestDoc } from '../../../src/supervisor/artifacts/manifest.js';
import { planCoordination } from '../../../src/supervisor/planning/coordination.js';
import { parseProjectSettings } from '../../../src/supervisor/projects/project-settings.js';

const nodes: PlanNode[] = [
  { unique_id: 'seed.p.raw', name: 'raw', resource_type: 'seed', depends_on: [] },
  { unique_id: 'model.p.eph', name: 'eph', resource_type: 'model', depends_on: ['seed.p.raw'] },
  { unique_id: 'model.p.orders', name: 'orders', resource_type: 'model', depends_on: ['model.p.eph'] },
  { unique_id: 'test.p.t1', name: 't1', resource_type: 'test', depends_on: ['model.p.orders'] },
];
const manifest = {
  nodes: {
    'seed.p.raw': { relation_name: '"db"."s"."raw"', config: { materialized: 'seed' } },
    'model.p.eph': { relation_name: null, config: { materialized: 'ephemeral' } },
    'model.p.orders': { relation_name: '"db"."s"."orders"', config: { materialized: 'table' } },
    'test.p.t1': { relation_name: null, config: {} },
  },
} as unknown as ManifestDoc; // only the fields coordination reads

describe('dbt_temporal.yml limits and leases', () => {
  it('reads limits per target and leases as on, off or "when the run reuses"', () => {
    const s = parseProjectSettings({ limits: { prod: 8, dev: 2 }, leases: true }, 'f.yml');
    expect(s.limits).toEqual({ prod: 8, dev: 2 });
    expect(s.leases).toBe(true);
    expect(parseProjectSettings(null, 'f.yml')).toMatchObject({ limits: {}, leases: null });
  });

  it('refuses a limit that is not a whole number of nodes, naming the file and key', () => {
    expect(() => parseProjectSettings({ limits: { prod: 0 } }, 'f.yml')).toThrow(/f\.yml: `limits\.prod` must be an integer >= 1 \(concurrent nodes on target prod\), got 0/);
    expect(() => parseProjectSettings({ limits: { prod: '8' } }, 'f.yml')).toThrow(/`limits\.prod` must be an integer >= 1/);
    expect(() => parseProjectSettings({ limits: [8] }, 'f.yml')).toThrow(/`limits` must be a mapping of target name to concurrent nodes/);
    expect(() => parseProjectSettings({ leases: 'yes' }, 'f.yml')).toThrow(/`leases` must be true or false/);
    expect(() => parseProjectSettings({ limit: { prod: 2 } }, 'f.yml')).toThrow(/did you mean `limits`/);
  });
});

describe('a plan\'s coordination', () => {
  const base = { command: 'build', target: 'prod', warehouse: null, manifest, nodes, fullRefresh: false };
  const settings = (doc: unknown) => parseProjectSettings(doc, 'f.yml');

  it('asks nothing without leases or a limit for the target', () => {
    expect(planCoordination({ ...base, settings: settings({ limits: { dev: 2 } }), reuse: null })).toEqual({ nodes, coordination: null });
  });

  it('names the relation each writing node builds (not ephemeral models, not tests) when leases are on', () => {
    const { nodes: out, coordination } = planCoordination({ ...base, settings: settings({ leases: true, limits: { prod: 3 } }), reuse: null });
    expect(coordination).toEqual({ leases: true, scope: 'prod', admission: { target: 'prod', limit: 3 } });
    expect(Object.fromEntries(out.map((n) => [n.unique_id, n.lease ?? null]))).toEqual({
      'seed.p.raw': { relation: '"db"."s"."raw"', reuse: false }, 'model.p.eph': null, 'model.p.orders': { relation: '"db"."s"."orders"', reuse: false }, 'test.p.t1': null,
    });
  });

  it('lets a waiting node reuse another run\'s build only where the plan could reuse: reuse on, no full refresh, stateful nodes by reuse.stateful', () => {
    const reuseOf = (o: ReturnType<typeof planCoordination>) => Object.fromEntries(o.nodes.filter((n) => n.lease).map((n) => [n.name, n.lease?.reuse]));
    const incremental = { nodes: { ...manifest.nodes, 'model.p.orders': { relation_name: '"db"."s"."orders"', config: { materialized: 'incremental' } } } } as unknown as ManifestDoc;
    expect(reuseOf(planCoordination({ ...base, settings: settings(null), reuse: true }))).toEqual({ raw: true, orders: true });
    expect(reuseOf(planCoordination({ ...base, settings: settings(null), reuse: true, fullRefresh: true }))).toEqual({ raw: false, orders: false });
    expect(reuseOf(planCoordination({ ...base, manifest: incremental, settings: settings(null), reuse: true }))).toEqual({ raw: true, orders: false });
    expect(reuseOf(planCoordination({ ...base, manifest: incremental, settings: settings({ reuse: { enabled: true, stateful: true } }), reuse: null }))).toEqual({ raw: true, orders: true });
  });

  it('takes leases when the run or the project reuses unless leases: false, and never for commands that write nothing', () => {
    expect(planCoordination({ ...base, settings: settings(null), reuse: true }).coordination?.leases).toBe(true);
    expect(planCoordination({ ...base, settings: settings({ leases: false }), reuse: true }).coordination).toBeNull();
    // A run without reuse in a project that reuses takes them too (its builds must be seen), without reusing.
    const plain = planCoordination({ ...base, settings: settings({ reuse: true }), reuse: false });
    expect(plain.coordination?.leases).toBe(true);
    expect(plain.nodes.find((n) => n.lease)?.lease?.reuse).toBe(false);
    expect(planCoordination({ ...base, settings: settings(null), reuse: false }).coordination).toBeNull();
    expect(planCoordination({ ...base, command: 'test', settings: settings({ leases: true }), reuse: null }).coordination).toBeNull();
    // A limit still applies to a `test` run's nodes (they query the warehouse).
    expect(planCoordination({ ...base, command: 'test', settings: settings({ limits: { prod: 1 } }), reuse: null }).coordination).toEqual({ leases: false, scope: 'prod', admission: { target: 'prod', limit: 1 } });
  });

  it('gives each leased node a digest of its build inputs but its in-run parents, and those parents, instead of the parts', () => {
    const parts = { sql: 'a1', config: 'c1', 'parent:model.p.eph': 'v0', 'parent:model.p.outside': 'v9' };
    const withReuse = (reuse: PlanNode['reuse']): PlanNode[] => nodes.map((n) => (n.unique_id === 'model.p.orders' && reuse ? { ...n, reuse } : n));
    const inputsOf = (reuse: PlanNode['reuse']) => planCoordination({ ...base, nodes: withReuse(reuse), settings: settings(null), reuse: true }).nodes.find((n) => n.name === 'orders')?.lease?.inputs;
    const built = inputsOf({ action: 'build', reason: 'no earlier build recorded', fp: 'f1', parts, target: 'prod' });
    expect(built?.parents).toEqual(['model.p.eph']);
    expect(built?.self).toMatch(/^[0-9a-f]{16}$/);
    // The same inputs give the same digest; another SQL, another; a parent outside the run is part of `self`.
    expect(inputsOf({ action: 'build', reason: 'x', fp: 'f1', parts: { ...parts }, target: 'prod' })).toEqual(built);
    expect(inputsOf({ action: 'build', reason: 'x', fp: 'f2', parts: { ...parts, sql: 'a2' }, target: 'prod' })?.self).not.toBe(built?.self);
    expect(inputsOf({ action: 'build', reason: 'x', fp: 'f3', parts: { ...parts, 'parent:model.p.outside': 'v8' }, target: 'prod' })?.self).not.toBe(built?.self);
    // Not compiled: its code key stands for the SQL; no fingerprint and no code key: nothing to record.
    const pending = inputsOf({ action: 'build', reason: 'x', fp: null, parts: { config: 'c1' }, pending_sql: true, code: { key: 'k1', code: 'd1' }, target: 'prod' });
    expect(pending?.self).toMatch(/^[0-9a-f]{16}$/);
    expect(inputsOf({ action: 'build', reason: 'x', fp: null, parts: { config: 'c1' }, target: 'prod' })).toBeUndefined();
    expect(inputsOf(undefined)).toBeUndefined();
  });

  it('scopes relations to the warehouse file when the target has one (DuckDB)', () => {
    expect(planCoordination({ ...base, warehouse: 'duckdb:/tmp/w.duckdb', settings: settings({ leases: true }), reuse: null }).coordination?.scope).toBe('prod@duckdb:/tmp/w.duckdb');
  });
});
