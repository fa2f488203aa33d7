// Priority scheduling (TEMPORAL_PRIORITY_SCHEDULING): nodes on the longest remaining chain go
// first (priority key 1 is the highest, 5 the lowest), and runs share the queue fairly.
import type { PlanNode } from './plan.js';

/** priority_key = max(1, 5 - height), height = the longest chain of nodes downstream. */
export function priorityKeys(nodes: readonly PlanNode[]): Map<string, number> {
  const children = new Map<string, string[]>();
  for (const n of nodes) {
    for (const d of n.depends_on) {
      const kids = children.get(d);
      if (kids) kids.push(n.unique_id);
      else children.set(d, [n.unique_id]);
    }
  }
  const height = new Map<string, number>();
  // Plans are topologically ordered: walking backwards sees every child before its parents.
  for (let i = nodes.length - 1; i >= 0; i--) {
    const id = (nodes[i] as PlanNode).unique_id;
    const kids = children.get(id) ?? [];
    height.set(id, kids.length === 0 ? 0 : 1 + Math.max(...kids.map((k) => height.get(k) ?? 0)));
  }
  return new Map([...height].map(([id, h]) => [id, Math.max(1, 5 - h)]));
}

/** Fairness keys are limited to 64 bytes; invocation ids (UUIDs) fit. */
export function fairnessKey(invocationId: string): string {
  return invocationId.slice(0, 64);
}
