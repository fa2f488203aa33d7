// The benchmark's project generator makes a valid dbt project of the announced size, and the
// report helpers compute what the tables print.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateProject, K_MODULUS } from '../../bench/generate.js';
import { markdownTable, percentile, summarize, svgChart } from '../../bench/report.js';
import { plainDbtLs, runPlainDbt } from '../support/dbt-oracle.js';
import { queryDuckDb } from '../support/duckdb.js';

let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'bench-gen-'));
});

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe('benchmark project generator', () => {
  it('writes a project whose dbt build selects exactly the announced models and tests', async () => {
    const dir = join(scratch, 'p');
    const shape = await generateProject(dir, { models: 20, width: 6, testEvery: 4, warehouse: 'duckdb' });
    expect(shape).toEqual({ models: 20, tests: 5, nodes: 25 });
    const ids = await plainDbtLs(dir, ['--resource-type', 'model', '--resource-type', 'test'], { BENCH_DUCKDB_PATH: join(scratch, 'x.duckdb') });
    expect(ids.filter((id) => id.startsWith('model.'))).toHaveLength(20);
    expect(ids.filter((id) => id.startsWith('test.'))).toHaveLength(5);
  });

  it('keeps values bounded in a project deep enough to overflow a 32-bit sum of two parents', async () => {
    // 32 layers of 3: each layer's k is the sum of two parents' (6 * 2^31 past the integer range).
    const dir = join(scratch, 'deep');
    const db = join(scratch, 'deep.duckdb');
    await generateProject(dir, { models: 96, width: 3, testEvery: 0, warehouse: 'duckdb' });
    const run = await runPlainDbt(dir, ['run', '--threads', '4'], { BENCH_DUCKDB_PATH: db });
    expect(run.exitCode, run.output.slice(-2000)).toBe(0);
    expect([...run.statuses.values()].filter((s) => s === 'success')).toHaveLength(96);
    const [[max, min]] = (await queryDuckDb(db, 'select max(k), min(k) from main.m_31_0')) as [[number, number]];
    expect(max).toBeLessThan(K_MODULUS);
    expect(min).toBeGreaterThanOrEqual(0);
  });
});

describe('benchmark report', () => {
  it('reports ratios against dbt build and one process per node', () => {
    const row = { warehouse: 'duckdb', competitor: 'w', wallS: 10, cpuS: 3, peakRssMb: 500, failures: 0, overheadMs: [10, 20, 30], overheadTotalMs: [], scheduleToStartMs: [5] };
    const s = summarize(row, 5, 50, 100);
    expect(s).toMatchObject({ x_dbt_build: 2, speedup_vs_per_node: 5, nodes_per_s: 10, overhead_p50_ms: 20, schedule_to_start_p95_ms: 5 });
    expect(percentile([], 50)).toBeNull();
    expect(markdownTable([s]).split('\n')).toHaveLength(3);
    expect(svgChart('t', [s])).toMatch(/^<svg[\s\S]*<\/svg>\n$/);
  });
});
