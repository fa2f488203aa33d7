// What earlier runs measured per node (TEMPORAL_PRIORITY_HISTORY), per project, kept in the
// worker's memory: a smoothed execution time per node and, when priority weighs by a cost
// (TEMPORAL_PRIORITY_WEIGHT), the smoothed figure its adapter reported; bounded in size.
import type { NodeResult } from '../../shared/contracts.js';
import { nodeCost } from '../../shared/node-cost.js';
import type { PriorityWeight } from '../../shared/priority.js';

/** Weight of the newest measurement in the moving average. */
const ALPHA = 0.5;
/** Nodes remembered per project (oldest entries are dropped beyond it). */
export const MAX_NODES_PER_PROJECT = 20_000;

const MEASURED: ReadonlySet<string> = new Set(['success', 'pass', 'warn', 'fail']);

/** One node's history: seconds, and the cost in the weight's unit when its adapter reported it. */
export interface NodeHistory {
  duration_s: number;
  cost?: number;
}

const smooth = (old: number | undefined, now: number): number => (old === undefined ? now : ALPHA * now + (1 - ALPHA) * old);

export class NodeDurations {
  private readonly byProject = new Map<string, Map<string, NodeHistory>>();

  /** `weight`: the cost figure recorded beside the duration. @default 'duration' (no cost) */
  constructor(readonly weight: PriorityWeight = 'duration') {}

  /** Records a finished node; skipped, errored and cancelled results say nothing about its cost. */
  record(project: string, result: Pick<NodeResult, 'unique_id' | 'status' | 'execution_time' | 'adapter_response'>): void {
    if (!MEASURED.has(result.status) || !(result.execution_time >= 0)) return;
    let nodes = this.byProject.get(project);
    if (!nodes) this.byProject.set(project, (nodes = new Map()));
    const old = nodes.get(result.unique_id);
    const cost = this.weight === 'duration' ? undefined : nodeCost(result.adapter_response)[this.weight];
    const entry: NodeHistory = { duration_s: smooth(old?.duration_s, result.execution_time) };
    // A run whose adapter did not report the figure keeps the one measured before.
    const costs = cost === undefined ? old?.cost : smooth(old?.cost, cost);
    if (costs !== undefined) entry.cost = costs;
    nodes.delete(result.unique_id); // re-inserted last: the Map's order is recency
    nodes.set(result.unique_id, entry);
    if (nodes.size > MAX_NODES_PER_PROJECT) nodes.delete(nodes.keys().next().value as string);
  }

  /** Each node's history in the project (empty when nothing was measured yet). */
  of(project: string): ReadonlyMap<string, NodeHistory> {
    return this.byProject.get(project) ?? new Map();
  }
}
