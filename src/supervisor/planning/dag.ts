// Builds the execution DAG for a selected node set with dbt's own ordering rules:
// - edges through unselected nodes (ephemerals included) are kept transitively;
// - in `build`, a test gates every node downstream of what it tests ("test edges");
// - a unit test runs after its model's parents and before the model.
import type { DbtCommand } from '../../shared/contracts.js';
import type { ExecutableType, PlanNode } from '../../shared/plan.js';
import type { GraphNode, ProjectGraph } from './project-graph.js';

const EXECUTABLE: readonly string[] = ['model', 'seed', 'snapshot', 'test', 'unit_test', 'analysis', 'exposure', 'saved_query'];

/** Whether a node is planned for a command (ephemeral models are inlined by dbt; exposures and saved queries only `build` lists). */
export function isExecutable(node: GraphNode, command: DbtCommand): boolean {
  if (command === 'source-freshness') return node.resource_type === 'source' && node.has_freshness;
  if (!EXECUTABLE.includes(node.resource_type)) return false;
  return !(node.resource_type === 'model' && node.materialized === 'ephemeral');
}

/** Direct scheduling parents of every graph node, with test and unit-test edges added. */
function schedulingParents(graph: ProjectGraph, command: DbtCommand): Map<string, Set<string>> {
  const parents = new Map<string, Set<string>>();
  for (const node of graph.nodes.values()) parents.set(node.unique_id, new Set(node.depends_on.filter((d) => graph.nodes.has(d))));

  // Unit tests: the model waits for them; they take over the model's own parents.
  for (const node of graph.nodes.values()) {
    if (node.resource_type !== 'unit_test') continue;
    const model = node.depends_on[0];
    if (!model || !graph.nodes.has(model)) continue;
    const modelNode = graph.nodes.get(model) as GraphNode;
    parents.set(node.unique_id, new Set(modelNode.depends_on.filter((d) => graph.nodes.has(d))));
    parents.get(model)?.add(node.unique_id);
  }
  if (command !== 'build') return parents;

  // Test edges (dbt's Linker.add_test_edges): a test gates a non-test node when every node the
  // test depends on is a strict ancestor of that node.
  const ancestorsMemo = new Map<string, Set<string>>();
  const ancestors = (id: string): Set<string> => {
    const cached = ancestorsMemo.get(id);
    if (cached) return cached;
    const out = new Set<string>();
    const stack = [...(graph.nodes.get(id)?.depends_on ?? [])];
    while (stack.length > 0) {
      const cur = stack.pop() as string;
      if (out.has(cur) || !graph.nodes.has(cur)) continue;
      out.add(cur);
      stack.push(...(graph.nodes.get(cur)?.depends_on ?? []));
    }
    ancestorsMemo.set(id, out);
    return out;
  };
  for (const test of graph.nodes.values()) {
    if (test.resource_type !== 'test' || test.depends_on.length === 0) continue;
    const first = test.depends_on[0] as string;
    const seen = new Set<string>();
    const stack = [...(graph.children.get(first) ?? [])];
    while (stack.length > 0) {
      const cur = stack.pop() as string;
      if (seen.has(cur)) continue;
      seen.add(cur);
      const node = graph.nodes.get(cur);
      if (!node || node.resource_type === 'test' || node.resource_type === 'unit_test') continue;
      const anc = ancestors(cur);
      if (test.depends_on.every((d) => anc.has(d))) parents.get(cur)?.add(test.unique_id);
      stack.push(...(graph.children.get(cur) ?? []));
    }
  }
  return parents;
}

