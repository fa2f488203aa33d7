// Measured node durations of earlier runs (TEMPORAL_PRIORITY_HISTORY), per project, kept in
// the worker's memory: a smoothed execution time per node, bounded in size.
import type { NodeResult } from '../../shared/contracts.js';

/** Weight of the newest measurement in the moving average. */
const ALPHA = 0.5;
/** Nodes remembered per project (oldest entries are dropped beyond it). */
export const MAX_NODES_PER_PROJECT = 20_000;

const MEASURED: ReadonlySet<string> = new Set(['success', 'pass', 'warn', 'fail']);

export class NodeDurations {
  private readonly byProject = new Map<string, Map<string, number>>();

  /** Records a finished node; skipped, errored and cancelled results say nothing about its cost. */
  record(project: string, result: Pick<NodeResult, 'unique_id' | 'status' | 'execution_time'>): void {
    if (!MEASURED.has(result.status) || !(result.execution_time >= 0)) return;
    let nodes = this.byProject.get(project);
    if (!nodes) this.byProject.set(project, (nodes = new Map()));
    const old = nodes.get(result.unique_id);
    nodes.delete(result.unique_id); // re-inserted last: the Map's order is recency
    nodes.set(result.unique_id, old === undefined ? result.execution_time : ALPHA * result.execution_time + (1 - ALPHA) * old);
    if (nodes.size > MAX_NODES_PER_PROJECT) nodes.delete(nodes.keys().next().value as string);
  }

  /** Seconds per unique id for the project (empty when nothing was measured yet). */
  of(project: string): ReadonlyMap<string, number> {
    return this.byProject.get(project) ?? new Map();
  }
}
