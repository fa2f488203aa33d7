// Workflow-side interceptor (bundled with the workflows): reports each dbt_run's start and
// outcome through a sink. Sinks are not called during replay, so a run is counted once even
// when another worker replays its history; continue-as-new hops are not new runs.
import { ApplicationFailure, ContinueAsNew, isCancellation, proxySinks, workflowInfo } from '@temporalio/workflow';
import type { Next, Sinks, WorkflowExecuteInput, WorkflowInboundCallsInterceptor, WorkflowInterceptors } from '@temporalio/workflow';
import { DBT_COMMANDS } from '../../shared/contracts.js';
import type { DbtRunOutput } from '../../shared/contracts.js';
import { RUN_FAILED_ERROR_TYPE, WORKFLOW_TYPE } from '../../shared/names.js';

export interface RunMetricsSinks extends Sinks {
  runMetrics: {
    started(command: string): void;
    finished(command: string, status: string): void;
  };
}

const { runMetrics } = proxySinks<RunMetricsSinks>();

/** The run's command as a bounded label value. */
export function commandLabel(input: unknown): string {
  const command = (input as { command?: unknown } | null | undefined)?.command ?? 'build';
  return typeof command === 'string' && (DBT_COMMANDS as readonly string[]).includes(command) ? command : 'invalid';
}

/** success | skipped | failed | cancelled | rejected; null when the workflow did not finish (task retry). */
export function runOutcome(outcome: { result?: unknown; error?: unknown }): string | null {
  if (!('error' in outcome)) return (outcome.result as DbtRunOutput | undefined)?.skipped ? 'skipped' : 'success';
  const err = outcome.error;
  if (err instanceof ContinueAsNew) return null;
  if (isCancellation(err)) return 'cancelled';
  if (err instanceof ApplicationFailure) return err.type === RUN_FAILED_ERROR_TYPE ? 'failed' : 'rejected';
  return null;
}

class RunMetricsInterceptor implements WorkflowInboundCallsInterceptor {
  async execute(input: WorkflowExecuteInput, next: Next<WorkflowInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    const info = workflowInfo();
    if (info.workflowType !== WORKFLOW_TYPE) return next(input);
    const command = commandLabel(input.args[0]);
    if (info.continuedFromExecutionRunId === undefined) runMetrics.started(command);
    let outcome: { result?: unknown; error?: unknown };
    try {
      outcome = { result: await next(input) };
    } catch (error) {
      outcome = { error };
    }
    const status = runOutcome(outcome);
    if (status !== null) runMetrics.finished(command, status);
    if ('error' in outcome) throw outcome.error;
    return outcome.result;
  }
}

export const interceptors = (): WorkflowInterceptors => ({ inbound: [new RunMetricsInterceptor()] });
