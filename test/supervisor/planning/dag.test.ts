import { describe, expect, it } from 'vitest';
import { DagScheduler } from '../../../src/shared/scheduler.js';
import type { PlanNode } from '../../../src/shared/plan.js';
import { buildPlanNodes, withoutImpliedDeps } from '../../../src/supervisor/planning/dag.js';
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

/** Everything upstream of each node (what scheduling depends on), sorted. */
function upstream(plan: readonly PlanNode[]): Record<string, string[]> {
  const byId = new Map(plan.map((n) => [n.unique_id, n]));
  const out: Record<string, string[]> = {};
  for (const n of plan) {
    const seen = new Set<string>();
    const stack = [...n.depends_on];
    while (stack.length > 0) {
      const cur = stack.pop() as string;
      if (seen.has(cur)) continue;
      seen.add(cur);
      stack.push(...(byId.get(cur)?.depends_on ?? []));
    }
    out[n.unique_id] = [...seen].sort();
  }
  return out;
}

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
    const up = upstream(plan);
    expect(up['model.b']).toEqual(expect.arrayContaining(['test.a_ok', 'unit_test.b_ut']));
    // The relationships test depends on b and a: it gates c (both are ancestors of c) but not b.
    expect(up['model.c']).toEqual(expect.arrayContaining(['model.b', 'test.rel_b_a']));
    expect(up['model.b']).not.toContain('test.rel_b_a');
    // The unit test runs in its model's slot: after the model's parents (and their gating
    // tests, through the ephemeral) and before the model itself.
    expect(up['unit_test.b_ut']).toEqual(['model.a', 'test.a_ok']);
    // Only edges not implied by others are kept: a_ok already waits for a.
    expect(deps(plan)['unit_test.b_ut']).toEqual(['test.a_ok']);
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

  it('keeps only the dependencies no other one implies, with the same order and skips', () => {
    // A deep layered project with a test on every model: test edges gate each model on every
    // test above it, which is quadratic in depth.
    const nodes: Record<string, Raw> = {};
    const width = 4;
    const depth = 30;
    for (let layer = 0; layer < depth; layer++) {
      for (let i = 0; i < width; i++) {
        const parents = layer === 0 ? [] : [`model.m${layer - 1}_${i}`, `model.m${layer - 1}_${(i + 1) % width}`];
        nodes[`model.m${layer}_${i}`] = { resource_type: 'model', deps: parents };
        nodes[`test.t${layer}_${i}`] = { resource_type: 'test', deps: [`model.m${layer}_${i}`] };
      }
    }
    const deep = graphFromManifest(manifest(nodes));
    const plan = buildPlanNodes(deep, [...deep.nodes.keys()], 'build');
    const full = plan.map((n) => ({ ...n, depends_on: upstream(plan)[n.unique_id] as string[] }));
    const edges = (p: readonly PlanNode[]) => p.reduce((sum, n) => sum + n.depends_on.length, 0);
    expect(upstream(plan)).toEqual(upstream(full));
    expect(edges(plan)).toBeLessThan(edges(full) / 10);
    expect(withoutImpliedDeps(full)).toEqual(plan);

    // The scheduler releases nodes in the same waves and skips the same nodes after a failure.
    const simulate = (p: readonly PlanNode[]) => {
      const s = new DagScheduler(p);
      const waves: string[][] = [];
      const skipped: string[] = [];
      for (let ready = s.takeReady(); ready.length > 0; ready = s.takeReady()) {
        waves.push(ready.map((n) => n.unique_id).sort());
        for (const n of ready) {
          if (s.isBlocked(n.unique_id)) skipped.push(n.unique_id);
          s.complete(n.unique_id, n.unique_id === 'test.t3_1' ? 'fail' : s.isBlocked(n.unique_id) ? 'skipped' : 'success');
        }
      }
      return { waves, skipped: skipped.sort(), done: s.done };
    };
    const a = simulate(plan);
    expect(a).toEqual(simulate(full));
    expect(a.done).toBe(true);
    expect(a.skipped.length).toBeGreaterThan(50);
  });
});
