// A run's project hooks in its run context on a real engine (dbt + in-memory DuckDB, no
// Temporal): on-run-start, the run's nodes and on-run-end share one context and database, and
// a hooks request whose selection matches nothing runs no hook (as dbt) while the engine keeps
// serving the run.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExecutorResult, HooksTask, NodeTask } from '../../../src/shared/executor-protocol.js';
import { WarmEnginePool } from '../../../src/executor/warm/engine-pool.js';
import { directLink } from '../../../src/executor/warm/engine-link.js';
import { runHooksWarm } from '../../../src/executor/warm/run-hooks.js';
import { runNodeWarm } from '../../../src/executor/warm/run-node.js';
import { DBT, REPO_ROOT } from '../../support/paths.js';

const PROJECT = `${REPO_ROOT}test/fixtures/hooks_memory`;
let scratch: string;
let pool: WarmEnginePool;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'warm-hooks-'));
  pool = new WarmEnginePool({ maxEngines: 1 });
});

afterAll(async () => {
  await pool?.close();
  await rm(scratch, { recursive: true, force: true });
});

const invocation = (run: string, vars: Record<string, string>) => ({
  dbtPath: DBT, projectDir: PROJECT, profilesDir: PROJECT, target: null, vars, partialParse: null, timeoutMs: 120_000,
  env: process.env as Record<string, string>, run: { invocation_id: run, run_started_at: '2026-01-02T03:04:05.000Z', event_time_start: null, event_time_end: null },
});

function hooks(run: string, vars: Record<string, string>, phase: 'start' | 'end', extra: Partial<HooksTask> = {}): HooksTask {
  return {
    type: 'hooks', invocation: invocation(run, vars), phase, command: ['build'], select: null, exclude: null, indirectSelection: null,
    results: [], warehouse: `duckdb-memory:${run}`, ...extra,
  };
}

function node(run: string, vars: Record<string, string>, model: string): NodeTask {
  return {
    type: 'node', invocation: invocation(run, vars), uniqueId: `model.hooks_memory.${model}`, subcommand: 'build',
    selector: `fqn:hooks_memory.${model},resource_type:model`, fullRefresh: false, warehouse: `duckdb-memory:${run}`,
  };
}

const statuses = (r: ExecutorResult): [string, string][] => {
  if (r.type !== 'hooks') throw new Error(`unexpected ${r.type}: ${JSON.stringify(r)}`);
  return r.results.map((h) => [h.unique_id.replace(/^operation\.hooks_memory\.hooks_memory-/, ''), h.status]);
};

describe('project hooks in a run context', () => {
  it('runs on-run-start, the nodes and on-run-end in one context and in-memory database', async () => {
    const link = directLink(pool, new AbortController().signal);
    const csv = join(scratch, 'log.csv');
    const vars = { export_to: csv };
    expect(statuses(await runHooksWarm(hooks('run-a', vars, 'start'), link))).toEqual([0, 1, 2, 3].map((i) => [`on-run-start-${i}`, 'success']));
    const scaled = await runNodeWarm(node('run-a', vars, 'scaled'), link, { enqueuedAt: Date.now() });
    if (scaled.type !== 'node') throw new Error(`scaled failed: ${JSON.stringify(scaled)}`);
    const end = await runHooksWarm(hooks('run-a', vars, 'end', { results: [scaled.result] }), link);
    expect(statuses(end)).toEqual([0, 1, 2, 3, 4].map((i) => [`on-run-end-${i}`, 'success']));
    // on-run-end read on-run-start's table; selected_resources were the run's whole selection
    // (the hooks opened the context with it), `results` the one node result it was given.
    expect((await readFile(csv, 'utf8')).trim().split('\n')).toEqual([
      'kind,item,value', 'end,results,1', 'end,scaled_rows,1', 'end,selected,3', 'result,model.hooks_memory.scaled,success', 'start,selected,3',
    ]);
    expect(pool.counters).toMatchObject({ spawned: 1, contexts: 1 });
    await pool.releaseRun('run-a');
  });

  it('runs no hook when the selection matches no node, as dbt, and then opens the run normally', async () => {
    const link = directLink(pool, new AbortController().signal);
    const nothing = await runHooksWarm(hooks('run-b', {}, 'start', { select: 'no_such_model' }), link);
    expect(nothing).toEqual({ type: 'hooks', results: [] });
    expect(statuses(await runHooksWarm(hooks('run-b', {}, 'start'), link))).toHaveLength(4);
    const scaled = await runNodeWarm(node('run-b', {}, 'scaled'), link, { enqueuedAt: Date.now() });
    expect(scaled.type, JSON.stringify(scaled)).toBe('node');
    await pool.releaseRun('run-b');
  });
});
