// The one verdict on every failure: its stable code (read from dbt's message when the executor
// could not name one) and whether a retry can help (the code's nature, overridden by the
// project's `retry.non_retryable_errors`). Activities turn every failure into a Temporal
// failure through it (toFailure in supervisor/activities/deps.ts).
import { isRetryable } from './errors.js';
import type { ErrorCode } from './errors.js';

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

export interface FailureVerdict {
  code: ErrorCode;
  retryable: boolean;
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
