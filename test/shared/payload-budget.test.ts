// Payloads stay under Temporal's limits for large runs.
import { describe, expect, it } from 'vitest';
import type { NodeResult } from '../../src/shared/contracts.js';
import { fitCarry, fitLog, fitResults, jsonSize, logTail } from '../../src/shared/payload-budget.js';
import type { CarriedRun } from '../../src/shared/run-tracker.js';

function result(i: number): NodeResult {
  return {
    unique_id: `model.p.m${i}`, status: 'success', execution_time: 1, message: 'OK '.repeat(400), adapter_response: { rows_affected: 1 },
    compiled_code: `select ${'col, '.repeat(200)} 1`, timing: [], failures: null,
  };
}

describe('payload budget', () => {
  it('keeps small result sets unchanged', () => {
    const rs = [result(1), result(2)];
    expect(fitResults(rs)).toBe(rs);
  });

  it('drops compiled SQL, then shortens messages, to fit the budget', () => {
    const rs = Array.from({ length: 3000 }, (_, i) => result(i));
    const fitted = fitResults(rs);
    expect(jsonSize(fitted)).toBeLessThanOrEqual(1_500_000);
    expect(fitted).toHaveLength(3000);
    expect(fitted[0]?.compiled_code).toBeNull();
  });

  it('keeps dbt\'s own timing of 1,500 results by dropping the overhead entries first', () => {
    const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();
    const timing = ['dbt_temporal:queued', 'dbt_temporal:engine', 'compile', 'execute', 'dbt_temporal:results']
      .map((name, i) => ({ name, started_at: at(i), completed_at: at(i + 1) }));
    const rs = Array.from({ length: 1500 }, (_, i) => ({ ...result(i), message: 'SELECT 1000', compiled_code: null, timing }));
    // What a carried run has left for results next to a 1,500-node plan and its log.
    const budget = 800_000;
    expect(jsonSize(rs)).toBeGreaterThan(budget);
    const fitted = fitResults(rs, budget);
    expect(jsonSize(fitted)).toBeLessThanOrEqual(budget);
    expect(fitted[0]?.timing.map((t) => t.name)).toEqual(['compile', 'execute']);
    expect(fitted[0]?.message).toBe('SELECT 1000');
  });

  it('keeps the head and the tail of a log that is too large, and marks the cut', () => {
    const log = ['h1', 'h2', 'h3', '', ...Array.from({ length: 5000 }, (_, i) => `line ${i} ${'x'.repeat(50)}`)];
    const fitted = fitLog(log, 50_000);
    expect(jsonSize(fitted)).toBeLessThanOrEqual(50_000);
    expect(fitted.slice(0, 4)).toEqual(['h1', 'h2', 'h3', '']);
    expect(fitted[4]).toMatch(/log lines dropped/);
    expect(fitted.at(-1)).toBe(log.at(-1));
  });

  it('fits a carried run, keeping its whole plan', () => {
    const carried: CarriedRun = {
      invocation_id: 'i', segment: 1, started_at_ms: 0, next_index: 3001, fail_fast: false, stop_requested: false,
      plan: { project: 'p', command: 'build', target: null, has_on_run_start: false, has_on_run_end: false, nodes: Array.from({ length: 3000 }, (_, i) => ({ unique_id: `model.p.m${i}`, name: `m${i}`, resource_type: 'model' as const, depends_on: [] })) },
      results: Array.from({ length: 3000 }, (_, i) => result(i)), log: Array.from({ length: 6000 }, (_, i) => `${i} of 3000 OK ${'.'.repeat(60)}`),
    };
    const fitted = fitCarry(carried);
    expect(jsonSize(fitted)).toBeLessThanOrEqual(1_500_000);
    expect(fitted.plan.nodes).toHaveLength(3000);
    expect(fitted.results).toHaveLength(3000);
  });

  it('tails the log memo at 200 lines with a marker', () => {
    const tail = logTail(Array.from({ length: 500 }, (_, i) => String(i)));
    expect(tail).toHaveLength(200);
    expect(tail[0]).toMatch(/truncated/);
    expect(tail.at(-1)).toBe('499');
  });
});
