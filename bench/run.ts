// `npm run bench`: the same synthetic project, on the same machine, built by every competitor:
// plain `dbt build --threads C`, one dbt process per node, and dbt-temporal (subprocess and
// warm engines; fixed and resource-based tuners). Writes bench/results/<scenario>.{json,md,svg}.
// `--quick`: ~50 nodes, C=4, DuckDB, the four main competitors. `--competitors a,b`: any of
// dbt-build, per-node, subprocess, warm, warm-resource-based (default: all). `--json`: the last
// stdout line is {"rows": [{warehouse, competitor, nodes, wall_s, cpu_s, peak_rss_mb, overhead_p50_ms}]}.
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDevServer, temporalExecutable } from '../src/supervisor/dev-server.js';
import { venvTool } from '../src/supervisor/package-root.js';
import { generateProject } from './generate.js';
import type { Warehouse } from './generate.js';
import { parseProject, runPerNode, runPlainBuild } from './plain-dbt.js';
import type { DbtContext, Measured } from './plain-dbt.js';
import { startPostgres } from './postgres.js';
import type { BenchPostgres } from './postgres.js';
import { markdownTable, percentile, summarize, svgChart, writeResults } from './report.js';
import type { Row, Summary } from './report.js';
import { runWorkerScenario } from './worker-run.js';

const argv = process.argv.slice(2);
const flag = (name: string): boolean => argv.includes(`--${name}`);
const opt = (name: string, fallback: string): string => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] ? (argv[i + 1] as string) : fallback;
};
const quick = flag('quick');
const models = Number(opt('models', quick ? '40' : '160'));
const concurrency = Number(opt('concurrency', '4'));
const warehouses = opt('warehouses', quick ? 'duckdb' : 'duckdb,postgres').split(',') as Warehouse[];
const COMPETITORS = ['dbt-build', 'per-node', 'subprocess', 'warm', 'warm-resource-based'] as const;
type Competitor = (typeof COMPETITORS)[number];
const competitors = opt('competitors', quick || flag('no-tuners') ? 'dbt-build,per-node,subprocess,warm' : COMPETITORS.join(',')).split(',') as Competitor[];
for (const c of competitors) if (!COMPETITORS.includes(c)) throw new TypeError(`--competitors: unknown competitor '${c}' (one of ${COMPETITORS.join(', ')})`);
const LABELS: Record<Competitor, string> = {
  'dbt-build': `dbt build --threads ${concurrency}`, 'per-node': 'dbt process per node', subprocess: 'dbt-temporal subprocess',
  warm: 'dbt-temporal warm', 'warm-resource-based': 'dbt-temporal warm, resource-based tuner',
};
const RESULTS = fileURLToPath(new URL('../../bench/results/', import.meta.url));
const log = (m: string): void => void process.stderr.write(`bench: ${m}\n`);

