// Activity interceptor (inside the SDK's RunActivity span): dbt's own spans for plan, project
// hooks, artifacts and each node, with the node's unique id, resource type, status, rows
// affected, and dbt's compile/execute timing as child spans. Attributes carry ids and counts,
// never SQL, vars or env values.
import { ROOT_CONTEXT, SpanStatusCode, TraceFlags, context as otelContext, trace } from '@opentelemetry/api';
import type { Attributes, Context as OtelContext, Span, Tracer } from '@opentelemetry/api';
import type { Context } from '@temporalio/activity';
import type { ActivityExecuteInput, ActivityInboundCallsInterceptor, Next } from '@temporalio/worker';
import { isFailureStatus } from '../../shared/names.js';
import { rootSpanIdFor, traceIdFor } from '../../shared/trace-ids.js';
import { nodeResultOf, nodeStatusOf, resourceTypeOf } from '../interceptors/node-metrics.js';
import { nodeCost } from '../../shared/node-cost.js';

interface ActivityArg {
  invocation_id?: string;
  unique_id?: string;
  project?: string;
  phase?: 'start' | 'end';
  results?: unknown[];
  request?: { command?: string; project?: string | null };
  command?: string;
}

const SPAN_NAMES: Readonly<Record<string, (arg: ActivityArg) => string>> = {
  plan_project: () => 'dbt.plan',
  run_project_hooks: (a) => `dbt.hooks on-run-${a.phase ?? 'start'}`,
  store_artifacts: () => 'dbt.artifacts',
  generate_catalog: () => 'dbt.catalog',
};

/** The run's trace when the SDK's interceptor gave none (e.g. a run started before tracing was on). */
function parentContext(invocationId: string): OtelContext {
  const active = otelContext.active();
  if (trace.getSpanContext(active)?.traceId === traceIdFor(invocationId)) return active;
  return trace.setSpanContext(ROOT_CONTEXT, { traceId: traceIdFor(invocationId), spanId: rootSpanIdFor(invocationId), traceFlags: TraceFlags.SAMPLED, isRemote: true });
}

/** Attributes of a finished node; dbt's compile/execute timing become child spans. */
function endNode(tracer: Tracer, span: Span, ctx: OtelContext, outcome: { result?: unknown; error?: unknown }): void {
  const result = nodeResultOf(outcome);
  const status = nodeStatusOf(outcome);
  const attrs: Attributes = { 'dbt.status': status };
  // What the adapter reported about the work: dbt.rows_affected, dbt.bytes_processed, dbt.bytes_billed, dbt.slot_ms, dbt.query_id.
  for (const [k, v] of Object.entries(nodeCost(result?.adapter_response))) attrs[`dbt.${k}`] = v;
  if (typeof result?.execution_time === 'number') attrs['dbt.execution_time_s'] = result.execution_time;
  if (typeof result?.failures === 'number') attrs['dbt.failures'] = result.failures;
  span.setAttributes(attrs);
  const nodeCtx = trace.setSpan(ctx, span);
  for (const t of result?.timing ?? []) {
    const start = Date.parse(t.started_at);
    const end = Date.parse(t.completed_at);
    if (Number.isFinite(start) && Number.isFinite(end)) tracer.startSpan(`dbt.${t.name}`, { startTime: start }, nodeCtx).end(end);
  }
  if (outcome.error !== undefined || isFailureStatus(status)) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: (outcome.error as Error | undefined)?.message ?? result?.message ?? status });
  }
}

function endOther(span: Span, type: string, arg: ActivityArg, outcome: { result?: unknown; error?: unknown }): void {
  const r = outcome.result as { nodes?: unknown[]; packed_nodes?: { n?: unknown[] }; hooks?: unknown[] } | undefined;
  // A plan travels packed (shared/plan-pack.ts): its nodes are then in `packed_nodes`.
  const planNodes = Array.isArray(r?.packed_nodes?.n) ? r.packed_nodes.n : r?.nodes;
  if (type === 'plan_project' && Array.isArray(planNodes)) span.setAttribute('dbt.node_count', planNodes.length);
  if (type === 'run_project_hooks' && Array.isArray(r?.hooks)) span.setAttribute('dbt.hook_count', r.hooks.length);
  if (type === 'store_artifacts' && Array.isArray(arg.results)) span.setAttribute('dbt.result_count', arg.results.length);
  if (outcome.error !== undefined) span.setStatus({ code: SpanStatusCode.ERROR, message: (outcome.error as Error).message });
}

export class DbtSpansInterceptor implements ActivityInboundCallsInterceptor {
  constructor(private readonly ctx: Context, private readonly tracer: Tracer) {}

  async execute(input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    const info = this.ctx.info;
    const type = info.activityType;
    const arg = (input.args[0] ?? {}) as ActivityArg;
    const isNode = type === 'execute_node';
    const named = SPAN_NAMES[type];
    if (!isNode && !named) return next(input);
    const invocationId = arg.invocation_id ?? info.workflowExecution?.runId ?? '';
    const project = arg.project ?? arg.request?.project ?? null;
    const command = arg.command ?? arg.request?.command ?? null;
    const attributes: Attributes = { 'dbt.invocation_id': invocationId, 'temporal.attempt': info.attempt };
    if (project) attributes['dbt.project'] = project;
    if (command) attributes['dbt.command'] = command;
    if (isNode && arg.unique_id) Object.assign(attributes, { 'dbt.unique_id': arg.unique_id, 'dbt.resource_type': resourceTypeOf(arg.unique_id) });
    const parent = parentContext(invocationId);
    const name = isNode ? info.activityId : (named as (a: ActivityArg) => string)(arg);
    const span = this.tracer.startSpan(name, { attributes }, parent);
    const finish = (outcome: { result?: unknown; error?: unknown }): void => {
      if (isNode) endNode(this.tracer, span, parent, outcome);
      else endOther(span, type, arg, outcome);
      span.end();
    };
    try {
      const result = await otelContext.with(trace.setSpan(parent, span), () => next(input));
      finish({ result });
      return result;
    } catch (error) {
      finish({ error });
      throw error;
    }
  }
}
