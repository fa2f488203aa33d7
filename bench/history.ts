// Reading a measured run back from Temporal's history: per-node overhead next to dbt's own
// timing, workflow tasks and events per node, and which worker ran each node.
import type { Client } from '@temporalio/client';
import type { DbtRunOutput } from '../src/shared/contracts.js';
import { dbtSpanMs as dbtMs, eventMs as ms } from '../src/supervisor/cli/bench-history.js';

/** Per node, the executor's overhead entries next to dbt's timing (where the time outside dbt goes). */
export function breakdown(output: DbtRunOutput): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const r of output.node_results) {
    for (const t of r.timing.filter((x) => x.name.startsWith('dbt_temporal:'))) {
      (out[t.name.slice('dbt_temporal:'.length)] ??= []).push(Date.parse(t.completed_at) - Date.parse(t.started_at));
    }
  }
  return out;
}

/** Per node: schedule-to-start and everything-but-dbt (schedule to completion minus dbt's span). */
export async function overheads(client: Client, workflowId: string, output: DbtRunOutput): Promise<{ overheadMs: number[]; overheadTotalMs: number[]; scheduleToStartMs: number[]; temporalMs: number[]; workflowTasksPerNode: number; eventsPerNode: number }> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const scheduled = new Map<number, { at: number; uniqueId: string }>();
  const started = new Map<number, number>();
  const byNode = new Map(output.node_results.map((r) => [r.unique_id, r]));
  const overheadMs: number[] = [];
  const overheadTotalMs: number[] = [];
  const scheduleToStartMs: number[] = [];
  const temporalMs: number[] = [];
  let workflowTasks = 0;
  for (const e of history.events ?? []) {
    const id = Number(e.eventId);
    if (e.workflowTaskCompletedEventAttributes) workflowTasks += 1;
    const sched = e.activityTaskScheduledEventAttributes;
    if (sched?.activityType?.name === 'execute_node') {
      const data = sched.input?.payloads?.[0]?.data;
      const input = data ? (JSON.parse(Buffer.from(data).toString('utf8')) as { unique_id: string }) : { unique_id: '' };
      scheduled.set(id, { at: ms(e.eventTime), uniqueId: input.unique_id });
    }
    const st = e.activityTaskStartedEventAttributes;
    if (st && scheduled.has(Number(st.scheduledEventId))) started.set(Number(st.scheduledEventId), ms(e.eventTime));
    const done = e.activityTaskCompletedEventAttributes;
    const s = done ? scheduled.get(Number(done.scheduledEventId)) : undefined;
    if (done && s) {
      const result = byNode.get(s.uniqueId);
      const startAt = started.get(Number(done.scheduledEventId)) ?? s.at;
      scheduleToStartMs.push(startAt - s.at);
      if (result) {
        // Service overhead: start to completion minus dbt's work and minus waiting for capacity
        // (the executor queue, e.g. the DuckDB single-writer lock); the total keeps every wait.
        const queued = result.timing.find((t) => t.name === 'dbt_temporal:queued');
        const queuedMs = queued ? Date.parse(queued.completed_at) - Date.parse(queued.started_at) : 0;
        overheadMs.push(Math.max(0, ms(e.eventTime) - startAt - dbtMs(result) - queuedMs));
        overheadTotalMs.push(Math.max(0, ms(e.eventTime) - s.at - dbtMs(result)));
        // Temporal's share: activity start to completion outside the executor's span (from the
        // task's arrival to its result read): the SDK's dispatch and completion, the activity glue.
        const results = result.timing.find((t) => t.name === 'dbt_temporal:results');
        if (queued && results) temporalMs.push(Math.max(0, ms(e.eventTime) - startAt - (Date.parse(results.completed_at) - Date.parse(queued.started_at))));
        if (process.env.BENCH_TRACE_FILE) {
          const own = result.timing.filter((t) => !t.name.startsWith('dbt_temporal:'));
          const { appendFileSync } = await import('node:fs');
          appendFileSync(process.env.BENCH_TRACE_FILE, `${JSON.stringify({ uid: s.uniqueId, where: 'history', h0: s.at, h1: startAt, h2: ms(e.eventTime),
            dbt0: Math.min(...own.map((t) => Date.parse(t.started_at))), dbt1: Math.max(...own.map((t) => Date.parse(t.completed_at))) })}\n`);
        }
      }
    }
  }
  const nodes = Math.max(1, output.node_results.length);
  return { overheadMs, overheadTotalMs, scheduleToStartMs, temporalMs, workflowTasksPerNode: workflowTasks / nodes, eventsPerNode: (history.events?.length ?? 0) / nodes };
}

/** execute_node activities per worker identity (the identity on each ActivityTaskStarted event). */
export async function nodesByIdentity(client: Client, workflowId: string): Promise<Map<string, number>> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const nodeActivities = new Set<number>();
  const out = new Map<string, number>();
  for (const e of history.events ?? []) {
    if (e.activityTaskScheduledEventAttributes?.activityType?.name === 'execute_node') nodeActivities.add(Number(e.eventId));
    const st = e.activityTaskStartedEventAttributes;
    if (st && nodeActivities.has(Number(st.scheduledEventId))) out.set(st.identity ?? '', (out.get(st.identity ?? '') ?? 0) + 1);
  }
  return out;
}