async function benchWarehouse(wh: Warehouse, scratch: string, temporalAddress: string, pg: BenchPostgres | null) {
  const projectDir = join(scratch, `project-${wh}`);
  const shape = await generateProject(projectDir, { models, width: 8, testEvery: 4, warehouse: wh });
  log(`${wh}: ${shape.nodes} nodes (${shape.models} models, ${shape.tests} tests), C=${concurrency}`);
  let n = 0;
  const freshEnv = (): Record<string, string> => {
    n += 1;
    return wh === 'duckdb' ? { BENCH_DUCKDB_PATH: join(scratch, `${wh}-${n}.duckdb`) } : (pg as BenchPostgres).env(`bench_${n}`);
  };
  const ctx = (env: Record<string, string>): DbtContext => ({
    dbt: venvTool('dbt', process.env) ?? 'dbt', projectDir, scratch, env, concurrency, serialProcesses: wh === 'duckdb',
  });
  const parsed = await parseProject(ctx(freshEnv()));
  const rows: (Row & { id: Competitor })[] = [];
  const worker = (engineMode: 'warm' | 'subprocess', tuner: 'fixed' | 'resource-based') =>
    runWorkerScenario({ temporalAddress, projectDir, env: freshEnv(), concurrency, engineMode, tuner, tmpDir: scratch, warmupSelect: 'm_0_*' });
  const run: Record<Competitor, () => Promise<Measured>> = {
    'dbt-build': () => runPlainBuild(ctx(freshEnv()), parsed.partialParse),
    'per-node': () => runPerNode(ctx(freshEnv()), parsed.partialParse, parsed.manifestJson),
    subprocess: () => worker('subprocess', 'fixed'),
    warm: () => worker('warm', 'fixed'),
    'warm-resource-based': () => worker('warm', 'resource-based'),
  };
  for (const id of COMPETITORS.filter((c) => competitors.includes(c))) {
    const competitor = LABELS[id];
    log(`${wh}: ${competitor} ...`);
    const m = await run[id]();
    log(`${wh}: ${competitor}: ${m.wallS.toFixed(1)} s, ${m.cpuS.toFixed(1)} CPU-s, failures ${m.failures}`);
    rows.push({ ...m, warehouse: wh, competitor, id });
  }
  const floor = rows.find((r) => r.id === 'dbt-build')?.wallS ?? null;
  const perNode = rows.find((r) => r.id === 'per-node')?.wallS ?? null;
  return { shape, rows, summaries: rows.map((r) => summarize(r, floor, perNode, shape.nodes)) };
}

async function main(): Promise<void> {
  const scratch = await mkdtemp(join(tmpdir(), 'dbt-temporal-bench-'));
  const searchAttributes = ['DbtProject', 'DbtCommand', 'DbtTarget', 'DbtSelector', 'DbtStatus'].flatMap((a) => ['--search-attribute', `${a}=Keyword`]);
  const server = await startDevServer({ executable: temporalExecutable(process.env), extraArgs: searchAttributes });
  const pg = warehouses.includes('postgres') ? await startPostgres() : null;
  try {
    const machine = { cpus: cpus().length, cpu_model: cpus()[0]?.model ?? 'unknown', mem_gib: Math.round(totalmem() / 2 ** 30), node: process.version };
    const all: Summary[] = [];
    const byWarehouse: Record<string, unknown> = {};
    const jsonRows: Record<string, unknown>[] = [];
    for (const wh of warehouses) {
      const { shape, rows, summaries } = await benchWarehouse(wh, scratch, server.address, pg);
      all.push(...summaries);
      byWarehouse[wh] = { nodes: shape.nodes, summaries };
      for (const r of rows) {
        jsonRows.push({
          warehouse: wh, competitor: r.id, nodes: shape.nodes, wall_s: Number(r.wallS.toFixed(2)), cpu_s: Number(r.cpuS.toFixed(1)),
          peak_rss_mb: r.peakRssMb, overhead_p50_ms: percentile(r.overheadMs, 50), schedule_to_start_p50_ms: percentile(r.scheduleToStartMs, 50),
          ...(r.workflowTasksPerNode !== undefined ? { workflow_tasks_per_node: Number(r.workflowTasksPerNode.toFixed(2)), events_per_node: Number((r.eventsPerNode ?? 0).toFixed(2)) } : {}),
          ...(r.breakdownMs ? { breakdown_p50_ms: Object.fromEntries(Object.entries(r.breakdownMs).map(([k, v]) => [k, percentile(v, 50)])) } : {}),
        });
      }
    }
    const scenario = `${quick ? 'quick-' : ''}${warehouses.join('-')}-${models}m-c${concurrency}`;
    const table = markdownTable(all);
    const doc = { scenario, generated_at: new Date().toISOString(), machine, concurrency, models, warehouses: byWarehouse };
    await writeResults(RESULTS, scenario, doc, table, svgChart(`dbt-temporal benchmark: ${scenario} (wall time, lower is better)`, all));
    process.stdout.write(`\n${table}\n\nresults: bench/results/${scenario}.{json,md,svg}\n`);
    if (flag('json')) process.stdout.write(`${JSON.stringify({ rows: jsonRows })}\n`);
  } finally {
    await pg?.close();
    await server.close();
    await rm(scratch, { recursive: true, force: true });
  }
}

await main();
