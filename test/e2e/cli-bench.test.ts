// `dbt-temporal bench` on the example project: a one-setting sweep against plain `dbt build`
// (its own embedded dev server, real workers, real dbt on DuckDB). The JSON line, bench.json and
// report.html hold a row for the setting and one for the baseline, the best setting names its
// env vars, and the project directory is left exactly as it was.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EXAMPLE_PROJECT } from '../support/paths.js';
import { hashTree } from '../support/tree-hash.js';
import { runCli } from '../support/worker-process.js';

interface Row { setting: string; kind: string; runs: number; env: Record<string, string>; nodes: number; wall_s: number; failures: number;
  nodes_per_s: number; peak_rss_mb: number; cpu_s: number; schedule_to_start_p50_ms: number | null; overhead_p95_ms: number | null }

describe('dbt-temporal bench', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cli-bench-'));
  const env = { PATH: process.env['PATH'], HOME: dir, JAFFLE_DUCKDB_PATH: join(dir, 'jaffle.duckdb') };

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('measures a setting against plain dbt build, writes the JSON and HTML reports, names the best setting, and leaves the project untouched', async () => {
    const before = await hashTree([EXAMPLE_PROJECT]);
    const out = join(dir, 'report');
    const r = await runCli(['bench', '--project-dir', EXAMPLE_PROJECT, '--profiles-dir', EXAMPLE_PROJECT, '-s', '+stg_customers', '+stg_orders', '--slots', '2', '--memory-limit', '4Gi', '--output', out, '--json'], env, 600_000);
    expect(r.exitCode, r.stderr).toBe(0);
    const last = JSON.parse(r.stdout.trim().split('\n').at(-1) as string) as { rows: Row[]; best: { setting: string; env: Record<string, string> } | null };
    expect(last.rows.map((x) => [x.setting, x.kind, x.runs])).toEqual([['dbt build', 'dbt-build', 1], ['slots=2 runs=1', 'worker', 1]]);
    const [baseline, worker] = last.rows as [Row, Row];
    // The same selection (two seeds, two models and their tests), every node succeeded in both; the
    // worker's waits come from its history.
    expect(baseline.nodes).toBeGreaterThan(2);
    expect(worker.nodes).toBe(baseline.nodes);
    expect([baseline.failures, worker.failures]).toEqual([0, 0]);
    for (const row of [baseline, worker]) {
      expect(row.wall_s).toBeGreaterThan(0);
      expect(row.cpu_s).toBeGreaterThan(0);
      expect(row.peak_rss_mb).toBeGreaterThan(0);
      expect(row.nodes_per_s).toBeGreaterThan(0);
    }
    expect(worker.env).toEqual({ WORKER_MAX_CONCURRENT_ACTIVITIES: '2', WORKER_MEMORY_LIMIT: '4Gi' });
    expect(worker.schedule_to_start_p50_ms).toEqual(expect.any(Number));
    expect(worker.overhead_p95_ms).toEqual(expect.any(Number));
    expect(last.best).toMatchObject({ setting: 'slots=2 runs=1', env: { WORKER_MAX_CONCURRENT_ACTIVITIES: '2', WORKER_MEMORY_LIMIT: '4Gi' } });
    expect(r.stdout).toContain('Best for wall time under 4Gi: slots=2 runs=1');
    expect(r.stdout).toContain('WORKER_MAX_CONCURRENT_ACTIVITIES=2');
    expect(r.stderr).toMatch(/\[##\] 2\/2 done/);

    const json = JSON.parse(readFileSync(join(out, 'bench.json'), 'utf8')) as { rows: Row[]; project_dir: string; select: string[] };
    expect(json.rows).toEqual(last.rows);
    expect(json).toMatchObject({ project_dir: EXAMPLE_PROJECT.replace(/\/$/, ''), select: ['+stg_customers', '+stg_orders'] });
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('<svg');
    expect(html).not.toMatch(/<(script|link)\b|src="http/);
    for (const row of last.rows) expect(html).toContain(row.setting);
    expect(await hashTree([EXAMPLE_PROJECT])).toBe(before);
  });

  it('refuses an --output inside the project (exit 2) before starting anything', async () => {
    const r = await runCli(['bench', '--project-dir', EXAMPLE_PROJECT, '--output', join(EXAMPLE_PROJECT, 'bench-out')], env, 60_000);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/--output must be outside the project directory/);
    expect(existsSync(join(EXAMPLE_PROJECT, 'bench-out'))).toBe(false);
  });
});
