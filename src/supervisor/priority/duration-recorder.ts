// Activity interceptor: feeds each execute_node result's execution time into NodeDurations,
// for the priority keys of later runs of the same project.
import { ApplicationFailure } from '@temporalio/common';
import type { ActivityExecuteInput, ActivityInboundCallsInterceptor, Next } from '@temporalio/worker';
import type { NodeResult } from '../../shared/contracts.js';
import type { NodeDurations } from './node-durations.js';

export class DurationRecorder implements ActivityInboundCallsInterceptor {
  constructor(private readonly activityType: string, private readonly durations: NodeDurations) {}

  async execute(input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    if (this.activityType !== 'execute_node') return next(input);
    const project = (input.args[0] as { project?: unknown } | undefined)?.project;
    try {
      const result = await next(input);
      if (typeof project === 'string') this.durations.record(project, result as NodeResult);
      return result;
    } catch (err) {
      // A failing test still measured its query.
      const detail = err instanceof ApplicationFailure ? (err.details?.[0] as NodeResult | undefined) : undefined;
      if (typeof project === 'string' && detail?.unique_id) this.durations.record(project, detail);
      throw err;
    }
  }
}
