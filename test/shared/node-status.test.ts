// Every status dbt 1.11 can report (NodeStatus: RunStatus, TestStatus, FreshnessStatus values),
// plus our `cancelled`, treated as plain dbt treats it: whether dependents are skipped (dbt
// build's MARK_DEPENDENT_ERRORS_STATUSES), whether the run fails and the CLI exits 1 (dbt's
// interpret_results), and the summary bucket of the `Done.` line (dbt's interpret_run_result).
import { describe, expect, it } from 'vitest';
import type { NodeStatus } from '../../src/shared/contracts.js';
import { failsRun } from '../../src/shared/names.js';
import { countStatuses, doneLine, summaryBucket } from '../../src/shared/run-log.js';
import { DagScheduler } from '../../src/shared/scheduler.js';

const TABLE: [NodeStatus, { blocks: boolean; fails: boolean; bucket: string }][] = [
  ['success', { blocks: false, fails: false, bucket: 'pass' }],
  ['pass', { blocks: false, fails: false, bucket: 'pass' }],
  ['warn', { blocks: false, fails: false, bucket: 'warn' }],
  ['no-op', { blocks: false, fails: false, bucket: 'noop' }],
  ['error', { blocks: true, fails: true, bucket: 'error' }],
  ['fail', { blocks: true, fails: true, bucket: 'error' }],
  ['partial success', { blocks: true, fails: true, bucket: 'error' }],
  ['runtime error', { blocks: true, fails: true, bucket: 'error' }],
  ['skipped', { blocks: true, fails: true, bucket: 'skip' }],
  ['cancelled', { blocks: false, fails: true, bucket: 'skip' }],
];

function childIsBlocked(status: NodeStatus): boolean {
  const s = new DagScheduler([
    { unique_id: 'model.p.a', name: 'a', resource_type: 'model', depends_on: [] },
    { unique_id: 'model.p.b', name: 'b', resource_type: 'model', depends_on: ['model.p.a'] },
  ]);
  s.takeReady();
  s.complete('model.p.a', status);
  return s.isBlocked('model.p.b');
}

describe('dbt node statuses', () => {
  it.each(TABLE)('%s: blocks dependents, fails the run and counts in the summary as dbt does', (status, want) => {
    // (cancelled children are cancelled by the run, not skipped)
    expect(childIsBlocked(status)).toBe(want.blocks);
    expect(failsRun({ unique_id: 'model.p.a', status })).toBe(want.fails);
    expect(summaryBucket(status)).toBe(want.bucket);
  });

  it("does not fail the run for a skipped exposure (dbt leaves exposure skips out)", () => {
    expect(failsRun({ unique_id: 'exposure.p.dash', status: 'skipped' })).toBe(false);
  });

  it("prints dbt's Done line", () => {
    const results = TABLE.map(([status]) => ({ status }));
    expect(doneLine(countStatuses(results))).toBe('Done. PASS=2 WARN=1 ERROR=4 SKIP=2 NO-OP=1 TOTAL=10');
  });
});
