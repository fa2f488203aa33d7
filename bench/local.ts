// Scenario `local`: `dbt-temporal local` as a dbt user runs it in a dev loop, against plain dbt
// doing the same, one run each side, interleaved, on a jaffle_shop-sized project
// (examples/jaffle_duck) and on the generated 200-node project (DuckDB): the first `local build`
// (no daemon yet: dev server, worker and parse start) vs a first `dbt build` (fresh target dir);
// the second and third (daemon warm) vs `dbt build` again (dbt's partial parse from its previous
// run, as in a user's target/); `local list` vs `dbt ls`; last, a build after `local --stop` (a
// new daemon, whose parse starts from the partial-parse file the first one left, as dbt's starts
// from its target/). Every command is the real CLI in a child process; the daemons live under
// the bench's scratch TMPDIR (their parse cache under its XDG_CACHE_HOME) and are stopped at the end.
import { cp } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { venvTool } from '../src/supervisor/package-root.js';
import type { Args } from './args.js';
import { generateProject } from './generate.js';
import { simpleTable } from './report.js';
import { round } from './scenario.js';
import type { BenchContext, Scenario } from './scenario.js';

const CLI = fileURLToPath(new URL('../../bin/dbt-temporal.js', import.meta.url));
const JAFFLE = fileURLToPath(new URL('../../examples/jaffle_duck', import.meta.url));

interface Project {
  name: string;
  dir: string;
  /** The profile's database for each side (their own DuckDB files: one writer per file). */
  env: (side: 'dbt' | 'local') => Record<string, string>;
}

/** What each step compares, and the target for its ratio. */
const STEPS = [
  { step: 'first build', local: ['build'], dbt: ['build'], target: '+5 s' },
  { step: 'second build', local: ['build'], dbt: ['build'], target: '<= 1.0x' },
  { step: 'third build', local: ['build'], dbt: ['build'], target: '<= 1.0x' },
  { step: 'list', local: ['list'], dbt: ['ls'], target: '<= 1.5x' },
  { step: 'build after --stop', local: ['build'], dbt: ['build'], target: '+5 s', stopFirst: true },
] as const;

async function timed(cmd: string, args: string[], opts: { cwd: string; env: Record<string, string> }): Promise<{ s: number; ok: boolean; tail: string }> {
  const t0 = performance.now();
  const r = await execa(cmd, args, { cwd: opts.cwd, env: { ...process.env, ...opts.env }, reject: false, all: true });
  return { s: (performance.now() - t0) / 1000, ok: r.exitCode === 0, tail: String(r.all ?? '').slice(-1500) };
}

function met(target: string, localS: number, dbtS: number): boolean {
  if (target === '+5 s') return localS <= dbtS + 5;
  return localS / dbtS <= Number(target.replace(/[^\d.]/g, ''));
}

async function runProject(bench: BenchContext, p: Project): Promise<Record<string, unknown>[]> {
  const dbt = venvTool('dbt', process.env) ?? 'dbt';
  // Plain dbt keeps its target dir between runs (partial parsing), as a user's project does.
  const target = join(bench.scratch, `target-${p.name}`);
  const dbtArgs = ['--project-dir', p.dir, '--profiles-dir', p.dir, '--target-path', target, '--log-path', join(target, 'logs')];
  const dbtEnv = { ...p.env('dbt'), DBT_SEND_ANONYMOUS_USAGE_STATS: 'false' };
  const localArgs = ['--project-dir', p.dir, '--profiles-dir', p.dir];
  const localEnv = { ...p.env('local'), TMPDIR: bench.scratch, XDG_CACHE_HOME: join(bench.scratch, 'cache') };
  const rows: Record<string, unknown>[] = [];
  try {
    for (const s of STEPS) {
      if ('stopFirst' in s) await timed('node', [CLI, 'local', '--stop', ...localArgs], { cwd: bench.scratch, env: localEnv });
      const d = await timed(dbt, [...s.dbt, ...dbtArgs], { cwd: bench.scratch, env: dbtEnv });
      const l = await timed('node', [CLI, 'local', ...s.local, ...localArgs], { cwd: bench.scratch, env: localEnv });
      if (!d.ok) bench.log(`${p.name}: dbt ${s.dbt.join(' ')} failed:\n${d.tail}`);
      if (!l.ok) bench.log(`${p.name}: local ${s.local.join(' ')} failed:\n${l.tail}`);
      bench.log(`${p.name}: ${s.step}: local ${l.s.toFixed(1)} s, dbt ${d.s.toFixed(1)} s`);
      rows.push({
        project: p.name, step: s.step, local_s: round(l.s), dbt_s: round(d.s), x_dbt: round(l.s / d.s), delta_s: round(l.s - d.s),
        target: s.target, met: met(s.target, l.s, d.s), local_ok: l.ok, dbt_ok: d.ok,
        // Only ratios within one step compare when other work shares the machine.
        load_1m: round(loadavg()[0] ?? 0, 1),
      });
    }
  } finally {
    await timed('node', [CLI, 'local', '--stop', ...localArgs], { cwd: bench.scratch, env: localEnv });
  }
  return rows;
}

async function runLocal(bench: BenchContext, o: { models: number }) {
  const jaffle = join(bench.scratch, 'jaffle_duck');
  await cp(JAFFLE, jaffle, { recursive: true });
  const generated = join(bench.scratch, 'generated');
  const shape = await generateProject(generated, { models: o.models, width: 8, testEvery: 4, warehouse: 'duckdb' });
  const projects: Project[] = [
    { name: 'jaffle_duck', dir: jaffle, env: (side) => ({ JAFFLE_DUCKDB_PATH: join(bench.scratch, `jaffle-${side}.duckdb`) }) },
    { name: `generated ${shape.nodes} nodes`, dir: generated, env: (side) => ({ BENCH_DUCKDB_PATH: join(bench.scratch, `generated-${side}.duckdb`) }) },
  ];
  const rows: Record<string, unknown>[] = [];
  for (const p of projects) rows.push(...(await runProject(bench, p)));
  const table = simpleTable(
    ['project', 'step', 'local s', 'dbt s', 'x dbt', 'local - dbt s', 'target', 'met'],
    rows.map((r) => [r.project, r.step, r.local_s, r.dbt_s, r.x_dbt, r.delta_s, r.target, r.met ? 'yes' : 'no'] as (string | number | null)[]),
  );
  return { name: `local-duckdb-jaffle-${shape.nodes}n`, table, rows, doc: { models: o.models, nodes: shape.nodes, warehouse: 'duckdb', rows } };
}

/** `--models 160` (the 200-node project with its tests). */
export function localScenario(args: Args): Scenario {
  const o = { models: args.int('models', 160) };
  return { warehouses: ['duckdb'], run: (bench) => runLocal(bench, o) };
}
