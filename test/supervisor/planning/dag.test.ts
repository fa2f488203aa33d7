import { describe, expect, it } from 'vitest';
import { buildPlanNodes } from '../../../src/supervisor/planning/dag.js';
import { graphFromManifest } from '../../../src/supervisor/planning/project-graph.js';

type Raw = { resource_type: string; deps?: string[]; materialized?: string };

function manifest(nodes: Record<string, Raw>): string {
  const out: Record<string, Record<string, unknown>> = { nodes: {}, unit_tests: {}, sources: {} };
  for (const [id, n] of Object.entries(nodes)) {
    const group = n.resource_type === 'unit_test' ? 'unit_tests' : n.resource_type === 'source' ? 'sources' : 'nodes';
    (out[group] as Record<string, unknown>)[id] = {
      unique_id: id, name: id.split('.').pop(), resource_type: n.resource_type, package_name: 'p', fqn: ['p', id],
      config: { materialized: n.materialized ?? 'view' }, depends_on: { nodes: n.deps ?? [] },
    };
  }
  return JSON.stringify({ metadata: { project_name: 'p', adapter_type: 'duckdb' }, ...out });
}

const deps = (plan: ReturnType<typeof buildPlanNodes>) => Object.fromEntries(plan.map((n) => [n.unique_id, n.depends_on]));

describe('buildPlanNodes', () => {
  const graph = graphFromManifest(manifest({
    'source.raw': { resource_type: 'source' },
    'model.a': { resource_type: 'model', deps: ['source.raw'] },
    'model.eph': { resource_type: 'model', deps: ['model.a'], materialized: 'ephemeral' },
    'model.b': { resource_type: 'model', deps: ['model.eph'] },
    'model.c': { resource_type: 'model', deps: ['model.b'] },
    'test.a_ok': { resource_type: 'test', deps: ['model.a'] },
    'test.rel_b_a': { resource_type: 'test', deps: ['model.b', 'model.a'] },
    'unit_test.b_ut': { resource_type: 'unit_test', deps: ['model.b'] },
  }));

  it('never schedules ephemeral models and keeps ordering through them', () => {
    const plan = buildPlanNodes(graph, ['model.a', 'model.eph', 'model.b'], 'run');
    expect(plan.map((n) => n.unique_id)).toEqual(['model.a', 'model.b']);
    expect(deps(plan)['model.b']).toEqual(['model.a']);
  });

  it('keeps transitive order through unselected nodes', () => {
    const plan = buildPlanNodes(graph, ['model.a', 'model.c'], 'run');
    expect(deps(plan)['model.c']).toEqual(['model.a']);
  });

  it('in build, gates downstream nodes on the tests of their ancestors (dbt test edges)', () => {
    const plan = buildPlanNodes(graph, [...graph.nodes.keys()], 'build');
    const d = deps(plan);
    expect(d['model.b']).toEqual(expect.arrayContaining(['test.a_ok', 'unit_test.b_ut']));
    // The relationships test depends on b and a: it gates c (both are ancestors of c) but not b.
    expect(d['model.c']).toEqual(expect.arrayContaining(['model.b', 'test.rel_b_a']));
    expect(d['model.b']).not.toContain('test.rel_b_a');
    // The unit test runs in its model's slot: after the model's parents (and their gating
    // tests, through the ephemeral) and before the model itself.
    expect(d['unit_test.b_ut']).toEqual(['model.a', 'test.a_ok']);
  });

  it('adds no test edges outside build', () => {
    const plan = buildPlanNodes(graph, ['model.a', 'model.b', 'test.a_ok'], 'run');
    expect(deps(plan)['model.b']).toEqual(['model.a']);
  });

  it('orders the plan topologically', () => {
    const plan = buildPlanNodes(graph, [...graph.nodes.keys()], 'build');
    const seen = new Set<string>();
    for (const n of plan) {
      for (const dep of n.depends_on) expect(seen.has(dep)).toBe(true);
      seen.add(n.unique_id);
    }
  });
});
