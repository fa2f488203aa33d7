// The execution phase: start every node as soon as its parents are done (bounded number in
// flight), until all are finished, the run is cancelled, or it must continue as new.
import { patched } from '@temporalio/workflow';
import type { RunRequest } from '../../shared/input.js';
import { nodeLabel } from '../../shared/plan.js';
import { fairnessKey, priorityKeys } from '../../shared/priority.js';
import type { PlanNode } from '../../shared/plan.js';
import type { RunTracker } from '../../shared/run-tracker.js';
import { CANCELLED_RUN, NO_OP_RESOURCE_TYPES, noOpResult } from '../../shared/run-tracker.js';
import type { CancellationWatch } from './cancellation.js';
import { continueAsNewSuggested } from './continue-as-new.js';
import type { ProgressMemos } from './memos.js';
import { scheduleNode } from './node-runner.js';
import { REUSE_PATCH, finishReused, isReused, reuseRecord } from './reuse.js';
import { LEASES_PATCH, RunCoordinator } from './coordination.js';

/** Node activities in flight at once; well under the server's 2,000 pending activities. */
export const MAX_IN_FLIGHT = 200;
/**
 * Runs started since this patch wait for "a node finished" on one promise; older runs (replayed
 * from their history) keep racing every node in flight, which subscribes to each of them on
 * every completion: hundreds of promises per node, each paying the SDK's stack-trace hook.
 */
export const SINGLE_WAKE_PATCH = 'execute-single-wake';

export type ExecuteOutcome = 'done' | 'cancelled' | 'continue';

/** Unique activity ids: `<resource_type>:<name>`, suffixed only on a name clash. */
export function activityIds(nodes: readonly PlanNode[]): Map<string, string> {
  const used = new Map<string, number>();
  const out = new Map<string, string>();
  for (const node of nodes) {
    const label = nodeLabel(node);
    const n = (used.get(label) ?? 0) + 1;
    used.set(label, n);
    out.set(node.unique_id, n === 1 ? label : `${label}#${n}`);
  }
  return out;
}

export async function executeNodes(
  tracker: RunTracker,
  request: RunRequest,
  cancel: CancellationWatch,
  memos: ProgressMemos,
  prioritize = false,
): Promise<ExecuteOutcome> {
  const ids = activityIds(tracker.plan.nodes);
  // TEMPORAL_PRIORITY_SCHEDULING: the longest remaining chain first, runs sharing the queue fairly.
  const priorities = prioritize ? priorityKeys(tracker.plan.nodes) : null;
  const inflight = new Map<string, Promise<void>>();
  const singleWake = patched(SINGLE_WAKE_PATCH);
  let wake: (() => void) | null = null;
  let finishedHere = 0;
  let draining = false;
  // Relation leases and the target's admission limit (docs/coordination.md), when the plan asks.
  const coordination = tracker.plan.coordination;
  const coord = coordination && patched(LEASES_PATCH) ? new RunCoordinator(coordination, tracker, cancel) : null;

  const launch = (): void => {
    if (cancel.requested) return;
    if (!draining && continueAsNewSuggested(finishedHere)) draining = true;
    if (draining) return;
    // No-op nodes finish at once, which may make others ready: take again until none was.
    for (let again = true; again;) {
      again = false;
      for (const node of tracker.take(MAX_IN_FLIGHT - inflight.size)) {
        if (isReused(node) && patched(REUSE_PATCH)) {
          // Finished first: `coord?.noteResult(finishReused(...))` would skip the finish itself
          // when the run takes no leases (an optional call drops its arguments too).
          const result = finishReused(tracker, node, new Date().toISOString());
          coord?.noteResult(result);
          finishedHere += 1;
          again = true;
          continue;
        }
        if (NO_OP_RESOURCE_TYPES.includes(node.resource_type)) {
          tracker.finish(noOpResult(node.unique_id, new Date().toISOString()));
          finishedHere += 1;
          again = true;
          continue;
        }
        start(node);
      }
    }
  };

  const start = (node: PlanNode): void => {
    const input = {
      project: tracker.plan.project, unique_id: node.unique_id, target: request.target,
      vars: request.vars, full_refresh: request.full_refresh, command: request.command,
      event_time_start: request.event_time_start, event_time_end: request.event_time_end, invocation_id: tracker.invocationId,
      defer_manifest_ref: request.defer_manifest_ref, warehouse: tracker.plan.warehouse ?? null,
      run_started_at: new Date(tracker.startedAtMs).toISOString(), ...reuseRecord(node, tracker.plan),
    };
    const execute = () => scheduleNode(node, ids.get(node.unique_id) as string, input, () => cancel.requested, tracker.plan.options,
      priorities ? { priorityKey: priorities.get(node.unique_id) ?? 3, fairnessKey: fairnessKey(tracker.invocationId) } : undefined);
    const job = (coord ? coord.run(node, execute) : execute()).then((result) => {
      inflight.delete(node.unique_id);
      tracker.finish(result);
      finishedHere += 1;
      wake?.();
    });
    inflight.set(node.unique_id, job);
  };

  launch();
  memos.publish(tracker, true);
  while (inflight.size > 0) {
    if (singleWake) await new Promise<void>((resolve) => (wake = resolve));
    else await Promise.race(inflight.values());
    wake = null;
    launch();
    memos.publish(tracker);
  }
  // Nothing of this run (segment) writes now: it leaves its scope's presence.
  coord?.close();
  if (cancel.requested) {
    tracker.cancelNotStarted(CANCELLED_RUN);
    return 'cancelled';
  }
  return tracker.isDone ? 'done' : 'continue';
}
