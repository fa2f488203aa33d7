// Parked run contexts on real engines (dbt + DuckDB, no Temporal): when two runs take turns on
// one engine, the run whose turn ends stays parked and its next node resumes it (no second open);
// each turn sees only its own run's vars, env and flags; a parked run holds no DuckDB file; a
// finished run's parked context is ended; a memory budget without room for parking parks nothing.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodeTask } from '../../../src/shared/executor-protocol.js';
import { WarmEnginePool } from '../../../src/executor/warm/engine-pool.js';
import type { WarmEngineOptions } from '../../../src/executor/warm/options.js';
import { directLink } from '../../../src/executor/warm/engine-link.js';
import { runNodeWarm } from '../../../src/executor/warm/run-node.js';
import { queryDuckDb } from '../../support/duckdb.js';
import { PARITY_MAIN } from '../../support/parity-fixtures.js';
import { DBT, REPO_ROOT } from '../../support/paths.js';
import { usePostgres } from '../../support/use-postgres.js';
import { waitGone } from '../process-tree.js';

const PROJECT = `${REPO_ROOT}test/fixtures/warm_duck`;
const pg = usePostgres();
let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'warm-parked-'));
});

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

interface Run {
  id: string;
  db: string;
  color: string;
  shade: string;
  fullRefresh: boolean;
}

