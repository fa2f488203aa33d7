// Workflow cancellation: running node activities are cancelled (the executor kills their dbt
// process tree and the workflow waits for that), every other node becomes `cancelled`, and
// the workflow ends as cancelled. Artifacts are not written for a cancelled run.
import { ActivityFailure, CancellationScope, CancelledFailure, isCancellation } from '@temporalio/workflow';

export interface CancellationWatch {
  readonly requested: boolean;
}

/** Tracks whether cancellation of the workflow was requested. */
export function watchCancellation(): CancellationWatch {
  const state = { requested: false };
  CancellationScope.current().cancelRequested.catch(() => {
    state.requested = true;
  });
  return state;
}

/** Whether an activity error is the activity's cancellation. */
export function isActivityCancelled(err: unknown): boolean {
  return isCancellation(err) || (err instanceof ActivityFailure && err.cause instanceof CancelledFailure);
}

/** The error that ends the workflow as cancelled. */
export function cancelledRun(): CancelledFailure {
  return new CancelledFailure('dbt run cancelled');
}
