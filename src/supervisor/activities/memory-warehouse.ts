// An in-memory DuckDB database (`:memory:`, or a profile without `path`) lives in one dbt
// process: a run on it must keep every node in one run context, so on one warm worker. Checked
// at plan time, where a wrong set-up still costs nothing.
import { Context } from '@temporalio/activity';
import { toFailure } from './deps.js';

const ACTIVITY_QUEUE = 2; // temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY

/** Throws a non-retryable CONFIG_ERROR naming the profile when the run cannot keep one database. */
export async function checkMemoryWarehouse(what: { project: string; target: string; engineMode: string }): Promise<void> {
  const fix = 'give the profile a DuckDB file path';
  if (what.engineMode !== 'warm') {
    throw toFailure('CONFIG_ERROR', `profile target '${what.target}' of project '${what.project}' uses an in-memory DuckDB database (path ':memory:' or no path), which lives in one dbt process: set DBT_ENGINE_MODE=warm (the default), or ${fix}`);
  }
  const ctx = Context.current();
  let pollers: string[];
  try {
    const res: { pollers?: { identity?: string | null }[] | null } = await ctx.client.workflowService.describeTaskQueue({
      namespace: ctx.info.activityNamespace, taskQueue: { name: ctx.info.taskQueue }, taskQueueType: ACTIVITY_QUEUE,
    });
    pollers = [...new Set((res.pollers ?? []).map((p) => p.identity ?? ''))];
  } catch {
    return; // the server would not say: the run goes ahead (its nodes stay on this worker if it is alone)
  }
  if (pollers.length > 1) {
    throw toFailure('CONFIG_ERROR', `profile target '${what.target}' of project '${what.project}' uses an in-memory DuckDB database (path ':memory:' or no path), but ${pollers.length} workers poll task queue '${ctx.info.taskQueue}': the run's nodes could land on different workers and lose data. Run it on a single worker (e.g. dbt-temporal local), or ${fix}`);
  }
}
