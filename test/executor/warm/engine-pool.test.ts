// The warm engine pool on real engines (dbt + DuckDB, no Temporal): manifests are reused,
// engines are recycled after N invocations, DuckDB is released between invocations, and
// close() leaves no engine process behind.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodeTask } from '../../../src/shared/executor-protocol.js';
import { WarmEnginePool } from '../../../src/executor/warm/engine-pool.js';
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

function probeTask(db: string, vars: Record<string, string> = {}): NodeTask {
  return {
    type: 'node',
    invocation: {
      dbtPath: DBT, projectDir: PROJECT, profilesDir: PROJECT, target: null, vars, partialParse: null, timeoutMs: 120_000,
      env: { ...(process.env as Record<string, string>), WARM_DUCKDB_PATH: db },
    },
    uniqueId: 'model.warm_duck.probe',
    subcommand: 'build',
    selector: 'fqn:warm_duck.probe,resource_type:model',
    fullRefresh: false,
  };
}

describe('warm engine pool', () => {
  it('reuses an engine, recycles it after maxInvocations, releases DuckDB and stops every engine on close', async () => {
    const pool = new WarmEnginePool({ maxEngines: 1, maxInvocations: 2 });
    const db = join(scratch, 'pool.duckdb');
    const signal = new AbortController().signal;
    const seen: { pids: number[]; spawned: number; recycled: number }[] = [];
    for (const color of ['a', 'b', 'c']) {
      const res = await runNodeWarm(probeTask(db, { color }), pool, signal, Date.now());
      expect(res.type).toBe('node');
      // Another process can open the database right away: the engine let go of it.
      expect(await queryDuckDb(db, 'select color from probe')).toEqual([[color]]);
      seen.push({ pids: pool.pids, spawned: pool.counters.spawned, recycled: pool.counters.recycled });
    }
    const [first, second, third] = seen;
    expect(first).toMatchObject({ spawned: 1, recycled: 0 });
    expect(first?.pids).toHaveLength(1);
    // The second invocation reused that engine, which was then retired (maxInvocations = 2).
    expect(second).toEqual({ pids: [], spawned: 1, recycled: 1 });
    expect(await waitGone(first?.pids ?? [], 5_000)).toEqual([]);
    expect(third).toMatchObject({ spawned: 2, recycled: 1 });
    expect(third?.pids).toHaveLength(1);
    await pool.close();
    expect(await waitGone(third?.pids ?? [], 5_000)).toEqual([]);
  });

  it('records where a node\'s time went next to dbt\'s own timing', async () => {
    const pool = new WarmEnginePool({ maxEngines: 1 });
    try {
      const res = await runNodeWarm(probeTask(join(scratch, 'timing.duckdb')), pool, new AbortController().signal, Date.now());
      if (res.type !== 'node') throw new Error(`unexpected ${res.type}`);
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
