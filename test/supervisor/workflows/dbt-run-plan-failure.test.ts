// dbt_run's own failures with stubbed activities: bad input fails at once as INVALID_INPUT, and a
// plan that failed after its activity's retries is the run's failure, under its code and final
// (a workflow retry would only plan the same again), also when the code was retryable.
import { ApplicationFailure } from '@temporalio/activity';
import { describe, expect, inject, it } from 'vitest';
import type { DbtRunInput } from '../../../src/shared/contracts.js';
import type { Activities } from '../../../src/supervisor/activities/index.js';
import { createStubActivities, planNode, planOf } from '../../support/stub-activities.js';
import { runWithStubs } from '../../support/stub-worker.js';

/** Stubs whose plan_project always throws `error`; counts its attempts. */
function failingPlan(error: () => Error): { activities: Activities; attempts: () => number } {
  const stubs = createStubActivities(planOf([planNode('model', 'a')]));
  let attempts = 0;
  const plan_project: Activities['plan_project'] = async () => {
    attempts += 1;
    throw error();
  };
  return { activities: { ...stubs.activities, plan_project }, attempts: () => attempts };
}

describe("dbt_run's own failures (stubbed activities)", () => {
  it('fails bad input at once as a final INVALID_INPUT, before any plan', async () => {
    const stubs = failingPlan(() => new Error('never planned'));
    const run = await runWithStubs(inject('temporalAddress'), stubs.activities, { command: 'bogus' } as unknown as DbtRunInput);
    expect(run.failure).toMatchObject({ type: 'INVALID_INPUT', nonRetryable: true });
    expect(run.failure?.message).toMatch(/^input\.command must be one of /);
    expect(stubs.attempts()).toBe(0);
  });

  it("fails with a plan's retryable code after the plan's own retries, final", async () => {
    const stubs = failingPlan(() => ApplicationFailure.retryable('could not connect to server: Connection refused', 'DBT_TRANSIENT_ERROR'));
    const run = await runWithStubs(inject('temporalAddress'), stubs.activities, { command: 'build' });
    expect(stubs.attempts()).toBe(3);
    expect(run.failure).toMatchObject({ type: 'DBT_TRANSIENT_ERROR', message: 'could not connect to server: Connection refused', nonRetryable: true });
  });

  it('fails as PLAN_FAILED when the plan failed with an error that has no code of ours', async () => {
    const stubs = failingPlan(() => new TypeError("Cannot read properties of undefined (reading 'nodes')"));
    const run = await runWithStubs(inject('temporalAddress'), stubs.activities, { command: 'build' });
    expect(run.failure).toMatchObject({ type: 'PLAN_FAILED', message: "Cannot read properties of undefined (reading 'nodes')", nonRetryable: true });
  });
});
