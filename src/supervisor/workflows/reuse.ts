// Reuse in the workflow (docs/reuse.md): the plan decided; a reused node finishes at once as
// dbt's `no-op` ("reused from <invocation id>"), a built one carries the state to record.
// `plan_only` runs report the decisions without building.
import type { NodeResult, PlanPreviewEntry } from '../../shared/contracts.js';
import type { ExecuteNodeInput } from '../../shared/node-contract.js';
import type { ExecutionPlan, PlanNode } from '../../shared/plan.js';
import { pendingStateOf, reusedResult } from '../../shared/reuse.js';
import { noOpResult } from '../../shared/run-tracker.js';
import type { RunTracker } from '../../shared/run-tracker.js';

/** Runs started since this patch skip reused nodes (older plans never carry a reuse decision). */
export const REUSE_PATCH = 'reuse-nodes';

/** The node is reused: not executed. */
export function isReused(node: PlanNode): node is PlanNode & { reuse: { from: string } } {
  return node.reuse?.action === 'reuse' && typeof node.reuse.from === 'string';
}

/** Finishes a reused node as dbt's `no-op`. */
export function finishReused(tracker: RunTracker, node: PlanNode & { reuse: { from: string } }, atIso: string): NodeResult {
  const result = reusedResult(node.unique_id, node.reuse.from, atIso);
  tracker.finish(result);
  return result;
}

/** What execute_node records after the node succeeded (nothing when the run keeps no reuse state). */
export function reuseRecord(node: PlanNode, plan: ExecutionPlan): Pick<ExecuteNodeInput, 'reuse_record' | 'reuse_records'> {
  const r = node.reuse;
  if (!r || r.action !== 'build') return {};
  // The plan's records file holds it; older plans carry it inline.
  if (r.recorded && plan.reuse_records) return { reuse_records: plan.reuse_records };
  const state = pendingStateOf(r, plan.target ?? 'default');
  return state ? { reuse_record: state } : {};
}

/** The plan's decisions, one entry per executable node, in plan order. */
export function planPreview(plan: ExecutionPlan): PlanPreviewEntry[] {
  return plan.nodes.map((n) => ({
    unique_id: n.unique_id, resource_type: n.resource_type,
    action: n.reuse?.action ?? 'build', reason: n.reuse?.reason ?? 'reuse is off',
    ...(n.reuse?.from ? { from: n.reuse.from } : {}),
  }));
}

/** A plan-only run: every node finishes as `no-op` saying what a real run would do with it; returns the preview. */
export function reportPlanOnly(tracker: RunTracker, atIso: string): PlanPreviewEntry[] {
  const preview = planPreview(tracker.plan);
  const byId = new Map(preview.map((e) => [e.unique_id, e]));
  for (let batch = tracker.take(tracker.total); batch.length > 0; batch = tracker.take(tracker.total)) {
    for (const node of batch) {
      const e = byId.get(node.unique_id);
      const message = e?.action === 'reuse' ? `would reuse (${e.reason})` : `would build (${e?.reason ?? 'reuse is off'})`;
      tracker.finish({ ...noOpResult(node.unique_id, atIso), message });
    }
  }
  return preview;
}
