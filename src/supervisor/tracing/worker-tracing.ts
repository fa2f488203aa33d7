// What tracing adds to Worker.create: the traced workflow bundle, the SDK's OpenTelemetry
// activity/Nexus interceptors with ours inside them, the sink for Temporal's workflow spans,
// and the sink that emits each run's root span.
import { fileURLToPath } from 'node:url';
import { ROOT_CONTEXT, SpanStatusCode } from '@opentelemetry/api';
import {
  OpenTelemetryActivityInboundInterceptor, OpenTelemetryActivityOutboundInterceptor, OpenTelemetryNexusInboundInterceptor,
  OpenTelemetryNexusOutboundInterceptor, makeWorkflowExporter,
} from '@temporalio/interceptors-opentelemetry';
import type { ActivityInterceptorsFactory, InjectedSinks, NexusInterceptorsFactory } from '@temporalio/worker';
import type { WorkflowInfo } from '@temporalio/workflow';
import { rootSpanIdFor, traceIdFor } from '../../shared/trace-ids.js';
import type { RunTraceSinks } from '../workflows/trace-context.js';
import { DbtSpansInterceptor } from './activity-spans.js';
import type { Tracing } from './tracing.js';

export const TRACED_WORKFLOW_BUNDLE_PATH = fileURLToPath(new URL('../../../workflow-bundle-traced.js', import.meta.url));

/** The ids of a workflow that label its spans (the full info has memos and search attributes). */
function spanLabels(info: WorkflowInfo): Record<string, string | number> {
  return { temporalWorkflowId: info.workflowId, run_id: info.runId, workflowType: info.workflowType, taskQueue: info.taskQueue, namespace: info.namespace, attempt: info.attempt };
}

export interface TracingWorkerOptions {
  workflowBundlePath: string;
  activity: ActivityInterceptorsFactory[];
  nexus: NexusInterceptorsFactory[];
  sinks: InjectedSinks<RunTraceSinks> & Record<string, unknown>;
}

export function tracingWorkerOptions(tracing: Tracing): TracingWorkerOptions {
  const { tracer } = tracing;
  const workflowSpans = makeWorkflowExporter(tracing.processor, tracing.resource);
  return {
    workflowBundlePath: TRACED_WORKFLOW_BUNDLE_PATH,
    activity: [
      (ctx) => ({ inbound: new OpenTelemetryActivityInboundInterceptor(ctx, { tracer }), outbound: new OpenTelemetryActivityOutboundInterceptor(ctx) }),
      (ctx) => ({ inbound: new DbtSpansInterceptor(ctx, tracer) }),
    ],
    nexus: [(ctx) => ({ inbound: new OpenTelemetryNexusInboundInterceptor(ctx, { tracer }), outbound: new OpenTelemetryNexusOutboundInterceptor(ctx) })],
    sinks: {
      exporter: { export: { fn: (info: WorkflowInfo, spans: Parameters<typeof workflowSpans.export.fn>[1]) => workflowSpans.export.fn(spanLabels(info) as unknown as WorkflowInfo, spans) } },
      runTrace: {
        finished: {
          fn: (info, s) => {
            const ids = { traceId: traceIdFor(s.invocationId), spanId: rootSpanIdFor(s.invocationId) };
            const span = tracing.withIds(ids, () => tracer.startSpan('dbt_run', {
              root: true,
              startTime: info.startTime,
              attributes: {
                'dbt.invocation_id': s.invocationId, 'dbt.command': s.command, 'dbt.status': s.status, 'dbt.node_count': s.nodes,
                ...(s.project ? { 'dbt.project': s.project } : {}), temporalWorkflowId: info.workflowId, run_id: info.runId,
              },
            }, ROOT_CONTEXT));
            if (s.status === 'failed' || s.status === 'rejected') span.setStatus({ code: SpanStatusCode.ERROR, message: s.errorMessage ?? s.status });
            span.end();
          },
        },
      },
    },
  };
}
