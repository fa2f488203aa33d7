// DuckDB allows one writing process per database file: concurrent runs on the same file, with
// several activity slots, must never collide (a collision would show as a retried attempt).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { queryDuckDb } from '../support/duckdb.js';
import { useE2eWorker } from '../support/e2e-worker.js';
import { SECOND_PROJECT } from '../support/paths.js';

const e2e = useE2eWorker('single-writer', () => ({ DBT_PROJECT_DIR: SECOND_PROJECT, WORKER_MAX_CONCURRENT_ACTIVITIES: '6', DBT_ENGINE_MODE: 'subprocess' }));

describe('DuckDB single writer', () => {
  it('runs concurrent runs on one DuckDB file without a single lock conflict', async () => {
    const env = { SECOND_DUCKDB_PATH: join(e2e.scratch, 'shared.duckdb') };
    const runs = await Promise.all([1, 2, 3].map(() => e2e.run({ env })));
    for (const r of runs) expect(r.ok, r.message ?? '').toBe(true);
    for (const r of runs) {
      const history = await e2e.client.client.workflow.getHandle(r.workflowId).fetchHistory();
      const attempts = (history.events ?? []).map((e) => e.activityTaskStartedEventAttributes?.attempt).filter((a) => a !== undefined && a !== null);
      expect(attempts.length).toBeGreaterThan(0);
      expect(attempts.every((a) => a === 1)).toBe(true);
    }
    expect(await queryDuckDb(env.SECOND_DUCKDB_PATH, 'select city_count from city_summary')).toEqual([[3]]);
  });
});