function probe(run: Run): NodeTask {
  return {
    type: 'node',
    invocation: {
      dbtPath: DBT, projectDir: PROJECT, profilesDir: PROJECT, target: null, vars: { color: run.color }, partialParse: null, timeoutMs: 120_000,
      env: { ...(process.env as Record<string, string>), WARM_DUCKDB_PATH: run.db, SHADE: run.shade },
      run: { invocation_id: run.id, run_started_at: '2026-01-02T03:04:05.000Z', event_time_start: null, event_time_end: null },
    },
    uniqueId: 'model.warm_duck.probe',
    subcommand: 'build',
    selector: 'fqn:warm_duck.probe,resource_type:model',
    fullRefresh: run.fullRefresh,
    warehouse: `duckdb:${run.db}`,
  };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Two runs, each built twice in turns on one engine; returns the pool's counters and each run's table. */
async function takeTurns(options: WarmEngineOptions, name: string) {
  const pool = new WarmEnginePool({ maxEngines: 1, contextGraceMs: 0, contextIdleMs: 60_000, ...options });
  const link = directLink(pool, new AbortController().signal);
  const runs: Run[] = [
    { id: `${name}-a`, db: join(scratch, `${name}-a.duckdb`), color: 'red', shade: 'dark', fullRefresh: false },
    { id: `${name}-b`, db: join(scratch, `${name}-b.duckdb`), color: 'blue', shade: 'light', fullRefresh: true },
  ];
  const [a, b] = runs as [Run, Run];
  const build = async (run: Run): Promise<void> => {
    const res = await runNodeWarm(probe(run), link, { enqueuedAt: Date.now() });
    expect(res.type === 'node' && res.result.status, JSON.stringify(res).slice(0, 2_000)).toBe('success');
  };
  try {
    await build(a);
    await build(b); // a's turn ends: parked (or closed), b opens
    // While b holds the engine, a parked run holds no DuckDB file: another process opens it.
    const whileParked = await queryDuckDb(a.db, 'select color, shade, full_refresh from probe');
    await build(a); // a's next node: resumed (or opened again)
    await build(b);
    const counters = { ...pool.counters, parked: pool.parked };
    await pool.releaseRun(a.id);
    await pool.releaseRun(b.id);
    const pids = pool.pids;
    await pool.close();
    expect(await waitGone(pids, 5_000)).toEqual([]);
    const tables = await Promise.all(runs.map((r) => queryDuckDb(r.db, 'select color, shade, full_refresh from probe')));
    return { counters, whileParked, tables };
  } finally {
    await pool.close();
  }
}

describe('parked run contexts', () => {
  it('resume a run\'s context on its next turn, each turn with its own run\'s vars, env and flags', async () => {
    const { counters, whileParked, tables } = await takeTurns({}, 'park');
    expect(counters).toMatchObject({ spawned: 1, contexts: 2, parks: 3, resumes: 2, parked: 1 });
    expect(whileParked).toEqual([['red', 'dark', 'False']]);
    expect(tables).toEqual([[['red', 'dark', 'False']], [['blue', 'light', 'True']]]);
  }, 180_000);

  it('ends a finished run\'s parked context while another run holds the engine, then serves that run', async () => {
    const pool = new WarmEnginePool({ maxEngines: 1, contextGraceMs: 0, contextIdleMs: 60_000 });
    const link = directLink(pool, new AbortController().signal);
    const a: Run = { id: 'end-a', db: join(scratch, 'end-a.duckdb'), color: 'green', shade: 'pale', fullRefresh: false };
    const b: Run = { id: 'end-b', db: join(scratch, 'end-b.duckdb'), color: 'black', shade: 'deep', fullRefresh: false };
    try {
      for (const run of [a, b]) expect((await runNodeWarm(probe(run), link, { enqueuedAt: Date.now() })).type).toBe('node');
      expect(pool.parked).toBe(1);
      await pool.releaseRun(a.id); // a is parked, b active: the engine ends a once b gives it up
      // The release did not wait for that: b's context is still open (its idle close is a minute away).
      expect(pool.engines.map((e) => e.context)).toEqual([true]);
      expect(pool.parked).toBe(0);
      const again = await runNodeWarm(probe(b), link, { enqueuedAt: Date.now() });
      expect(again.type === 'node' && again.result.status).toBe('success');
      expect(pool.counters).toMatchObject({ contexts: 2, resumes: 0 });
      await pool.releaseRun(b.id); // b ends, then the engine ends a
      await sleep(500);
      expect(await queryDuckDb(b.db, 'select color, shade from probe')).toEqual([['black', 'deep']]);
      expect(await queryDuckDb(a.db, 'select color, shade from probe')).toEqual([['green', 'pale']]);
    } finally {
      const pids = pool.pids;
      await pool.close();
      expect(await waitGone(pids, 5_000)).toEqual([]);
    }
  }, 180_000);

  it('parks nothing when the memory budget has no room for another engine, or parking is off', async () => {
    for (const [options, name] of [[{ memoryLimitMb: 64 }, 'tight'], [{ maxParkedContexts: 0 }, 'off']] as const) {
      const { counters, tables } = await takeTurns(options, name);
      expect(counters).toMatchObject({ contexts: 4, parks: 0, resumes: 0, parked: 0 });
      expect(tables).toEqual([[['red', 'dark', 'False']], [['blue', 'light', 'True']]]);
    }
  }, 300_000);
});

describe('parked run contexts on Postgres', () => {
  it('keep no session open while parked, and on resume reconnect and see what changed in the warehouse meanwhile', async () => {
    const pool = new WarmEnginePool({ maxEngines: 1, contextGraceMs: 0, contextIdleMs: 60_000 });
    const link = directLink(pool, new AbortController().signal);
    const runs = ['left', 'right'].map((label) => ({ label, schema: pg.freshSchema(`parked_${label}`) }));
    const task = (run: { label: string; schema: string }): NodeTask => ({
      type: 'node',
      invocation: {
        dbtPath: DBT, projectDir: PARITY_MAIN.dir, profilesDir: PARITY_MAIN.dir, target: 'pg', vars: { label: run.label }, partialParse: null, timeoutMs: 120_000,
        env: { ...(process.env as Record<string, string>), ...pg.env(run.schema) },
        run: { invocation_id: `pg-${run.label}`, run_started_at: '2026-01-02T03:04:05.000Z', event_time_start: null, event_time_end: null },
      },
      uniqueId: 'model.parity_main.vars_model', subcommand: 'build', selector: 'fqn:parity_main.marts.vars_model,resource_type:model', fullRefresh: false, warehouse: null,
    });
    const build = async (run: { label: string; schema: string }): Promise<void> => {
      const res = await runNodeWarm(task(run), link, { enqueuedAt: Date.now() });
      expect(res.type === 'node' && res.result.status, JSON.stringify(res).slice(0, 2_000)).toBe('success');
    };
    const [left, right] = runs as [(typeof runs)[number], (typeof runs)[number]];
    try {
      await build(left);
      await build(right); // left parked
      await pool.releaseRun(`pg-${right.label}`); // right ends; left stays parked
      expect(pool.parked).toBe(1);
      // A parked context keeps no session open on the server.
      const sessions = await pg.query("select count(*)::int from pg_stat_activity where backend_type = 'client backend' and pid <> pg_backend_pid()");
      expect(sessions).toEqual([[0]]);
      // Dropped behind the parked run's back: its resume lists the schema again, as dbt does at a start.
      await pg.query(`drop table ${left.schema}.vars_model`);
      await build(left); // resumed: reconnects, and builds the table again
      expect(pool.counters).toMatchObject({ contexts: 2, resumes: 1 });
      expect((await pg.dump(left.schema))['.vars_model']).toEqual([['left', '5']]);
      expect((await pg.dump(right.schema))['.vars_model']).toEqual([['right', '5']]);
    } finally {
      const pids = pool.pids;
      await pool.close();
      expect(await waitGone(pids, 5_000)).toEqual([]);
    }
  }, 180_000);
});
