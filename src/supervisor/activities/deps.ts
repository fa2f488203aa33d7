// What activities need from the rest of the worker; injected by the composition root.
import { ApplicationFailure } from '@temporalio/activity';
import { classifyFailure } from '../../shared/failures.js';
import { isErrorCode } from '../../shared/errors.js';
import type { ErrorCode } from '../../shared/errors.js';
import type { Executor } from '../../executor/index.js';
import type { InvocationDefaults, ResolveCache } from '../projects/resolve-cache.js';
import type { ObservabilityDeps } from './observability-deps.js';
import type { Redactor } from '../redact.js';
import type { DuckDbConflictWarner } from '../duckdb-conflicts.js';
import type { RunEnvSource } from './run-env.js';
import type { RunClient } from './node-interruptions.js';

export interface ActivityDeps {
  cache: ResolveCache;
  /** The run's env (asked of its workflow, cached per run). */
  runEnv: RunEnvSource;
  executor: Executor;
  defaults: InvocationDefaults;
  /** Artifact store and search attribute settings. @default no artifacts, no static attributes */
  observability?: ObservabilityDeps;
  /** The worker's redactor (its secrets and the current runs'), for files written by activities. @default none */
  redact?: Redactor;
  /** The worker's client, to tell a run that a node was paused or reset from Temporal. @default none: runs are not told */
  runClient?: RunClient;
  /** Names a DuckDB file shared with another process at its first lock conflict. @default none */
  duckdbConflicts?: DuckDbConflictWarner;
}

/**
 * The one place where failures become Temporal failures (type = code), retryable as
 * classifyFailure decides; `permanent` is the project's `retry.non_retryable_errors`.
 */
export function toFailure(code: ErrorCode | null, message: string, details: unknown[] = [], permanent: readonly RegExp[] = []): ApplicationFailure {
  const verdict = classifyFailure({ code, message }, permanent);
  return ApplicationFailure.create({ type: verdict.code, message, nonRetryable: !verdict.retryable, details });
}

/** The failure of an error carrying a code of the catalogue (a CodedError), or null for any other error. */
export function codedFailure(err: unknown): ApplicationFailure | null {
  // Only catalogue codes: a Node error's own `code` (ENOENT, ERR_...) is no code of ours.
  const code = (err as { code?: unknown } | null)?.code;
  if (!(err instanceof Error) || !isErrorCode(code)) return null;
  const failure = toFailure(code, err.message);
  if (err.stack !== undefined) failure.stack = err.stack; // where it was thrown, not here
  return failure;
}

/** Rethrows coded errors as ApplicationFailures, anything else unchanged. */
export function rethrowCoded(err: unknown): never {
  throw codedFailure(err) ?? err;
}
