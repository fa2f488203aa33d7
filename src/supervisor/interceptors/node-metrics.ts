// Activity interceptor: one log line per activity attempt with run and node ids, and the node
// metrics (executions by resource type and status, duration) for execute_node.
import { ApplicationFailure } from '@temporalio/common';
import type { Context } from '@temporalio/activity';
import type { ActivityExecuteInput, ActivityInboundCallsInterceptor, Next } from '@temporalio/worker';
import type { NodeResult } from '../../shared/contracts.js';
import { nodeCost } from '../../shared/node-cost.js';
import type { Logger } from '../logger.js';
import type { WorkerMetrics } from '../metrics/metrics.js';

/** `model.jaffle.orders` -> `model`. */
export function resourceTypeOf(uniqueId: unknown): string {
  return typeof uniqueId === 'string' && uniqueId.includes('.') ? (uniqueId.split('.')[0] as string) : 'unknown';
}

/** The node result of an execute_node outcome: its result, or the one its failure carries. */
export function nodeResultOf(outcome: { result?: unknown; error?: unknown }): Partial<NodeResult> | undefined {
  if (outcome.error === undefined) return outcome.result as NodeResult | undefined;
  return outcome.error instanceof ApplicationFailure ? (outcome.error.details?.[0] as Partial<NodeResult> | undefined) : undefined;
}

/** The dbt status of an execute_node outcome: the result's, the failure's node result, or `error`/`cancelled`. */
export function nodeStatusOf(outcome: { result?: unknown; error?: unknown }): string {
  if (outcome.error === undefined) return nodeResultOf(outcome)?.status ?? 'unknown';
  const err = outcome.error;
  const detail = nodeResultOf(outcome);
  if (typeof detail?.status === 'string') return detail.status;
  if (err instanceof ApplicationFailure && err.type === 'CANCELLED') return 'cancelled';
  return (err as Error | undefined)?.name === 'CancelledFailure' ? 'cancelled' : 'error';
}

export class NodeMetricsInterceptor implements ActivityInboundCallsInterceptor {
  constructor(
    private readonly ctx: Context,
    private readonly metrics: WorkerMetrics,
    private readonly log: Logger,
  ) {}

  /** What the adapter reported about the node's work (a failed node's too, from its failure). */
  private countCost(resourceType: string, outcome: { result?: unknown; error?: unknown }): void {
    const cost = nodeCost(nodeResultOf(outcome)?.adapter_response);
    const labels = { resource_type: resourceType };
    if (cost.rows_affected !== undefined) this.metrics.nodeRowsAffected.inc(labels, cost.rows_affected);
    if (cost.bytes_processed !== undefined) this.metrics.nodeBytesProcessed.inc(labels, cost.bytes_processed);
    if (cost.bytes_billed !== undefined) this.metrics.nodeBytesBilled.inc(labels, cost.bytes_billed);
    if (cost.slot_ms !== undefined) this.metrics.nodeSlotSeconds.inc(labels, cost.slot_ms / 1000);
  }

  async execute(input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    const info = this.ctx.info;
    const arg = input.args[0] as { unique_id?: unknown } | undefined;
    const isNode = info.activityType === 'execute_node';
    const fields = {
      workflow_id: info.workflowExecution?.workflowId,
      run_id: info.workflowExecution?.runId,
      activity: info.activityType,
      activity_id: info.activityId,
      attempt: info.attempt,
      ...(isNode ? { unique_id: arg?.unique_id } : {}),
    };
    const started = performance.now();
    if (isNode && info.attempt > 1) this.metrics.nodeRetries.inc();
    this.log.debug(fields, 'activity started');
    const finish = (outcome: { result?: unknown; error?: unknown }): void => {
      const seconds = (performance.now() - started) / 1000;
      const status = isNode ? nodeStatusOf(outcome) : outcome.error === undefined ? 'completed' : 'failed';
      if (isNode) {
        const labels = { resource_type: resourceTypeOf(arg?.unique_id), status };
        this.metrics.nodeExecutions.inc(labels);
        this.metrics.nodeDuration.observe(labels, seconds);
        this.countCost(labels.resource_type, outcome);
      }
      const message = outcome.error === undefined ? undefined : (outcome.error as Error).message;
      this.log[outcome.error === undefined ? 'info' : 'warn']({ ...fields, status, duration_s: Number(seconds.toFixed(3)), ...(message ? { error: message } : {}) }, isNode ? 'node finished' : 'activity finished');
    };
    try {
      const result = await next(input);
      finish({ result });
      return result;
    } catch (error) {
      finish({ error });
      throw error;
    }
  }
}
