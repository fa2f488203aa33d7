// The one verdict on every failure: its stable code (from what happened: codeOf a FailureFact,
// or read from dbt's message when only that is known) and whether a retry can help (the code's
// nature in the catalogue, overridden by the project's `retry.non_retryable_errors`; the run's
// own failures by runFailureVerdict). Activities turn every failure into a Temporal failure
// through it (toFailure in supervisor/activities/deps.ts), the workflow through workflowFailure.
import { isErrorCode, isRetryable } from './errors.js';
import type { ErrorCode } from './errors.js';
import { RUN_FAILED_ERROR_TYPE } from './names.js';

/** Signatures of warehouse/network problems that may go away on retry. */
const TRANSIENT_PATTERNS: readonly RegExp[] = [
  /could not set lock on file/i, // DuckDB: another process holds the database file
  /connection (refused|reset|closed|timed out)/i,
  /could not connect to server/i,
  /server closed the connection unexpectedly/i,
  /could not translate host name/i,
  /the database system is (starting up|shutting down)/i,
  /terminating connection due to administrator command/i,
  /broken pipe/i,
  /\btimed? ?out\b/i,
  /too many (connections|requests)/i,
  /rate limit/i,
  /service unavailable/i,
  /deadlock detected/i,
  /could not serialize access/i,
  /try again/i,
];

/** The code of a failed dbt step from its message; compilation and SQL errors are permanent. */
export function classifyDbtError(message: string): ErrorCode {
  if (TRANSIENT_PATTERNS.some((p) => p.test(message))) return 'DBT_TRANSIENT_ERROR';
  if (/compilation error|parsing error|jinja|syntax error/i.test(message)) return 'DBT_COMPILATION_ERROR';
  if (/database error|runtime error|binder error|catalog error|conversion error/i.test(message)) return 'DBT_DATABASE_ERROR';
  if (/profile|target|env var|vars|dbt_project\.yml|could not find/i.test(message)) return 'DBT_CONFIGURATION_ERROR';
  return 'DBT_DATABASE_ERROR';
}

/**
 * What happened, as the executor, the engine, an activity or the workflow saw it: the one input
 * to a failure's code where the code depends on what happened. Call sites report facts, not
 * codes; `codeOf` is the only place that turns them into one.
 */
export type FailureFact =
  /** The task was cancelled (activity cancellation, worker shutdown). */
  | { kind: 'cancelled' }
  /** The task ran past its own timeout. */
  | { kind: 'timed-out' }
  /** dbt (its process or engine) died mid-task or answered nothing usable for it. */
  | { kind: 'engine-lost' }
  /** dbt could not be started at all (no interpreter, no executable, a failed self-check). */
  | { kind: 'cannot-start' }
  /** `dbt ls` failed (the plan's listing): a selection it rejects, unless its text shows a parse or a warehouse problem. */
  | { kind: 'list-failed'; message: string }
  /**
   * dbt reported an error: its text, and where the engine caught it, the exception's class
   * and base class names (e.g. `['DbtDatabaseError', 'DbtRuntimeError', ...]`).
   */
  | { kind: 'dbt'; message: string; errorTypes?: readonly string[] | null }
  /** An artifact the input names could not be read: it does not exist (the input's fault), or the store failed. */
  | { kind: 'artifact'; notFound: boolean }
  /** The run's input is wrong (a field, a selector's characters, a target, a ref's contents). */
  | { kind: 'invalid-input' }
  /** A node the run asked for is not in the worker's project (the project changed under the run). */
  | { kind: 'unknown-node' }
  /** This worker is shutting down and cancelled the activity (its cancellation reason). */
  | { kind: 'worker-shutdown' }
  /** plan_project failed after its retries, with this failure type (none or not ours: PLAN_FAILED). */
  | { kind: 'plan-failed'; type: string | null | undefined }
  /** The run ended with failed or cancelled nodes, or an `on_error: fail` hook failed. */
  | { kind: 'run-failed' };

