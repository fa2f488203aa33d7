// Scenarios `competitors` (the default) and `nodes`: the same synthetic project, on the same
// machine, built by every competitor one after the other: plain `dbt build --threads C`, one dbt
// process per node, and dbt-temporal (subprocess and warm engines; fixed and resource-based
// tuners). `nodes` is the 1,000-node project (800 models) through dbt build and warm.
import { join } from 'node:path';
import type { Args } from './args.js';
import { generateProject } from './generate.js';
import type { Warehouse } from './generate.js';
import { parseProject, runPerNode, runPlainBuild } from './plain-dbt.js';
import type { Measured } from './plain-dbt.js';
import { markdownTable, percentile, summarize, svgChart } from './report.js';
import type { Row, Summary } from './report.js';
import { dbtContext, freshDatabase, round, WAREHOUSES } from './scenario.js';
import type { BenchContext, Scenario } from './scenario.js';
import { runWorkerScenario } from './worker-run.js';

const COMPETITORS = ['dbt-build', 'per-node', 'subprocess', 'warm', 'warm-resource-based'] as const;
type Competitor = (typeof COMPETITORS)[number];

interface CompetitorsOptions {
  prefix: string;
  models: number;
  concurrency: number;
  warehouses: Warehouse[];
  competitors: Competitor[];
}

const labels = (c: number): Record<Competitor, string> => ({
  'dbt-build': `dbt build --threads ${c}`, 'per-node': 'dbt process per node', subprocess: 'dbt-temporal subprocess',
  warm: 'dbt-temporal warm', 'warm-resource-based': 'dbt-temporal warm, resource-based tuner',
});

async function benchWarehouse(bench: BenchContext, o: CompetitorsOptions, wh: Warehouse) {
  const projectDir = join(bench.scratch, `project-${wh}`);
  const shape = await generateProject(projectDir, { models: o.models, width: 8, testEvery: 4, warehouse: wh, threads: o.concurrency });
  bench.log(`${wh}: ${shape.nodes} nodes (${shape.models} models, ${shape.tests} tests), C=${o.concurrency}`);
  let n = 0;
  const freshEnv = (): Record<string, string> => freshDatabase(bench, wh, `bench_${wh}_${(n += 1)}`);
  const ctx = (env: Record<string, string>) => dbtContext(bench, wh, projectDir, env, o.concurrency);
  const parsed = await parseProject(ctx(freshEnv()));
  const rows: (Row & { id: Competitor })[] = [];
  // Subprocess mode runs one dbt process per activity slot: C slots, as dbt's C threads. A warm
  // worker runs the profile's C threads per run context whatever its slots, so it keeps its
  // default slots, as deployed (with free slots, Temporal hands it a node's children eagerly).
  const worker = (engineMode: 'warm' | 'subprocess', tuner: 'fixed' | 'resource-based') => runWorkerScenario({
    temporalAddress: bench.temporalAddress, projectDir, env: freshEnv(), engineMode, tuner, tmpDir: bench.scratch, warmupSelect: 'm_0_*',
    ...(engineMode === 'subprocess' ? { concurrency: o.concurrency } : {}),
  });
  const run: Record<Competitor, () => Promise<Measured>> = {
    'dbt-build': () => runPlainBuild(ctx(freshEnv()), parsed.partialParse),
    'per-node': () => runPerNode(ctx(freshEnv()), parsed.partialParse, parsed.manifestJson),
    subprocess: () => worker('subprocess', 'fixed'),
    warm: () => worker('warm', 'fixed'),
    'warm-resource-based': () => worker('warm', 'resource-based'),
  };
  for (const id of COMPETITORS.filter((c) => o.competitors.includes(c))) {
    const competitor = labels(o.concurrency)[id];
    bench.log(`${wh}: ${competitor} ...`);
    const m = await run[id]();
    bench.log(`${wh}: ${competitor}: ${m.wallS.toFixed(1)} s, ${m.cpuS.toFixed(1)} CPU-s, failures ${m.failures}`);
    rows.push({ ...m, warehouse: wh, competitor, id });
  }
  const floor = rows.find((r) => r.id === 'dbt-build')?.wallS ?? null;
  const perNode = rows.find((r) => r.id === 'per-node')?.wallS ?? null;
  return { shape, rows, summaries: rows.map((r) => summarize(r, floor, perNode, shape.nodes)) };
}

async function runCompetitors(bench: BenchContext, o: CompetitorsOptions) {
  const all: Summary[] = [];
  const byWarehouse: Record<string, unknown> = {};
  const jsonRows: Record<string, unknown>[] = [];
  for (const wh of o.warehouses) {
    const { shape, rows, summaries } = await benchWarehouse(bench, o, wh);
    all.push(...summaries);
    byWarehouse[wh] = { nodes: shape.nodes, summaries };
    for (const r of rows) {
      jsonRows.push({
        warehouse: wh, competitor: r.id, nodes: shape.nodes, wall_s: round(r.wallS), cpu_s: round(r.cpuS, 1),
        peak_rss_mb: r.peakRssMb, failures: r.failures, overhead_p50_ms: percentile(r.overheadMs, 50), schedule_to_start_p50_ms: percentile(r.scheduleToStartMs, 50),
        ...(r.workflowTasksPerNode !== undefined ? { workflow_tasks_per_node: round(r.workflowTasksPerNode), events_per_node: round(r.eventsPerNode ?? 0) } : {}),
        ...(r.breakdownMs ? { breakdown_p50_ms: Object.fromEntries(Object.entries(r.breakdownMs).map(([k, v]) => [k, percentile(v, 50)])) } : {}),
      });
    }
  }
  const name = `${o.prefix}${o.warehouses.join('-')}-${o.models}m-c${o.concurrency}`;
  return {
    name, table: markdownTable(all), rows: jsonRows,
    doc: { concurrency: o.concurrency, models: o.models, warehouses: byWarehouse },
    svg: svgChart(`dbt-temporal benchmark: ${name} (wall time, lower is better)`, all),
  };
}

/**
 * `--quick`: ~50 nodes, C=4, DuckDB, the four main competitors. `--competitors a,b`: any of
 * dbt-build, per-node, subprocess, warm, warm-resource-based (default: all; `nodes`: dbt-build,warm).
 */
export function competitorsScenario(args: Args, kind: 'competitors' | 'nodes'): Scenario {
  const quick = kind === 'competitors' && args.flag('quick');
  const fewer = quick || args.flag('no-tuners') ? COMPETITORS.filter((c) => c !== 'warm-resource-based') : COMPETITORS;
  const o: CompetitorsOptions = {
    prefix: kind === 'nodes' ? 'nodes-' : quick ? 'quick-' : '',
    models: args.int('models', kind === 'nodes' ? 800 : quick ? 40 : 160),
    concurrency: args.int('concurrency', 4),
    warehouses: args.names('warehouses', quick ? ['duckdb'] : WAREHOUSES, WAREHOUSES),
    competitors: args.names('competitors', kind === 'nodes' ? ['dbt-build', 'warm'] : fewer, COMPETITORS),
  };
  return { warehouses: o.warehouses, run: (bench) => runCompetitors(bench, o) };
}
