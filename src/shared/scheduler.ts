// Dependency-driven scheduling state for one run: a node becomes ready as soon as all of its
// upstream nodes are done (no level barriers). Pure and deterministic, so it is workflow-safe.
import { isFailureStatus } from './names.js';
import type { PlanNode } from './plan.js';

export type NodeState = 'pending' | 'running' | 'done';

export class DagScheduler {
  private readonly nodes = new Map<string, PlanNode>();
  private readonly children = new Map<string, string[]>();
  private readonly waitingOn = new Map<string, number>();
  private readonly state = new Map<string, NodeState>();
  private readonly blocked = new Set<string>();
  private readonly readyQueue: string[] = [];

  constructor(plan: readonly PlanNode[]) {
    for (const node of plan) {
      this.nodes.set(node.unique_id, node);
      this.children.set(node.unique_id, []);
      this.state.set(node.unique_id, 'pending');
    }
    for (const node of plan) {
      const deps = node.depends_on.filter((d) => this.nodes.has(d));
      this.waitingOn.set(node.unique_id, deps.length);
      for (const dep of deps) this.children.get(dep)?.push(node.unique_id);
    }
    for (const node of plan) if (this.waitingOn.get(node.unique_id) === 0) this.readyQueue.push(node.unique_id);
  }

  /** Removes and returns the nodes that may start now, in plan order. */
  takeReady(): PlanNode[] {
    const out = this.readyQueue.splice(0).map((id) => this.mustGet(id));
    for (const node of out) this.state.set(node.unique_id, 'running');
    return out;
  }

  /** Whether the node must be skipped because something upstream failed. */
  isBlocked(uniqueId: string): boolean {
    return this.blocked.has(uniqueId);
  }

  /** Records a finished node; a failure or a skip blocks every downstream node (dbt build's rule). */
  complete(uniqueId: string, status: string): void {
    this.state.set(uniqueId, 'done');
    const blocks = isFailureStatus(status) || status === 'skipped' || this.blocked.has(uniqueId);
    for (const child of this.children.get(uniqueId) ?? []) {
      if (blocks) this.blocked.add(child);
      const left = (this.waitingOn.get(child) ?? 0) - 1;
      this.waitingOn.set(child, left);
      if (left === 0) this.readyQueue.push(child);
    }
  }

  /** Nodes never started (fail_fast or cancellation). */
  pending(): PlanNode[] {
    return [...this.nodes.values()].filter((n) => this.state.get(n.unique_id) === 'pending');
  }

  get done(): boolean {
    for (const s of this.state.values()) if (s !== 'done') return false;
    return true;
  }

  private mustGet(id: string): PlanNode {
    const node = this.nodes.get(id);
    if (!node) throw new Error(`unknown node ${id}`);
    return node;
  }
}
