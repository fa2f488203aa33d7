// Keeps workflow payloads (the result, the continue-as-new input, activity inputs) under
// Temporal's blob limit (2 MB; the SDK warns at 512 KB by default, ours above the budget) for projects with thousands of nodes.
import type { NodeResult } from './contracts.js';
import type { CarriedRun } from './run-tracker.js';

/** Budget for one payload, leaving headroom under the server's 2 MB blob limit. */
export const PAYLOAD_BUDGET_BYTES = 1_500_000;

/** The worker's payload warning threshold: above our budget (with encoding headroom), under 2 MB. */
export const PAYLOAD_WARN_BYTES = 1_700_000;

const MESSAGE_CHARS = 500;

/** Approximate encoded size (JSON text; our payloads are mostly ASCII). */
export function jsonSize(value: unknown): number {
  return JSON.stringify(value).length;
}

/**
 * Results that fit in `budget` bytes: unchanged if they already fit, else without compiled
 * SQL, then without dbt-temporal's overhead timing entries (dbt's own compile/execute stay),
 * then with messages cut to 500 characters, then to 80 characters and without timings.
 */
export function fitResults(results: NodeResult[], budget = PAYLOAD_BUDGET_BYTES): NodeResult[] {
  if (jsonSize(results) <= budget) return results;
  const withoutSql = results.map((r) => ({ ...r, compiled_code: null }));
  if (jsonSize(withoutSql) <= budget) return withoutSql;
  const dbtTiming = withoutSql.map((r) => ({ ...r, timing: r.timing.filter((t) => !t.name.startsWith('dbt_temporal:')) }));
  if (jsonSize(dbtTiming) <= budget) return dbtTiming;
  const short = dbtTiming.map((r) => ({ ...r, message: r.message === null ? null : r.message.slice(0, MESSAGE_CHARS), adapter_response: {} }));
  if (jsonSize(short) <= budget) return short;
  return short.map((r) => ({ ...r, message: r.message === null ? null : r.message.slice(0, 80), timing: [] }));
}

/** A log that fits in `budget` bytes: its head (header) and as much of its tail as fits. */
export function fitLog(log: string[], budget: number): string[] {
  if (jsonSize(log) <= budget) return log;
  const head = log.slice(0, 4);
  const tail: string[] = [];
  let size = jsonSize(head) + 80;
  for (let i = log.length - 1; i >= head.length; i--) {
    const line = log[i] as string;
    size += line.length + 3;
    if (size > budget) break;
    tail.unshift(line);
  }
  return [...head, `... (${log.length - head.length - tail.length} log lines dropped to stay within Temporal's payload limit)`, ...tail];
}

/** A carried run that fits the budget; the plan is never cut (it is needed to go on). */
export function fitCarry(carried: CarriedRun, budget = PAYLOAD_BUDGET_BYTES): CarriedRun {
  if (jsonSize(carried) <= budget) return carried;
  const rest = Math.max(0, budget - jsonSize({ ...carried, results: [], log: [] }));
  // A trim here is final for the whole run.
  return { ...carried, ...fitResultsAndLog(carried.results, carried.log, rest) };
}

/**
 * Results and log that fit `budget` together: the log takes at most 40% (it is usually far
 * less) and results everything else, so they keep dbt's timing as long as they can.
 */
export function fitResultsAndLog(results: NodeResult[], log: string[], budget: number): { results: NodeResult[]; log: string[] } {
  const fittedLog = fitLog(log, Math.max(10_000, Math.floor(budget * 0.4)));
  return { results: fitResults(results, budget - jsonSize(fittedLog)), log: fittedLog };
}

/** The last `lines` lines of the log for the `log` memo, marked when cut. */
export function logTail(log: readonly string[], lines = 200): string[] {
  if (log.length <= lines) return [...log];
  return ['... (log truncated, full log available in artifacts)', ...log.slice(-(lines - 1))];
}
