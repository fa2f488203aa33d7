// What a dbt process's end means for its task, as facts (their codes: shared codeOf).
import type { ExecutorError } from '../../shared/executor-protocol.js';
import { dbtFailed, failed } from '../failure.js';
import { outputTail } from '../output-tail.js';
import type { DbtProcessResult } from './dbt-process.js';

/** The error for a dbt process that did not run to its end (cancelled, not started, timed out), or null. */
export function processFailure(p: DbtProcessResult, what: string): ExecutorError | null {
  if (p.cancelled) return failed({ kind: 'cancelled' }, `${what} was cancelled`);
  if (p.spawnError) return failed({ kind: 'cannot-start' }, `cannot start dbt: ${p.spawnError}`);
  if (p.timedOut) return failed({ kind: 'timed-out' }, `${what} timed out`);
  return null;
}

/** dbt's own failure, from the informative tail of its output. */
export function dbtExitFailure(p: DbtProcessResult, what: string, detail = `failed (dbt exit ${p.exitCode})`): ExecutorError {
  const tail = outputTail(p.output);
  return dbtFailed(tail, `${what} ${detail}: ${tail}`);
}
