// The failures the dbt_run workflow throws itself (bad input, a failed plan, a failed run): the
// type is the fact's code from the catalogue and `nonRetryable` is runFailureVerdict's, never
// chosen at the call site. Workflow-safe (no Node builtins); activities use toFailure instead.
import { ApplicationFailure } from '@temporalio/common';
import { runFailureVerdict } from './failures.js';
import type { FailureFact } from './failures.js';

/** The run's failure for `fact`, with `message` and (e.g. the DbtRunOutput) `details`. */
export function workflowFailure(fact: FailureFact, message: string, details?: unknown[]): ApplicationFailure {
  const verdict = runFailureVerdict(fact);
  return ApplicationFailure.create({ type: verdict.code, message, nonRetryable: !verdict.retryable, ...(details ? { details } : {}) });
}
