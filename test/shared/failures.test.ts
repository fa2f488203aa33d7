import { describe, expect, it } from 'vitest';
import { classifyDbtError, classifyFailure } from '../../src/shared/failures.js';
import { toFailure } from '../../src/supervisor/activities/deps.js';

describe('classifyFailure: the one verdict on every failure', () => {
  it('reads the code from dbt\'s message when the step named none', () => {
    expect(classifyFailure({ message: 'Database Error in model a: connection refused' })).toEqual({ code: 'DBT_TRANSIENT_ERROR', retryable: true });
    expect(classifyFailure({ message: "Compilation Error in model b: 'x' is undefined" })).toEqual({ code: 'DBT_COMPILATION_ERROR', retryable: false });
    expect(classifyFailure({ message: 'Binder Error: column c not found' })).toEqual({ code: 'DBT_DATABASE_ERROR', retryable: false });
    expect(classifyFailure({ message: "Env var required but not provided: 'X'" })).toEqual({ code: 'DBT_CONFIGURATION_ERROR', retryable: false });
    expect(classifyDbtError('IO Error: Could not set lock on file "w.duckdb"')).toBe('DBT_TRANSIENT_ERROR');
  });

  it('keeps a code the failing step named', () => {
    expect(classifyFailure({ code: 'DBT_ENGINE_ERROR', message: 'Compilation Error' })).toEqual({ code: 'DBT_ENGINE_ERROR', retryable: true });
    expect(classifyFailure({ code: 'CANCELLED', message: 'connection reset' })).toEqual({ code: 'CANCELLED', retryable: false });
  });

  it('turns a retryable failure permanent when the project says so, never the reverse', () => {
    const permanent = [/quota exceeded/i];
    expect(classifyFailure({ message: 'Database Error: timed out: quota exceeded' }, permanent)).toEqual({ code: 'DBT_TRANSIENT_ERROR', retryable: false });
    expect(classifyFailure({ message: 'Database Error: timed out' }, permanent).retryable).toBe(true);
    expect(classifyFailure({ code: 'INVALID_INPUT', message: 'anything' }, [/nothing/]).retryable).toBe(false);
  });

  it('is what toFailure applies to the Temporal failure', () => {
    const f = toFailure(null, 'Database Error: server closed the connection unexpectedly', [{ unique_id: 'model.p.a' }]);
    expect(f.type).toBe('DBT_TRANSIENT_ERROR');
    expect(f.nonRetryable).toBe(false);
    expect(f.details).toEqual([{ unique_id: 'model.p.a' }]);
    const g = toFailure('DBT_TRANSIENT_ERROR', 'rate limit: daily quota exceeded', [], [/daily quota/]);
    expect(g.nonRetryable).toBe(true);
  });
});
