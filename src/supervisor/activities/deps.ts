// What activities need from the rest of the worker; injected by the composition root.
import { ApplicationFailure } from '@temporalio/activity';
import { classifyFailure } from '../../shared/failures.js';
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

/** Rethrows coded errors as ApplicationFailures, anything else unchanged. */
export function rethrowCoded(err: unknown): never {
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && err instanceof Error) throw toFailure(code as ErrorCode, err.message);
  throw err;
}
