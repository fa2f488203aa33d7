// Runs one planned node as an `execute_node` activity labelled `<resource_type>:<name>`.
import { ActivityFailure, ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import type { NodeResult } from '../../shared/contracts.js';
import type { PlanNode } from '../../shared/plan.js';
import type { Activities } from '../activities/index.js';
import type { ExecuteNodeInput } from '../activities/execute-node.js';

const NODE_ACTIVITY_OPTIONS = {
  startToCloseTimeout: '1 hour',
  heartbeatTimeout: '1 minute',
  retry: { maximumAttempts: 3, initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '1 minute' },
} as const;

/** Result recorded for a node the run did not execute. */
export function syntheticResult(uniqueId: string, status: NodeResult['status'], message: string): NodeResult {
  return { unique_id: uniqueId, status, execution_time: 0, message, adapter_response: {}, compiled_code: null, timing: [], failures: null };
}

function failureResult(node: PlanNode, err: unknown): NodeResult {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure) {
    const detail = cause.details?.[0] as NodeResult | undefined;
    if (detail && detail.unique_id === node.unique_id) return detail;
    return syntheticResult(node.unique_id, 'error', `${cause.type ?? 'error'}: ${cause.message}`);
  }
  return syntheticResult(node.unique_id, 'error', `activity failed: ${(cause as Error | undefined)?.message ?? String(err)}`);
}

/** Executes the node; activity failures become `error` results (cancellation propagates). */
export async function runNode(node: PlanNode, activityId: string, input: ExecuteNodeInput): Promise<NodeResult> {
  const { execute_node } = proxyActivities<Activities>({ ...NODE_ACTIVITY_OPTIONS, activityId, summary: activityId });
  try {
    return await execute_node(input);
  } catch (err) {
    if (err instanceof ActivityFailure && err.cause?.name === 'CancelledFailure') throw err;
    return failureResult(node, err);
  }
}