/** dbt's exception classes (and their bases), most specific first, with the code each means. */
const DBT_ERROR_TYPES: readonly [string, ErrorCode][] = [
  ['FailedToConnectError', 'DBT_TRANSIENT_ERROR'],
  ['OperationalError', 'DBT_TRANSIENT_ERROR'],
  ['DbtDatabaseError', 'DBT_DATABASE_ERROR'],
  ['DatabaseError', 'DBT_DATABASE_ERROR'],
  ['CompilationError', 'DBT_COMPILATION_ERROR'],
  ['ParsingError', 'DBT_COMPILATION_ERROR'],
  ['DbtProfileError', 'DBT_CONFIGURATION_ERROR'],
  ['DbtProjectError', 'DBT_CONFIGURATION_ERROR'],
  ['DbtConfigError', 'DBT_CONFIGURATION_ERROR'],
];

/** The code of dbt's own error: a transient signature first, then its exception type, then its text. */
function codeOfDbtError(message: string, errorTypes: readonly string[]): ErrorCode {
  if (TRANSIENT_PATTERNS.some((p) => p.test(message))) return 'DBT_TRANSIENT_ERROR';
  for (const [type, code] of DBT_ERROR_TYPES) if (errorTypes.includes(type)) return code;
  return classifyDbtError(message);
}

/** The error code a fact means (its retryability is the code's: `isRetryable`). */
export function codeOf(fact: FailureFact): ErrorCode {
  switch (fact.kind) {
    case 'cancelled':
      return 'CANCELLED';
    case 'timed-out':
      return 'DBT_TRANSIENT_ERROR';
    case 'engine-lost':
      return 'DBT_ENGINE_ERROR';
    case 'cannot-start':
      return 'DBT_CONFIGURATION_ERROR';
    case 'list-failed': {
      // The same listing fails the same way in both engine modes (a warm engine reports its
      // parse failures apart; a dbt process's output tells them by dbt's own words).
      if (TRANSIENT_PATTERNS.some((p) => p.test(fact.message))) return 'DBT_TRANSIENT_ERROR';
      return /compilation error|parsing error/i.test(fact.message) ? 'DBT_COMPILATION_ERROR' : 'SELECTION_ERROR';
    }
    case 'dbt':
      return codeOfDbtError(fact.message, fact.errorTypes ?? []);
    case 'artifact':
      // A ref that names nothing is the input's fault; a store that failed to answer may answer a retry.
      return fact.notFound ? 'INVALID_INPUT' : 'ARTIFACT_STORE_ERROR';
    case 'invalid-input':
    case 'unknown-node':
      return 'INVALID_INPUT';
    case 'worker-shutdown':
      return 'WORKER_SHUTDOWN';
    case 'plan-failed':
      return isErrorCode(fact.type) ? fact.type : 'PLAN_FAILED';
    case 'run-failed':
      return RUN_FAILED_ERROR_TYPE;
  }
}

export interface FailureVerdict {
  code: ErrorCode;
  retryable: boolean;
}

/**
 * The verdict on the run's own failure (what the workflow throws): the fact's code, retryable as
 * the catalogue says, except a failed plan, which is final whatever its code: plan_project's own
 * retry policy already retried a retryable code (its attempts ran), and a workflow retry would
 * only start the run over to plan the same project against the same warehouse again.
 */
export function runFailureVerdict(fact: FailureFact): FailureVerdict {
  const code = codeOf(fact);
  return { code, retryable: fact.kind !== 'plan-failed' && isRetryable(code) };
}

/**
 * Classifies a failure: `code` when the failing step named one, else the code of dbt's message;
 * retryable when the code is, unless the message matches one of `permanent` (a project's
 * `retry.non_retryable_errors`). Nothing makes a permanent code retryable.
 */
export function classifyFailure(failure: { code?: ErrorCode | null; message: string }, permanent: readonly RegExp[] = []): FailureVerdict {
  const code = failure.code ?? classifyDbtError(failure.message);
  return { code, retryable: isRetryable(code) && !permanent.some((re) => re.test(failure.message)) };
}
