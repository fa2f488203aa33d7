// `npm run bench`: the same synthetic project, on the same machine, built by every competitor:
// plain `dbt build --threads C`, one dbt process per node, and dbt-temporal (subprocess and
// warm engines; fixed and resource-based tuners). Writes bench/results/<scenario>.{json,md,svg}.
// `--quick`: ~50 nodes, C=4, DuckDB, the four main competitors. `--json`: last stdout line is JSON.
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
const withTuners = !quick && !flag('no-tuners');
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
  const rows: Row[] = [];
  const measure = async (competitor: string, fn: () => Promise<Measured>): Promise<void> => {
    log(`${wh}: ${competitor} ...`);
    const m = await fn();
    log(`${wh}: ${competitor}: ${m.wallS.toFixed(1)} s, failures ${m.failures}`);
    rows.push({ ...m, warehouse: wh, competitor });
  };
  await measure(`dbt build --threads ${concurrency}`, () => runPlainBuild(ctx(freshEnv()), parsed.partialParse));
  await measure('dbt process per node', () => runPerNode(ctx(freshEnv()), parsed.partialParse, parsed.manifestJson));
  const worker = (engineMode: 'warm' | 'subprocess', tuner: 'fixed' | 'resource-based') =>
    runWorkerScenario({ temporalAddress, projectDir, env: freshEnv(), concurrency, engineMode, tuner, tmpDir: scratch, warmupSelect: 'm_0_*' });
  await measure('dbt-temporal subprocess', () => worker('subprocess', 'fixed'));
  await measure('dbt-temporal warm', () => worker('warm', 'fixed'));
  if (withTuners) await measure('dbt-temporal warm, resource-based tuner', () => worker('warm', 'resource-based'));
  const floor = (rows[0] as Row).wallS;
  const perNode = (rows[1] as Row).wallS;
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
    let quickLine: Record<string, unknown> = {};
    for (const wh of warehouses) {
      const { shape, rows, summaries } = await benchWarehouse(wh, scratch, server.address, pg);
      all.push(...summaries);
      byWarehouse[wh] = { nodes: shape.nodes, summaries };
      const get = (c: string): Row | undefined => rows.find((r) => r.competitor === c);
      const warm = get('dbt-temporal warm');
      quickLine = {
        nodes: shape.nodes, concurrency, warehouse: wh,
        dbt_build_s: rows[0]?.wallS, per_node_subprocess_s: rows[1]?.wallS,
        dbt_temporal_subprocess_s: get('dbt-temporal subprocess')?.wallS, dbt_temporal_warm_s: warm?.wallS,
        overhead_p50_ms: percentile(warm?.overheadMs ?? [], 50), peak_rss_mb: warm?.peakRssMb,
      };
    }
    const scenario = `${quick ? 'quick-' : ''}${warehouses.join('-')}-${models}m-c${concurrency}`;
    const table = markdownTable(all);
    const doc = { scenario, generated_at: new Date().toISOString(), machine, concurrency, models, warehouses: byWarehouse };
    await writeResults(RESULTS, scenario, doc, table, svgChart(`dbt-temporal benchmark: ${scenario} (wall time, lower is better)`, all));
    process.stdout.write(`\n${table}\n\nresults: bench/results/${scenario}.{json,md,svg}\n`);
    if (flag('json')) process.stdout.write(`${JSON.stringify(quickLine)}\n`);
  } finally {
    await pg?.close();
    await server.close();
    await rm(scratch, { recursive: true, force: true });
  }
}

await main();
