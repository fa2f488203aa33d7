import { describe, expect, it } from 'vitest';
import { CodedError, isRetryable } from '../../src/shared/errors.js';
import type { ErrorCode } from '../../src/shared/errors.js';
import { classifyDbtError, classifyFailure, codeOf, runFailureVerdict } from '../../src/shared/failures.js';
import type { FailureFact } from '../../src/shared/failures.js';
import { codedFailure, toFailure } from '../../src/supervisor/activities/deps.js';

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

  it("gives a coded error its code's failure, and leaves a Node error's own code (ENOENT) alone", () => {
    const missing = codedFailure(new CodedError('ARTIFACT_NOT_FOUND', 's3://b/k: no such key'));
    expect(missing).toMatchObject({ type: 'ARTIFACT_NOT_FOUND', message: 's3://b/k: no such key', nonRetryable: true });
    expect(missing?.stack).toContain('CodedError');
    expect(codedFailure(new CodedError('ARTIFACT_STORE_ERROR', 'throttled'))?.nonRetryable).toBe(false);
    expect(codedFailure(Object.assign(new Error('no such file'), { code: 'ENOENT' }))).toBeNull();
    expect(codedFailure('not an error')).toBeNull();
  });
});

describe('codeOf: what happened decides the code, in both engine modes', () => {
  const cases: [string, FailureFact, ErrorCode, boolean][] = [
    ['a cancelled task', { kind: 'cancelled' }, 'CANCELLED', false],
    ['a task past its timeout', { kind: 'timed-out' }, 'DBT_TRANSIENT_ERROR', true],
    ['an engine or dbt process that died mid-task', { kind: 'engine-lost' }, 'DBT_ENGINE_ERROR', true],
    ['dbt that cannot be started', { kind: 'cannot-start' }, 'DBT_CONFIGURATION_ERROR', false],
    ['a selection dbt ls rejects', { kind: 'list-failed', message: "Runtime Error\n  'bogus' is not a valid method name" }, 'SELECTION_ERROR', false],
    ['a listing that failed to parse the project', { kind: 'list-failed', message: 'Compilation Error in model a' }, 'DBT_COMPILATION_ERROR', false],
    ['a listing that lost the warehouse', { kind: 'list-failed', message: 'could not connect to server: Connection refused' }, 'DBT_TRANSIENT_ERROR', true],
    ["dbt's database error (by its exception type)", { kind: 'dbt', message: 'permission denied for database d', errorTypes: ['DbtDatabaseError', 'DbtRuntimeError', 'DbtBaseException'] }, 'DBT_DATABASE_ERROR', false],
    ["dbt's connection failure (by its exception type)", { kind: 'dbt', message: 'FATAL: password authentication failed', errorTypes: ['FailedToConnectError', 'DbtDatabaseError'] }, 'DBT_TRANSIENT_ERROR', true],
    ["dbt's compilation error (by its exception type)", { kind: 'dbt', message: "'x' is undefined", errorTypes: ['CompilationError', 'DbtRuntimeError'] }, 'DBT_COMPILATION_ERROR', false],
    ["dbt's profile error (by its exception type)", { kind: 'dbt', message: 'bad profile', errorTypes: ['DbtProfileError', 'DbtConfigError'] }, 'DBT_CONFIGURATION_ERROR', false],
    ['a lock held, whatever its type', { kind: 'dbt', message: 'IO Error: Could not set lock on file "w.duckdb"', errorTypes: ['DbtRuntimeError'] }, 'DBT_TRANSIENT_ERROR', true],
    ["dbt's error known by its text only", { kind: 'dbt', message: 'Database Error in model m: relation "x" does not exist' }, 'DBT_DATABASE_ERROR', false],
    ['an artifact the input names that does not exist (the input is wrong)', { kind: 'artifact', notFound: true }, 'INVALID_INPUT', false],
    ['an artifact store that failed to answer', { kind: 'artifact', notFound: false }, 'ARTIFACT_STORE_ERROR', true],
    ['input that fails validation', { kind: 'invalid-input' }, 'INVALID_INPUT', false],
    ['a node the project does not have', { kind: 'unknown-node' }, 'INVALID_INPUT', false],
    ['an activity cancelled by its worker shutting down', { kind: 'worker-shutdown' }, 'WORKER_SHUTDOWN', true],
    ['a plan that failed with a code of ours', { kind: 'plan-failed', type: 'SELECTION_ERROR' }, 'SELECTION_ERROR', false],
    ['a plan that failed with a retryable code of ours', { kind: 'plan-failed', type: 'DBT_TRANSIENT_ERROR' }, 'DBT_TRANSIENT_ERROR', true],
    ['a plan that failed with a type not ours (a bug)', { kind: 'plan-failed', type: 'TypeError' }, 'PLAN_FAILED', false],
    ['a plan that failed with no type', { kind: 'plan-failed', type: null }, 'PLAN_FAILED', false],
    ['a run with failed nodes', { kind: 'run-failed' }, 'DbtRunFailed', false],
  ];
  it.each(cases)('%s', (_what, fact, code, retryable) => {
    expect(codeOf(fact)).toBe(code);
    expect(isRetryable(codeOf(fact))).toBe(retryable);
  });

  it('has a row for every kind of fact', () => {
    // A new kind fails to compile here until it is listed, then this test until it has a row.
    const kinds: Record<FailureFact['kind'], true> = {
      cancelled: true, 'timed-out': true, 'engine-lost': true, 'cannot-start': true, 'list-failed': true, dbt: true, artifact: true,
      'invalid-input': true, 'unknown-node': true, 'worker-shutdown': true, 'plan-failed': true, 'run-failed': true,
    };
    expect(new Set(cases.map(([, fact]) => fact.kind))).toEqual(new Set(Object.keys(kinds)));
  });
});

describe("runFailureVerdict: the run's own failure", () => {
  const cases: [string, FailureFact, ErrorCode, boolean][] = [
    ['bad input is final', { kind: 'invalid-input' }, 'INVALID_INPUT', false],
    ['a failed run is final', { kind: 'run-failed' }, 'DbtRunFailed', false],
    ['a plan that failed keeps its code', { kind: 'plan-failed', type: 'PROJECT_NOT_FOUND' }, 'PROJECT_NOT_FOUND', false],
    // plan_project's retry policy already retried it: a workflow retry would plan the same again.
    ['a plan that failed is final even when its code was retryable', { kind: 'plan-failed', type: 'DBT_TRANSIENT_ERROR' }, 'DBT_TRANSIENT_ERROR', false],
    ['a plan that failed with a type not ours', { kind: 'plan-failed', type: 'Error' }, 'PLAN_FAILED', false],
  ];
  it.each(cases)('%s', (_what, fact, code, retryable) => {
    expect(runFailureVerdict(fact)).toEqual({ code, retryable });
  });

  it('is the catalogue for anything but a plan', () => {
    expect(runFailureVerdict({ kind: 'worker-shutdown' })).toEqual({ code: 'WORKER_SHUTDOWN', retryable: true });
  });
});
