// What every `npm run bench` scenario shares: the services it is handed, what it hands back
// for the report, and per-warehouse helpers (a fresh database per run, plain dbt's context).
import { join } from 'node:path';
import { venvTool } from '../src/supervisor/package-root.js';
import type { Warehouse } from './generate.js';
import type { DbtContext } from './plain-dbt.js';
import type { BenchPostgres } from './postgres.js';

export const WAREHOUSES: readonly Warehouse[] = ['duckdb', 'postgres'];

/** The running services and scratch directory a scenario works in. */
export interface BenchContext {
  /** Removed after the scenario; workers get it as TMPDIR. */
  scratch: string;
  temporalAddress: string;
  /** The dev server's pid, for its CPU share (null when unknown). */
  temporalPid: number | null;
  /** Started when the scenario lists postgres among its warehouses. */
  pg: BenchPostgres | null;
  log(message: string): void;
}

/** A scenario's report: bench/results/<name>.{json,md[,svg]} and the `--json` rows. */
export interface ScenarioResult {
  name: string;
  doc: object;
  table: string;
  svg?: string;
  rows: Record<string, unknown>[];
}

/** A scenario with its options compiled: which warehouses it needs, and how to run it. */
export interface Scenario {
  warehouses: readonly Warehouse[];
  run(bench: BenchContext): Promise<ScenarioResult>;
}

/** Profile env for a fresh database named `label` (a word): its own DuckDB file or Postgres schema. */
export function freshDatabase(bench: BenchContext, wh: Warehouse, label: string): Record<string, string> {
  if (wh === 'duckdb') return { BENCH_DUCKDB_PATH: join(bench.scratch, `${label}.duckdb`) };
  if (!bench.pg) throw new Error('postgres was not started');
  return bench.pg.env(label);
}

/** Plain dbt on the generated project with `env`, `--threads` = `threads`. */
export function dbtContext(bench: BenchContext, wh: Warehouse, projectDir: string, env: Record<string, string>, threads: number): DbtContext {
  return { dbt: venvTool('dbt', process.env) ?? 'dbt', projectDir, scratch: bench.scratch, env, concurrency: threads, serialProcesses: wh === 'duckdb' };
}

/** Seconds, CPU seconds and ratios rounded for the JSON rows. */
export const round = (v: number, digits = 2): number => Number(v.toFixed(digits));
