// workflowFailure: the failures the dbt_run workflow throws itself take their type and
// retryability from the catalogue's verdict, never from the call site.
import { describe, expect, it } from 'vitest';
import { ApplicationFailure } from '@temporalio/common';
import { workflowFailure } from '../../src/shared/workflow-failure.js';

describe('workflowFailure', () => {
  it('fails bad input as a final INVALID_INPUT with the message as given', () => {
    const f = workflowFailure({ kind: 'invalid-input' }, 'input.command: unknown command "bogus"');
    expect(f).toBeInstanceOf(ApplicationFailure);
    expect(f).toMatchObject({ type: 'INVALID_INPUT', message: 'input.command: unknown command "bogus"', nonRetryable: true });
    expect(f.details).toBeUndefined();
  });

  it('fails a run as a final DbtRunFailed carrying its output in the details', () => {
    const output = { invocation_id: 'i', success: false };
    const f = workflowFailure({ kind: 'run-failed' }, 'dbt run failed: 1 node(s) errored or failed: model.p.a', [output]);
    expect(f).toMatchObject({ type: 'DbtRunFailed', nonRetryable: true, details: [output] });
  });

  it("keeps a failed plan's code and makes it final, retryable or not", () => {
    expect(workflowFailure({ kind: 'plan-failed', type: 'SELECTION_ERROR' }, 'bad')).toMatchObject({ type: 'SELECTION_ERROR', nonRetryable: true });
    expect(workflowFailure({ kind: 'plan-failed', type: 'DBT_TRANSIENT_ERROR' }, 'down')).toMatchObject({ type: 'DBT_TRANSIENT_ERROR', nonRetryable: true });
    expect(workflowFailure({ kind: 'plan-failed', type: 'TypeError' }, 'x is undefined')).toMatchObject({ type: 'PLAN_FAILED', message: 'x is undefined', nonRetryable: true });
  });
});
