// Activity interceptor, outermost: (1) secrets never leave the worker in results or failures;
// (2) an attempt cancelled because *this worker* is shutting down fails as retryable, so the
// server retries the node on another worker instead of the run recording it as failed.
import { ApplicationFailure } from '@temporalio/common';
import type { Context } from '@temporalio/activity';
import type { ActivityExecuteInput, ActivityInboundCallsInterceptor, Next } from '@temporalio/worker';
import type { Redactor } from '../redact.js';

export const WORKER_SHUTDOWN_ERROR_TYPE = 'WORKER_SHUTDOWN';

export class FailureHygieneInterceptor implements ActivityInboundCallsInterceptor {
  private cancelReason: string | null = null;

  constructor(
    ctx: Context,
    private readonly redact: Redactor,
  ) {
    ctx.cancelled.catch((err: unknown) => {
      this.cancelReason = (err as Error).message;
    });
  }

  async execute(input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    try {
      return this.redact.data(await next(input));
    } catch (err) {
      if (this.cancelReason === 'WORKER_SHUTDOWN') {
        throw ApplicationFailure.retryable('worker shut down while this node was running; retrying on another worker', WORKER_SHUTDOWN_ERROR_TYPE);
      }
      throw this.clean(err);
    }
  }

  private clean(err: unknown): unknown {
    if (err instanceof ApplicationFailure) {
      const clean = ApplicationFailure.create({
        ...(err.type ? { type: err.type } : {}),
        message: this.redact.text(err.message),
        nonRetryable: err.nonRetryable ?? false,
        details: this.redact.data(err.details ?? []),
        ...(err.nextRetryDelay !== undefined && err.nextRetryDelay !== null ? { nextRetryDelay: err.nextRetryDelay } : {}),
      });
      clean.stack = this.redact.text(err.stack ?? '');
      return clean;
    }
    if (err instanceof Error && err.name !== 'CancelledFailure' && err.name !== 'AbortError') {
      err.message = this.redact.text(err.message);
      err.stack = this.redact.text(err.stack ?? '');
    }
    return err;
  }
}
