// What earlier runs leave for priority scheduling: durations always, and the cost figure
// TEMPORAL_PRIORITY_WEIGHT names, read from each result's adapter_response.
import { describe, expect, it } from 'vitest';
import type { JsonValue, NodeResult } from '../../../src/shared/contracts.js';
import type { PlanNode } from '../../../src/shared/plan.js';
import { priorityKeys } from '../../../src/shared/priority.js';
import type { PriorityWeight } from '../../../src/shared/priority.js';
import { NodeDurations } from '../../../src/supervisor/priority/node-durations.js';

const result = (id: string, seconds: number, adapter: Record<string, JsonValue>, status: NodeResult['status'] = 'success'): NodeResult =>
  ({ unique_id: id, status, execution_time: seconds, message: null, adapter_response: adapter, compiled_code: null, timing: [], failures: null });

/** Two independent chains: `slow` takes long and writes few rows, `big` is quick and writes many. */
const PLAN: PlanNode[] = [
  { unique_id: 'slow1', name: 'slow1', resource_type: 'model', depends_on: [] },
  { unique_id: 'big1', name: 'big1', resource_type: 'model', depends_on: [] },
  { unique_id: 'slow2', name: 'slow2', resource_type: 'model', depends_on: ['slow1'] },
  { unique_id: 'big2', name: 'big2', resource_type: 'model', depends_on: ['big1'] },
];
const RUN = [
  result('slow1', 30, { rows_affected: 10 }), result('slow2', 30, { rows_affected: 10 }),
  result('big1', 1, { rows_affected: 5_000_000, bytes_processed: 9e9 }), result('big2', 1, { rows_affected: 5_000_000 }),
];

/** The next run's priority keys after RUN, weighed by `weight` (as plan_project puts history on the plan). */
function keysAfterRun(weight: PriorityWeight): Map<string, number> {
  const history = new NodeDurations(weight);
  for (const r of RUN) history.record('p', r);
  const seen = history.of('p');
  return priorityKeys(PLAN.map((n) => {
    const h = seen.get(n.unique_id);
    return h ? { ...n, duration_s: h.duration_s, ...(h.cost === undefined ? {} : { cost: h.cost }) } : n;
  }));
}

describe('NodeDurations with a priority weight', () => {
  it('by duration (the default), the slow chain starts first; by rows affected, the big one does', () => {
    const byDuration = keysAfterRun('duration');
    expect([byDuration.get('slow1'), byDuration.get('big1')]).toEqual([1, 5]);
    const byRows = keysAfterRun('rows_affected');
    expect([byRows.get('big1'), byRows.get('slow1')]).toEqual([1, 5]);
  });

  it('records the cost beside the duration, smoothed, and keeps it when a later run does not report it', () => {
    const history = new NodeDurations('bytes_processed');
    history.record('p', result('a', 2, { bytes_processed: 1000 }));
    history.record('p', result('a', 4, { bytes_processed: 3000 }));
    expect(history.of('p').get('a')).toEqual({ duration_s: 3, cost: 2000 });
    history.record('p', result('a', 3, {}));
    expect(history.of('p').get('a')).toEqual({ duration_s: 3, cost: 2000 });
    // Failed and skipped nodes say nothing about their cost; by duration no cost is kept.
    history.record('p', result('b', 1, { bytes_processed: 5 }, 'error'));
    expect(history.of('p').has('b')).toBe(false);
    const plain = new NodeDurations();
    plain.record('p', result('a', 2, { bytes_processed: 1000 }));
    expect(plain.of('p').get('a')).toEqual({ duration_s: 2 });
  });

  it('falls back to durations when no node of the project reported the figure (DuckDB models report no rows)', () => {
    const history = new NodeDurations('slot_ms');
    for (const r of RUN) history.record('p', r);
    expect([...history.of('p').values()].every((h) => h.cost === undefined)).toBe(true);
    expect(keysAfterRun('slot_ms')).toEqual(keysAfterRun('duration'));
  });
});
