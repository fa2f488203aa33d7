// Cancelling one node of a run context on a real engine (dbt + DuckDB): its query is
// interrupted and it ends cancelled, while another node of the same context completes.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodeTask } from '../../../src/shared/executor-protocol.js';
import { WarmEnginePool } from '../../../src/executor/warm/engine-pool.js';
import { directLink } from '../../../src/executor/warm/engine-link.js';
import { runNodeWarm } from '../../../src/executor/warm/run-node.js';
import { queryDuckDb } from '../../support/duckdb.js';
import { DBT, REPO_ROOT } from '../../support/paths.js';

const PROJECT = `${REPO_ROOT}test/fixtures/slow_duck`;
let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'warm-cancel-'));
});

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

function task(db: string, model: string): NodeTask {
  return {
    type: 'node',
    invocation: {
      // Target `threads2`: the profile's two dbt threads let both nodes run at once.
      dbtPath: DBT, projectDir: PROJECT, profilesDir: PROJECT, target: 'threads2', vars: {}, partialParse: null, timeoutMs: 300_000,
      // `slow` would take minutes at this size: only an interrupted query ends it in time.
      env: { ...(process.env as Record<string, string>), SLOW_DUCKDB_PATH: db, SLOW_ROWS_K: '400' },
      run: { invocation_id: 'run-cancel', run_started_at: '2026-01-02T03:04:05.000Z', event_time_start: null, event_time_end: null },
    },
    uniqueId: `model.slow_duck.${model}`,
    subcommand: 'run',
    selector: `fqn:slow_duck.${model},resource_type:model`,
    fullRefresh: false,
    warehouse: `duckdb:${db}`,
  };
}

describe('cancelling one node of a run context', () => {
  it('interrupts its query and leaves the other node running to completion', async () => {
    const pool = new WarmEnginePool({ maxEngines: 1, defaultContextThreads: 2 });
    const db = join(scratch, 'cancel.duckdb');
    const stop = new AbortController();
    try {
      const t0 = Date.now();
      const slow = runNodeWarm(task(db, 'slow'), directLink(pool, stop.signal), { enqueuedAt: t0 });
      // Once the slow node is running, a quick node joins the same context and completes.
      await new Promise((r) => setTimeout(r, 8_000));
      const quick = await runNodeWarm(task(db, 'c1'), directLink(pool, new AbortController().signal), { enqueuedAt: Date.now() });
      expect(quick.type).toBe('node');
      expect(pool.pids).toHaveLength(1);
      stop.abort();
      const cancelled = await slow;
      expect(cancelled).toMatchObject({ type: 'error', code: 'CANCELLED' });
      // The engine survived (the query was interrupted, not the process killed).
      expect(pool.counters.crashed).toBe(0);
      expect(pool.pids).toHaveLength(1);
      expect(pool.counters.contexts).toBe(1);
    } finally {
      await pool.close();
    }
    expect(await queryDuckDb(db, 'select id from c1')).toEqual([[1]]);
  });
});