/** The plan for `selected` (unique ids from dbt ls): executable nodes in topological order. */
export function buildPlanNodes(graph: ProjectGraph, selected: Iterable<string>, command: DbtCommand): PlanNode[] {
  const chosen = new Set<string>();
  for (const id of selected) {
    const node = graph.nodes.get(id);
    if (node && isExecutable(node, command)) chosen.add(id);
  }
  const parents = schedulingParents(graph, command);

  // Nearest selected ancestors, walking through unselected nodes (memoised per node).
  const viaMemo = new Map<string, Set<string>>();
  const selectedAbove = (id: string, stack: Set<string>): Set<string> => {
    const cached = viaMemo.get(id);
    if (cached) return cached;
    const out = new Set<string>();
    for (const p of parents.get(id) ?? []) {
      if (chosen.has(p)) out.add(p);
      else if (!stack.has(p)) {
        stack.add(p);
        for (const a of selectedAbove(p, stack)) out.add(a);
        stack.delete(p);
      }
    }
    viaMemo.set(id, out);
    return out;
  };

  const deps = new Map<string, string[]>();
  for (const id of chosen) {
    const direct = new Set<string>();
    for (const p of parents.get(id) ?? []) {
      if (chosen.has(p)) direct.add(p);
      else for (const a of selectedAbove(p, new Set([p]))) direct.add(a);
    }
    direct.delete(id);
    deps.set(id, [...direct].sort());
  }
  return withoutImpliedDeps(topoSort(graph, deps));
}

/**
 * Drops every dependency already implied by another one (p -> v when p is upstream of another
 * parent of v). Readiness, skips and levels stay the same; dbt's test edges gate every node on
 * all the tests above it, which on a deep project of 1,500 nodes is tens of thousands of edges
 * (megabytes of plan) instead of a few thousand.
 */
export function withoutImpliedDeps(nodes: readonly PlanNode[]): PlanNode[] {
  const index = new Map(nodes.map((n, i) => [n.unique_id, i]));
  const words = Math.ceil(nodes.length / 32);
  const has = (bits: Uint32Array, i: number): boolean => ((bits[i >>> 5] as number) & (1 << (i & 31))) !== 0;
  // upstream[i]: every node above node i (nodes are in topological order).
  const upstream: Uint32Array[] = [];
  return nodes.map((node, i) => {
    const parents = node.depends_on.map((d) => index.get(d)).filter((d): d is number => d !== undefined);
    const implied = new Uint32Array(words);
    for (const p of parents) {
      const above = upstream[p] as Uint32Array;
      for (let w = 0; w < words; w++) implied[w] = (implied[w] as number) | (above[w] as number);
    }
    const mine = implied.slice();
    for (const p of parents) mine[p >>> 5] = (mine[p >>> 5] as number) | (1 << (p & 31));
    upstream[i] = mine;
    const kept = node.depends_on.filter((d) => {
      const p = index.get(d);
      return p === undefined || !has(implied, p);
    });
    return kept.length === node.depends_on.length ? node : { ...node, depends_on: kept };
  });
}

function topoSort(graph: ProjectGraph, deps: Map<string, string[]>): PlanNode[] {
  const remaining = new Map<string, number>();
  const children = new Map<string, string[]>();
  for (const [id, ds] of deps) {
    remaining.set(id, ds.length);
    for (const d of ds) {
      const kids = children.get(d);
      if (kids) kids.push(id);
      else children.set(d, [id]);
    }
  }
  let frontier = [...remaining].filter(([, n]) => n === 0).map(([id]) => id).sort();
  const out: PlanNode[] = [];
  while (frontier.length > 0) {
    const next: string[] = [];
    for (const id of frontier) {
      const node = graph.nodes.get(id) as GraphNode;
      out.push({ unique_id: id, name: node.name, resource_type: node.resource_type as ExecutableType, depends_on: deps.get(id) ?? [], ...(node.original_file_path ? { path: node.original_file_path } : {}) });
      for (const c of children.get(id) ?? []) {
        const left = (remaining.get(c) ?? 0) - 1;
        remaining.set(c, left);
        if (left === 0) next.push(c);
      }
    }
    frontier = next.sort();
  }
  if (out.length !== deps.size) throw new Error('cyclic dependency detected among selected nodes');
  return out;
}
