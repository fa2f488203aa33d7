// Activity interceptor, outermost: (1) secrets never leave the worker in results or failures;
// (2) an attempt cancelled because *this worker* is shutting down fails as retryable, so the
// server retries the node on another worker instead of the run recording it as failed;
// (3) a coded error no activity turned into a failure (a store's CodedError) gets its code's.
import { ApplicationFailure } from '@temporalio/common';
import type { Context } from '@temporalio/activity';
import type { ActivityExecuteInput, ActivityInboundCallsInterceptor, Next } from '@temporalio/worker';
import { FAILURE_MESSAGE_MAX_CHARS, FAILURE_STACK_MAX_CHARS, boundText } from '../../shared/limits.js';
import { runEnvSecrets } from '../config/secrets.js';
import type { Redactor } from '../redact.js';
import { codeOf } from '../../shared/failures.js';
import { codedFailure, toFailure } from '../activities/deps.js';

export class FailureHygieneInterceptor implements ActivityInboundCallsInterceptor {
  private cancelReason: string | null = null;

  constructor(
    ctx: Context,
    private readonly redact: Redactor,
    private readonly secretEnvNames: readonly string[] = [],
  ) {
    ctx.cancelled.catch((err: unknown) => {
      this.cancelReason = (err as Error).message;
    });
  }

  async execute(input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    // The run's own secrets (secret-looking names in its `env`) join the worker's before dbt runs,
    // so results, failures, logs and artifacts written by the activity never carry them.
    this.redact.addTransient(runEnvSecrets(runEnvOf(input.args[0]), this.secretEnvNames));
    try {
      return this.redact.data(await next(input));
    } catch (err) {
      // The SDK's cancellation reason (its own name, not our code) when the worker shuts down.
      if (this.cancelReason === 'WORKER_SHUTDOWN') {
        throw toFailure(codeOf({ kind: 'worker-shutdown' }), 'worker shut down while this node was running; retrying on another worker');
      }
      throw this.clean(codedFailure(err) ?? err);
    }
  }

  private clean(err: unknown): unknown {
    if (err instanceof ApplicationFailure) {
      const clean = ApplicationFailure.create({
        ...(err.type ? { type: err.type } : {}),
        message: boundText(this.redact.text(err.message), FAILURE_MESSAGE_MAX_CHARS),
        nonRetryable: err.nonRetryable ?? false,
        details: boundDetails(this.redact.data(err.details ?? [])),
        ...(err.nextRetryDelay !== undefined && err.nextRetryDelay !== null ? { nextRetryDelay: err.nextRetryDelay } : {}),
      });
      clean.stack = boundText(this.redact.text(err.stack ?? ''), FAILURE_STACK_MAX_CHARS);
      return clean;
    }
    if (err instanceof Error && err.name !== 'CancelledFailure' && err.name !== 'AbortError') {
      err.message = boundText(this.redact.text(err.message), FAILURE_MESSAGE_MAX_CHARS);
      err.stack = boundText(this.redact.text(err.stack ?? ''), FAILURE_STACK_MAX_CHARS);
    }
    return err;
  }
}

/** A failure's details (a node result) with every long string (dbt's message, a traceback) bounded. */
function boundDetails(details: unknown[]): unknown[] {
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return boundText(v, FAILURE_STACK_MAX_CHARS);
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, k === 'message' && typeof x === 'string' ? boundText(x, FAILURE_MESSAGE_MAX_CHARS) : walk(x)]));
    return v;
  };
  return details.map(walk);
}

/** The run's `env` in an activity input: `{ env }` or `{ request: { env } }`. */
function runEnvOf(arg: unknown): Record<string, unknown> {
  const obj = (v: unknown): Record<string, unknown> | null => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null);
  const top = obj(arg);
  return obj(top?.['env']) ?? obj(obj(top?.['request'])?.['env']) ?? {};
}
