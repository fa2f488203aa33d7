// Priority scheduling (TEMPORAL_PRIORITY_SCHEDULING): nodes on the longest remaining chain go
// first (priority key 1 is the highest, 5 the lowest), and runs share the queue fairly. The
// chain is weighted by what earlier runs left (TEMPORAL_PRIORITY_WEIGHT: the cost the adapter
// reported, or measured durations), else by node count.
import { COST_FIELDS } from './node-cost.js';
import type { PlanNode } from './plan.js';

/** Priority levels of a Temporal task queue: keys 1 (first) to 5. */
const LEVELS = 5;

/**
 * What weighs a node on the critical path (TEMPORAL_PRIORITY_WEIGHT): its measured duration, or
 * one of the cost figures its adapter reported in earlier runs (node-cost.ts's fields).
 */
export const PRIORITY_WEIGHTS = ['duration', ...COST_FIELDS] as const;
export type PriorityWeight = (typeof PRIORITY_WEIGHTS)[number];

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

/** The remaining critical path weighted by `weight` (a node without one weighs the median), scaled so the longest gets 1 and the shortest 5. */
function weightedKeys(nodes: readonly PlanNode[], weight: (n: PlanNode) => number | undefined): Map<string, number> {
  const fallback = median(nodes.flatMap((n) => weight(n) ?? []));
  // A floor per node keeps zero-cost nodes from vanishing from the path.
  const path = remaining(nodes, (n) => Math.max(0.01, weight(n) ?? fallback));
  const longest = Math.max(...path.values());
  return new Map([...path].map(([id, w]) => [id, Math.min(LEVELS, Math.max(1, 1 + Math.round((LEVELS - 1) * (1 - w / longest))))]));
}

const known = (v: number | undefined): number | undefined => (typeof v === 'number' && v >= 0 ? v : undefined);

/**
 * Priority key per node. With costs from earlier runs (`cost`, in TEMPORAL_PRIORITY_WEIGHT's
 * unit) the remaining critical path is weighted by them; else with measured durations, by
 * seconds; a node not measured yet weighs the median. Without either: max(1, 5 - height),
 * height = the longest chain of nodes downstream.
 */
export function priorityKeys(nodes: readonly PlanNode[]): Map<string, number> {
  if (nodes.some((n) => known(n.cost) !== undefined)) return weightedKeys(nodes, (n) => known(n.cost));
  if (nodes.some((n) => known(n.duration_s) !== undefined)) return weightedKeys(nodes, (n) => known(n.duration_s));
  const height = remaining(nodes, () => 1);
  return new Map([...height].map(([id, h]) => [id, Math.max(1, LEVELS - (h - 1))]));
}

/** Fairness keys are limited to 64 bytes; invocation ids (UUIDs) fit. */
export function fairnessKey(invocationId: string): string {
  return invocationId.slice(0, 64);
}
