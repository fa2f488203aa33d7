// Stable names shared by the workflow, the worker and clients.
import type { ErrorCode } from './errors.js';

export const WORKFLOW_TYPE = 'dbt_run';
export const DEFAULT_TASK_QUEUE = 'dbt-tasks';
export const DEFAULT_NAMESPACE = 'default';

/**
 * Failure type of a run that executed and had failed nodes; details[0] is the DbtRunOutput. A
 * code of the catalogue, spelled as the Rust project spells it: clients match on this string.
 */
export const RUN_FAILED_ERROR_TYPE = 'DbtRunFailed' satisfies ErrorCode;

/** Statuses that mean a node did not succeed: it blocks its dependents and fails the run (dbt: error, fail, partial success; runtime error is freshness's error). */
export const BLOCKING_STATUSES: readonly string[] = ['error', 'fail', 'runtime error', 'partial success'];

/** Statuses that count as failures for the run (a warn is not a failure, as in dbt). */
export function isFailureStatus(status: string): boolean {
  return BLOCKING_STATUSES.includes(status);
}

/**
 * Whether a result makes the run fail, as dbt's interpret_results decides (any error, fail,
 * partial success, runtime error, or skip of anything but an exposure), plus our `cancelled`.
 */
export function failsRun(result: { unique_id: string; status: string }): boolean {
  if (isFailureStatus(result.status) || result.status === 'cancelled') return true;
  return result.status === 'skipped' && !result.unique_id.startsWith('exposure.');
}
