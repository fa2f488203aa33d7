// Priority scheduling (TEMPORAL_PRIORITY_SCHEDULING): nodes on the longest remaining chain go
// first (priority key 1 is the highest, 5 the lowest), and runs share the queue fairly. The
// chain is weighted by measured node durations when earlier runs left them, else by node count.
import type { PlanNode } from './plan.js';

/** Priority levels of a Temporal task queue: keys 1 (first) to 5. */
const LEVELS = 5;

function childrenOf(nodes: readonly PlanNode[]): Map<string, string[]> {
  const children = new Map<string, string[]>();
  for (const n of nodes) {
    for (const d of n.depends_on) {
      const kids = children.get(d);
      if (kids) kids.push(n.unique_id);
      else children.set(d, [n.unique_id]);
    }
  }
  return children;
}

/** Longest path from each node to a leaf, where a node costs `cost(node)` (plans are topologically ordered). */
function remaining(nodes: readonly PlanNode[], cost: (n: PlanNode) => number): Map<string, number> {
  const children = childrenOf(nodes);
  const out = new Map<string, number>();
  // Walking backwards sees every child before its parents.
  for (let i = nodes.length - 1; i >= 0; i--) {
    const node = nodes[i] as PlanNode;
    const kids = children.get(node.unique_id) ?? [];
    out.set(node.unique_id, cost(node) + (kids.length === 0 ? 0 : Math.max(...kids.map((k) => out.get(k) ?? 0))));
  }
  return out;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? 1 : (sorted[Math.floor(sorted.length / 2)] as number);
}

/**
 * Priority key per node. Without measured durations: max(1, 5 - height), height = the longest
 * chain of nodes downstream. With them: the remaining critical path in seconds (a node not
 * measured yet costs the median), scaled so the longest path gets 1 and the shortest 5.
 */
export function priorityKeys(nodes: readonly PlanNode[]): Map<string, number> {
  const measured = nodes.flatMap((n) => (typeof n.duration_s === 'number' && n.duration_s >= 0 ? [n.duration_s] : []));
  if (measured.length === 0) {
    const height = remaining(nodes, () => 1);
    return new Map([...height].map(([id, h]) => [id, Math.max(1, LEVELS - (h - 1))]));
  }
  // A floor per node keeps zero-second nodes from vanishing from the path.
  const fallback = median(measured);
  const path = remaining(nodes, (n) => Math.max(0.01, n.duration_s ?? fallback));
  const longest = Math.max(...path.values());
  return new Map([...path].map(([id, w]) => [id, Math.min(LEVELS, Math.max(1, 1 + Math.round((LEVELS - 1) * (1 - w / longest))))]));
}

/** Fairness keys are limited to 64 bytes; invocation ids (UUIDs) fit. */
export function fairnessKey(invocationId: string): string {
  return invocationId.slice(0, 64);
}
