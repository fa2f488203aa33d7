// How runs and node attempts are labelled in the metrics.
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { nodeStatusOf, resourceTypeOf } from '../../../src/supervisor/interceptors/node-metrics.js';
import { commandLabel, runOutcome } from '../../../src/supervisor/metrics/run-interceptor.js';

describe('metric labels', () => {
  it('labels node attempts by resource type and dbt status', () => {
    expect(resourceTypeOf('model.p.orders')).toBe('model');
    expect(resourceTypeOf('unit_test.p.m.t')).toBe('unit_test');
    expect(resourceTypeOf(undefined)).toBe('unknown');
    expect(nodeStatusOf({ result: { status: 'pass' } })).toBe('pass');
    expect(nodeStatusOf({ error: ApplicationFailure.create({ type: 'DBT_DATABASE_ERROR', details: [{ status: 'error' }] }) })).toBe('error');
    expect(nodeStatusOf({ error: ApplicationFailure.create({ type: 'CANCELLED' }) })).toBe('cancelled');
    expect(nodeStatusOf({ error: new CancelledFailure('x') })).toBe('cancelled');
    expect(nodeStatusOf({ error: new Error('boom') })).toBe('error');
  });

  it('labels runs by command and outcome', () => {
    expect(commandLabel({ command: 'seed' })).toBe('seed');
    expect(commandLabel({})).toBe('build');
    expect(commandLabel({ command: 'drop tables' })).toBe('invalid');
    expect(runOutcome({ result: { skipped: false } })).toBe('success');
    expect(runOutcome({ result: { skipped: true } })).toBe('skipped');
    expect(runOutcome({ error: ApplicationFailure.create({ type: 'DbtRunFailed' }) })).toBe('failed');
    expect(runOutcome({ error: ApplicationFailure.create({ type: 'SELECTION_ERROR' }) })).toBe('rejected');
    expect(runOutcome({ error: new CancelledFailure('x') })).toBe('cancelled');
    expect(runOutcome({ error: new Error('workflow task failure') })).toBeNull();
  });
});
