// A dbt_run that failed because nodes failed carries its whole output in the failure's details
// (DESIGN §4): every client of ours (run, local, bench, the benchmarks, the tests) reads it here.
import { ApplicationFailure, WorkflowFailedError } from '@temporalio/client';
import type { DbtRunOutput } from '../../shared/contracts.js';
import { RUN_FAILED_ERROR_TYPE } from '../../shared/names.js';

/** The output a failed run carries, or null for any other failure. */
export function failedRunOutput(err: unknown): DbtRunOutput | null {
  const cause = err instanceof WorkflowFailedError ? err.cause : null;
  return cause instanceof ApplicationFailure && cause.type === RUN_FAILED_ERROR_TYPE ? ((cause.details?.[0] as DbtRunOutput | undefined) ?? null) : null;
}
