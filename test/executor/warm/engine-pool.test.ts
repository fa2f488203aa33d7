// The warm engine pool on real engines (dbt + DuckDB, no Temporal): a run's nodes share one run
// context, a DuckDB database is released when its context goes idle, engines are recycled after
// N requests, and close() leaves no engine process behind.
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
import { waitGone } from '../process-tree.js';

const PROJECT = `${REPO_ROOT}test/fixtures/warm_duck`;
let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'warm-pool-'));
});

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

function probeTask(db: string, run: string, vars: Record<string, string> = {}): NodeTask {
  return {
    type: 'node',
    invocation: {
      dbtPath: DBT, projectDir: PROJECT, profilesDir: PROJECT, target: null, vars, partialParse: null, timeoutMs: 120_000,
      env: { ...(process.env as Record<string, string>), WARM_DUCKDB_PATH: db },
      run: { invocation_id: run, run_started_at: '2026-01-02T03:04:05.000Z', event_time_start: null, event_time_end: null },
    },
    uniqueId: 'model.warm_duck.probe',
    subcommand: 'build',
    selector: 'fqn:warm_duck.probe,resource_type:model',
    fullRefresh: false,
    warehouse: `duckdb:${db}`,
  };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('warm engine pool', () => {
  it('runs a run\'s nodes in one context, releases DuckDB when it goes idle, recycles after maxInvocations', async () => {
    const pool = new WarmEnginePool({ maxEngines: 1, maxInvocations: 2, contextIdleMs: 200 });
    const link = directLink(pool, new AbortController().signal);
    const db = join(scratch, 'pool.duckdb');
    try {
      const first = await runNodeWarm(probeTask(db, 'run-a', { color: 'a' }), link, { enqueuedAt: Date.now() });
      expect(first.type).toBe('node');
      const second = await runNodeWarm(probeTask(db, 'run-a', { color: 'a' }), link, { enqueuedAt: Date.now() });
      expect(second.type).toBe('node');
      expect(pool.counters).toMatchObject({ spawned: 1, contexts: 1 });
      const pids = pool.pids;
      // Idle: the context closes, the database is released and the worn engine retires.
      await sleep(1_500);
      expect(await queryDuckDb(db, 'select color from probe')).toEqual([['a']]);
      expect(await waitGone(pids, 5_000)).toEqual([]);
      expect(pool.counters).toMatchObject({ recycled: 1 });
      const third = await runNodeWarm(probeTask(db, 'run-b', { color: 'c' }), link, { enqueuedAt: Date.now() });
      expect(third.type).toBe('node');
      expect(pool.counters).toMatchObject({ spawned: 2, contexts: 2 });
    } finally {
      const pids = pool.pids;
      await pool.close();
      expect(await waitGone(pids, 5_000)).toEqual([]);
    }
  });

  it('forks engines after the first from a template: fast starts, every run in its own database', async () => {
    const pool = new WarmEnginePool({ maxEngines: 3, contextIdleMs: 60_000 });
    const link = directLink(pool, new AbortController().signal);
    try {
      // One run first (spawned engine); the second engine's start brings up the template.
      const a = await runNodeWarm(probeTask(join(scratch, 'fork-a.duckdb'), 'fork-a', { color: 'a' }), link, { enqueuedAt: Date.now() });
      expect(a.type).toBe('node');
      const b = await runNodeWarm(probeTask(join(scratch, 'fork-b.duckdb'), 'fork-b', { color: 'b' }), link, { enqueuedAt: Date.now() });
      expect(b.type).toBe('node');
      const templates = (pool as unknown as { templates: { forked: number; rssMb: number } }).templates;
      const deadline = Date.now() + 60_000;
      while (templates.rssMb === 0 && Date.now() < deadline) await sleep(200);
      const t0 = Date.now();
      const c = await runNodeWarm(probeTask(join(scratch, 'fork-c.duckdb'), 'fork-c', { color: 'c' }), link, { enqueuedAt: Date.now() });
      expect(c.type).toBe('node');
      expect(templates.forked).toBe(1);
      expect(pool.counters).toMatchObject({ spawned: 3, contexts: 3 });
      expect(pool.pids).toHaveLength(3);
      // A forked engine has dbt imported already (a spawned one takes seconds to import it).
      process.stdout.write(`forked engine: first node in ${Date.now() - t0} ms\n`);
      const pids = pool.pids;
      await pool.close(); // the contexts hold their databases until then
      expect(await waitGone(pids, 5_000)).toEqual([]);
      for (const color of ['a', 'b', 'c']) expect(await queryDuckDb(join(scratch, `fork-${color}.duckdb`), 'select color from probe')).toEqual([[color]]);
    } finally {
      const pids = pool.pids;
      await pool.close();
      expect(await waitGone(pids, 5_000)).toEqual([]);
    }
  });

  it('records where a node\'s time went next to dbt\'s own timing', async () => {
    const pool = new WarmEnginePool({ maxEngines: 1 });
    try {
      const res = await runNodeWarm(probeTask(join(scratch, 'timing.duckdb'), 'run-t'), directLink(pool, new AbortController().signal), { enqueuedAt: Date.now() });
      if (res.type !== 'node') throw new Error(`unexpected ${res.type}: ${JSON.stringify(res)}`);
      const names = res.result.timing.map((t) => t.name);
      expect(names[0]).toBe('dbt_temporal:queued');
      expect(names[1]).toBe('dbt_temporal:engine');
      expect(names).toContain('execute');
      expect(names.at(-1)).toBe('dbt_temporal:results');
      expect(res.overheadMs.engine).toBeGreaterThanOrEqual(0);
    } finally {
      await pool.close();
    }
  });
});
