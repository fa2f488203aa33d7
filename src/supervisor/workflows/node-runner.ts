// Runs one planned node as an `execute_node` activity labelled `<resource_type>:<name>`.
import { ActivityCancellationType, ActivityFailure, ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import type { NodeResult } from '../../shared/contracts.js';
import type { PlanNode } from '../../shared/plan.js';
import type { Priority } from '@temporalio/common';
import { nodeActivityOptions } from '../../shared/run-options.js';
import type { ProjectRunOptions } from '../../shared/run-options.js';
import { CANCELLED_RUN, syntheticResult } from '../../shared/run-tracker.js';
import type { Activities } from '../activities/index.js';
import type { ExecuteNodeInput } from '../../shared/node-contract.js';
import { isActivityCancelled } from './cancellation.js';

export { syntheticResult };

function failureResult(node: PlanNode, err: unknown): NodeResult {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure) {
    const detail = cause.details?.[0] as NodeResult | undefined;
    if (detail && detail.unique_id === node.unique_id) return detail;
    return syntheticResult(node.unique_id, 'error', `${cause.type ?? 'error'}: ${cause.message}`);
  }
  return syntheticResult(node.unique_id, 'error', `activity failed: ${(cause as Error | undefined)?.message ?? String(err)}`);
}

/**
 * Executes the node; never rejects. Activity failures become `error` results; a node stopped
 * because the run is being cancelled becomes `cancelled`.
 */
export async function scheduleNode(
  node: PlanNode,
  activityId: string,
  input: ExecuteNodeInput,
  cancelling: () => boolean,
  options: ProjectRunOptions | undefined,
  priority?: Priority,
): Promise<NodeResult> {
  // Plans carried from before options existed get the same defaults as dbt_temporal.yml's.
  const base = nodeActivityOptions(options);
  // Always wait for the activity to confirm cancellation (the SDK's effective default is
  // TRY_CANCEL): a cancelled run must not end while its dbt process still works.
  const cancellationType = ActivityCancellationType.WAIT_CANCELLATION_COMPLETED;
  const { execute_node } = proxyActivities<Activities>({ ...base, cancellationType, activityId, summary: activityId, ...(priority ? { priority } : {}) });
  try {
    return await execute_node(input);
  } catch (err) {
    if (isActivityCancelled(err) || cancelling()) return syntheticResult(node.unique_id, 'cancelled', CANCELLED_RUN);
    return failureResult(node, err);
  }
}
