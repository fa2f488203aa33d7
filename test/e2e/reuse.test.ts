// Reuse (docs/reuse.md) on one worker: a second run of an unchanged project rebuilds nothing
// (every node reported `no-op` "reused from <first run>"), a plan preview says what would be
// built and why without building, a run without reuse invalidates what it rebuilt, and
// `full_refresh` ignores the state.
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { useE2eWorker } from '../support/e2e-worker.js';
import { runCli } from '../support/worker-process.js';
import { INITIAL_RAW, REUSE_FIXTURE, duckWarehouse } from '../support/reuse-fixture.js';
import type { ReuseWarehouse } from '../support/reuse-fixture.js';

let wh: ReuseWarehouse;

const e2e = useE2eWorker('reuse', async (scratch) => {
  wh = duckWarehouse(join(scratch, 'wh.duckdb'));
  await wh.load(INITIAL_RAW);
  return { DBT_PROJECT_DIRS: REUSE_FIXTURE, WRITE_ARTIFACTS: 'true', ARTIFACT_STORE: join(scratch, 'store') };
});

const run = (input: Record<string, unknown>) => e2e.run({ project: 'reuse_proj', env: wh.env, ...input });
const statuses = (r: Awaited<ReturnType<typeof run>>) => new Map((r.output?.node_results ?? []).map((n) => [n.unique_id, n.status]));

describe('reuse on one worker', () => {
  it('reuses every node of an unchanged project, says so in a plan preview, and rebuilds after a run without reuse', async () => {
    const first = await run({ reuse: true });
    expect(first.ok, first.message ?? '').toBe(true);
    expect([...statuses(first).values()].filter((s) => s === 'no-op')).toEqual([]);
    const before = await wh.dump();

    // Nothing changed: nothing runs, every node says where its result comes from.
    const second = await run({ reuse: true });
    expect(second.ok, second.message ?? '').toBe(true);
    const results = second.output?.node_results ?? [];
    expect(results.length).toBe(first.output?.node_results.length);
    for (const r of results) expect({ id: r.unique_id, status: r.status, message: r.message }).toEqual({ id: r.unique_id, status: 'no-op', message: `reused from ${first.output?.invocation_id ?? ''}` });
    expect(await wh.dump()).toEqual(before);

    // The preview, through the CLI: a var the middle model uses would rebuild it and its children.
    const cli = await runCli(['run', 'build', '--project', 'reuse_proj', '--plan', '--reuse', '--vars', '{multiplier: 3}', ...Object.entries(wh.env).flatMap(([k, v]) => ['--env', `${k}=${v}`]), '--task-queue', e2e.worker.taskQueue],
      { ...process.env, TEMPORAL_ADDRESS: inject('temporalAddress') });
    expect(cli.exitCode, cli.stderr).toBe(0);
    expect(cli.stdout).toMatch(/BUILD\s+model\.reuse_proj\.orders_by_customer\s+changed: sql, vars_env/);
    expect(cli.stdout).toMatch(/BUILD\s+model\.reuse_proj\.big_customers\s+parent model\.reuse_proj\.orders_by_customer is rebuilt/);
    expect(cli.stdout).toMatch(/REUSE\s+model\.reuse_proj\.stg_orders\s+unchanged since/);
    expect(cli.stdout).toContain('Plan: 5 to build, 4 to reuse (nothing was built)');
    expect(await wh.dump(), 'a plan builds nothing').toEqual(before);

    // A run without reuse rebuilds, and invalidates: the next reuse run builds again, then reuses.
    const plain = await run({});
    expect([...statuses(plain).values()].includes('no-op')).toBe(false);
    const afterPlain = await run({ reuse: true, plan_only: true });
    expect(afterPlain.output?.plan?.every((e) => e.action === 'build' && /without reuse|parent .* is rebuilt/.test(e.reason)), JSON.stringify(afterPlain.output?.plan)).toBe(true);
    const refreshed = await run({ reuse: true, full_refresh: true });
    expect([...statuses(refreshed).values()].includes('no-op')).toBe(false);
    const again = await run({ reuse: true });
    expect([...statuses(again).values()].every((s) => s === 'no-op')).toBe(true);
  });
});
