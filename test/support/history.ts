// Reads node activities out of a workflow's history: ids, attempts, outcome and event order.
import type { TestClient } from './client.js';

export interface ActivityRecord {
  activityId: string;
  activityType: string;
  /** Position of the ActivityTaskScheduled event in the history. */
  scheduledAt: number;
  /** Position of the closing (completed/failed/timed out) event, or -1 while open. */
  closedAt: number;
  /** The attempt that closed the activity (earlier attempts are not in the history). */
  attempt: number;
  outcome: 'completed' | 'failed' | 'timed_out' | 'canceled' | 'open';
}

export interface HistoryView {
  activities: ActivityRecord[];
  /** Positions of WorkflowTaskCompleted events. */
  workflowTasksCompleted: number[];
}

const num = (v: unknown): number => Number(String(v ?? -1));

export async function readHistory(client: TestClient, workflowId: string): Promise<HistoryView> {
  const history = await client.client.workflow.getHandle(workflowId).fetchHistory();
  const events = history.events ?? [];
  const byScheduledId = new Map<number, ActivityRecord>();
  const activities: ActivityRecord[] = [];
  const workflowTasksCompleted: number[] = [];
  events.forEach((e, i) => {
    const id = num(e.eventId);
    if (e.workflowTaskCompletedEventAttributes) workflowTasksCompleted.push(i);
    const s = e.activityTaskScheduledEventAttributes;
    if (s) {
      const rec: ActivityRecord = { activityId: s.activityId ?? '', activityType: s.activityType?.name ?? '', scheduledAt: i, closedAt: -1, attempt: 0, outcome: 'open' };
      byScheduledId.set(id, rec);
      activities.push(rec);
    }
    const started = e.activityTaskStartedEventAttributes;
    if (started) {
      const rec = byScheduledId.get(num(started.scheduledEventId));
      if (rec) rec.attempt = started.attempt ?? 0;
    }
    const close = (attrs: { scheduledEventId?: unknown } | null | undefined, outcome: ActivityRecord['outcome']) => {
      const rec = attrs ? byScheduledId.get(num(attrs.scheduledEventId)) : undefined;
      if (rec) Object.assign(rec, { closedAt: i, outcome });
    };
    close(e.activityTaskCompletedEventAttributes, 'completed');
    close(e.activityTaskFailedEventAttributes, 'failed');
    close(e.activityTaskTimedOutEventAttributes, 'timed_out');
    close(e.activityTaskCanceledEventAttributes, 'canceled');
  });
  return { activities, workflowTasksCompleted };
}
