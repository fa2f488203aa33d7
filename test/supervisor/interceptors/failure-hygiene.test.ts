// The activity interceptor's failures: a coded error no activity turned into a failure gets its
// code's (type and retryability from the catalogue), secrets are redacted, and an attempt cut
// short by this worker's shutdown fails as a retryable WORKER_SHUTDOWN.
import { ApplicationFailure } from '@temporalio/common';
import type { Context } from '@temporalio/activity';
import type { ActivityExecuteInput } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { CodedError } from '../../../src/shared/errors.js';
import { FailureHygieneInterceptor } from '../../../src/supervisor/interceptors/failure-hygiene.js';
import { createRedactor } from '../../../src/supervisor/redact.js';

/** The interceptor on an activity whose cancellation (if any) has `reason`; what `fails` throws comes out. */
async function failureOf(fails: unknown, cancelReason?: string): Promise<unknown> {
  const cancelled = cancelReason === undefined ? new Promise<never>(() => {}) : Promise.reject(new Error(cancelReason));
  const interceptor = new FailureHygieneInterceptor({ cancelled } as unknown as Context, createRedactor(['s3cr3t-pass']));
  await Promise.resolve(); // the cancellation's reason is noted
  const input = { args: [{}], headers: {} } as unknown as ActivityExecuteInput;
  return interceptor.execute(input, () => Promise.reject(fails)).then(() => null, (err: unknown) => err);
}

describe('FailureHygieneInterceptor', () => {
  it("gives a stray coded error its code's failure, final when the code is", async () => {
    const err = await failureOf(new CodedError('ARTIFACT_NOT_FOUND', 's3://b/run_results.json: no such key (s3cr3t-pass)'));
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect(err).toMatchObject({ type: 'ARTIFACT_NOT_FOUND', message: 's3://b/run_results.json: no such key (***)', nonRetryable: true });
    expect(await failureOf(new CodedError('ARTIFACT_STORE_ERROR', 'throttled'))).toMatchObject({ type: 'ARTIFACT_STORE_ERROR', nonRetryable: false });
  });

  it('leaves other errors as they are (a Node error code is not ours)', async () => {
    const enoent = Object.assign(new Error('ENOENT: no such file'), { code: 'ENOENT' });
    expect(await failureOf(enoent)).toBe(enoent);
    expect(await failureOf(ApplicationFailure.nonRetryable('bad', 'SELECTION_ERROR'))).toMatchObject({ type: 'SELECTION_ERROR', nonRetryable: true });
  });

  it("fails an attempt cut short by this worker's shutdown as a retryable WORKER_SHUTDOWN", async () => {
    const err = await failureOf(new Error('cancelled'), 'WORKER_SHUTDOWN');
    expect(err).toMatchObject({ type: 'WORKER_SHUTDOWN', nonRetryable: false, message: 'worker shut down while this node was running; retrying on another worker' });
  });
});
