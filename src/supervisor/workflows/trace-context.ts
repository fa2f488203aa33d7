// Workflow-side tracing interceptor (only in the traced bundle, listed before the SDK's
// OpenTelemetry interceptors): puts every run in the trace derived from its invocation id,
// and reports the run's end through a sink so the worker can emit the run's root span.
import { ApplicationFailure, defaultPayloadConverter, proxySinks, workflowInfo } from '@temporalio/workflow';
import type { Next, Sinks, WorkflowExecuteInput, WorkflowInboundCallsInterceptor, WorkflowInterceptors } from '@temporalio/workflow';
import type { DbtRunOutput } from '../../shared/contracts.js';
import { WORKFLOW_TYPE } from '../../shared/names.js';
import { traceparentFor } from '../../shared/trace-ids.js';
import { commandLabel, runOutcome } from '../metrics/run-interceptor.js';

/** The header the SDK's OpenTelemetry interceptors carry the span context in. */
export const TRACE_HEADER = '_tracer-data';

/** What the root span says about a run: ids and counts, never input values. */
export interface RunSpanSummary {
  invocationId: string;
  command: string;
  /** success | skipped | failed | cancelled | rejected */
  status: string;
  project: string | null;
  nodes: number;
  errorMessage: string | null;
}

export interface RunTraceSinks extends Sinks {
  runTrace: { finished(summary: RunSpanSummary): void };
}

const { runTrace } = proxySinks<RunTraceSinks>();

function outputOf(outcome: { result?: unknown; error?: unknown }): DbtRunOutput | undefined {
  if (!('error' in outcome)) return outcome.result as DbtRunOutput | undefined;
  return outcome.error instanceof ApplicationFailure ? (outcome.error.details?.[0] as DbtRunOutput | undefined) : undefined;
}

class RunTraceInterceptor implements WorkflowInboundCallsInterceptor {
  async execute(input: WorkflowExecuteInput, next: Next<WorkflowInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    const info = workflowInfo();
    if (info.workflowType !== WORKFLOW_TYPE) return next(input);
    const invocationId = info.firstExecutionRunId;
    // The run's own trace wins over a caller's: the first run's span context is the root
    // span's; a continued run keeps what the previous run's ContinueAsNew carried.
    const headers = info.continuedFromExecutionRunId === undefined || input.headers[TRACE_HEADER] === undefined
      ? { ...input.headers, [TRACE_HEADER]: defaultPayloadConverter.toPayload({ traceparent: traceparentFor(invocationId) }) }
      : input.headers;
    let outcome: { result?: unknown; error?: unknown };
    try {
      outcome = { result: await next({ ...input, headers }) };
    } catch (error) {
      outcome = { error };
    }
    const status = runOutcome(outcome);
    if (status !== null) {
      const output = outputOf(outcome);
      const errorMessage = 'error' in outcome && status !== 'success' ? ((outcome.error as Error).message ?? null) : null;
      runTrace.finished({ invocationId, command: commandLabel(input.args[0]), status, project: output?.project ?? null, nodes: output?.node_results.length ?? 0, errorMessage });
    }
    if ('error' in outcome) throw outcome.error;
    return outcome.result;
  }
}

export const interceptors = (): WorkflowInterceptors => ({ inbound: [new RunTraceInterceptor()] });
