// Plan-time input errors: characters no selector uses, an unknown target, tracebacks cut.
import { describe, expect, it } from 'vitest';
import { planFailure, selectorCharacterError, withoutTraceback } from '../../../src/supervisor/planning/plan-errors.js';

describe('plan-time input errors', () => {
  it('accepts dbt selector syntax and rejects control and shell characters', () => {
    expect(selectorCharacterError({ select: '+tag:nightly,path:models/staging config.materialized:table @orders', exclude: 'source:raw.*+' })).toBeNull();
    expect(selectorCharacterError({ select: 'a;b', exclude: null })).toMatch(/input\.select contains a character dbt selectors never use \(";" at position 1\)/);
    expect(selectorCharacterError({ select: null, exclude: 'x\u0000' })).toMatch(/input\.exclude/);
  });

  it('turns dbt\'s unknown-target error into INVALID_INPUT naming the valid targets', () => {
    const msg = "Runtime Error\n  The profile 'jaffle_duck' does not have a target named 'nope'. The valid target names for this profile are:\n   - dev\n   - prod\n";
    expect(planFailure('DBT_DATABASE_ERROR', msg)).toEqual({ code: 'INVALID_INPUT', message: "input.target: the profile 'jaffle_duck' has no target named 'nope' (targets: dev, prod)" });
  });

  it('cuts a Python traceback to its exception line', () => {
    const tb = 'dbt ls failed: Traceback (most recent call last):\n  File "x.py", line 1, in <module>\n    boom()\nValueError: bad selector "a/b"\n';
    expect(withoutTraceback(tb)).toBe('dbt ls failed: ValueError: bad selector "a/b" (traceback trimmed)');
    expect(planFailure('SELECTION_ERROR', tb).code).toBe('SELECTION_ERROR');
    expect(withoutTraceback('plain message')).toBe('plain message');
  });
});
