// Scenario `concurrency`: K runs at once on ONE worker with default settings, each run on its
// own database through its `env` input (a Postgres schema; a DuckDB file, since one file allows
// one writing process), against K plain `dbt build --threads 4` processes at once, each on its
// own database too. Per K: wall until all K are done, CPU seconds of the worker tree vs the K
// dbt trees, peak RSS of each side (summed over the tree), throughput and failed runs.
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { Args } from './args.js';
import { generateProject } from './generate.js';
import type { Warehouse } from './generate.js';
import { parseProject, runPlainBuilds } from './plain-dbt.js';
import { ownCpuSeconds, sampleRss, treeCpuSeconds } from './proc-stats.js';
import { simpleTable } from './report.js';
import { dbtContext, freshDatabase, round, WAREHOUSES } from './scenario.js';
import type { BenchContext, Scenario } from './scenario.js';
import { benchTaskQueue, counterGrowth, runWorkflow, startWorker } from './worker-process.js';

/** Plain dbt's --threads (the generated profile says 4 as well). */
const THREADS = 4;

interface ConcurrencyOptions {
  models: number;
  runs: number[];
  warehouses: Warehouse[];
  /** The worker's activity slots (WORKER_MAX_CONCURRENT_ACTIVITIES); 0: its default. */
  slots: number;
  /** Skip the plain dbt side (profiling). */
  workerOnly: boolean;
}

interface Side {
  wallS: number;
  cpuS: number;
  /** The supervisor process alone (Temporal SDK, workflows, pool threads), and the dev server. */
  supervisorCpuS: number;
  temporalCpuS: number;
  peakRssMb: number;
  failedRuns: number;
  /** The engine counters' growth over the measured runs (context opens, switches, parses, ...). */
  engine: Record<string, number>;
}

/** K runs at once on one fresh worker, after a warm-up of each run's first layer. */
async function workerSide(bench: BenchContext, wh: Warehouse, projectDir: string, k: number, slots: number): Promise<Side> {
  const taskQueue = benchTaskQueue();
  const envs = Array.from({ length: k }, (_, i) => freshDatabase(bench, wh, `cc_k${k}_run${i}`));
  const env = freshDatabase(bench, wh, `cc_k${k}_worker`);
  const worker = await startWorker({ temporalAddress: bench.temporalAddress, taskQueue, projectDir, env, tmpDir: bench.scratch, ...(slots ? { concurrency: slots } : {}) });
  const connection = await Connection.connect({ address: bench.temporalAddress }).catch(async (err: unknown) => {
    await worker.stop();
    throw err;
  });
  try {
    const client = new Client({ connection });
    // Warm-up with each run's own env: engines started and every env's manifest parsed, as in a
    // long-lived worker that serves these K runs regularly.
    const warm = await Promise.all(envs.map((e) => runWorkflow(client, taskQueue, { env: e, select: 'm_0_*' })));
    for (const w of warm.filter((o) => !o.ok)) bench.log(`${wh}: K=${k}: warm-up run failed: ${w.error ?? `${w.failedNodes} node(s)`}`);
    const rss = sampleRss(() => [worker.pid]);
    const counters0 = await worker.engineCounters();
    const cpu0 = treeCpuSeconds([worker.pid]);
    const own0 = ownCpuSeconds(worker.pid);
    const server0 = bench.temporalPid === null ? 0 : treeCpuSeconds([bench.temporalPid]);
    const t0 = performance.now();
    const outcomes = await Promise.all(envs.map((e) => runWorkflow(client, taskQueue, { env: e })));
    const wallS = (performance.now() - t0) / 1000;
    const cpuS = treeCpuSeconds([worker.pid]) - cpu0;
    const supervisorCpuS = ownCpuSeconds(worker.pid) - own0;
    const temporalCpuS = bench.temporalPid === null ? 0 : treeCpuSeconds([bench.temporalPid]) - server0;
    const engine = counterGrowth(counters0, await worker.engineCounters());
    for (const o of outcomes.filter((x) => !x.ok)) bench.log(`${wh}: K=${k}: run ${o.workflowId} failed: ${o.error ?? `${o.failedNodes} node(s)`}`);
    return { wallS, cpuS, supervisorCpuS, temporalCpuS, peakRssMb: rss.stop(), failedRuns: outcomes.filter((o) => !o.ok).length, engine };
  } finally {
    await connection.close();
    await worker.stop();
  }
}

async function runConcurrency(bench: BenchContext, o: ConcurrencyOptions) {
  const rows: Record<string, unknown>[] = [];
  for (const wh of o.warehouses) {
    const projectDir = join(bench.scratch, `project-cc-${wh}`);
    const shape = await generateProject(projectDir, { models: o.models, width: 8, testEvery: 4, warehouse: wh });
    const ctx = (env: Record<string, string>) => dbtContext(bench, wh, projectDir, env, THREADS);
    const parsed = await parseProject(ctx(freshDatabase(bench, wh, 'cc_parse')));
    for (const k of o.runs) {
      bench.log(`${wh}: K=${k} runs of ${shape.nodes} nodes: one worker ...`);
      const w = await workerSide(bench, wh, projectDir, k, o.slots);
      bench.log(`${wh}: K=${k}: worker ${w.wallS.toFixed(1)} s, ${w.cpuS.toFixed(1)} CPU-s (supervisor ${w.supervisorCpuS.toFixed(1)}, Temporal server ${w.temporalCpuS.toFixed(1)}); ${k} x dbt build ...`);
      // --worker-only (profiling the worker side): no plain dbt side, its figures null.
      const d = o.workerOnly ? { wallS: NaN, cpuS: NaN, peakRssMb: null, failures: null }
        : await runPlainBuilds(Array.from({ length: k }, (_, i) => ctx(freshDatabase(bench, wh, `cc_k${k}_dbt${i}`))), parsed.partialParse);
      bench.log(`${wh}: K=${k}: dbt build ${d.wallS.toFixed(1)} s, ${d.cpuS.toFixed(1)} CPU-s; failed runs ${w.failedRuns} / ${d.failures}`);
      const nodes = shape.nodes * k;
      rows.push({
        warehouse: wh, k, nodes, worker_wall_s: round(w.wallS), dbt_wall_s: round(d.wallS), wall_x: round(w.wallS / d.wallS),
        worker_cpu_s: round(w.cpuS, 1), worker_supervisor_cpu_s: round(w.supervisorCpuS, 1), temporal_cpu_s: round(w.temporalCpuS, 1), dbt_cpu_s: round(d.cpuS, 1), cpu_x: d.cpuS > 0 ? round(w.cpuS / d.cpuS) : null,
        worker_peak_rss_mb: w.peakRssMb, dbt_peak_rss_mb: d.peakRssMb,
        worker_nodes_per_s: round(nodes / w.wallS), dbt_nodes_per_s: round(nodes / d.wallS),
        worker_failed_runs: w.failedRuns, dbt_failed_runs: d.failures, worker_engine: w.engine,
      });
      bench.log(`${wh}: K=${k}: engine ${Object.entries(w.engine).map(([n, v]) => `${n}=${v}`).join(' ')}`);
    }
  }
  const table = simpleTable(
    ['warehouse', 'K runs', 'nodes', 'wall s worker / dbt', 'wall x', 'CPU s worker / dbt', 'CPU x', 'peak RSS MiB worker / dbt', 'nodes/s worker / dbt', 'failed runs worker / dbt'],
    rows.map((r) => [r.warehouse, r.k, r.nodes, `${r.worker_wall_s} / ${r.dbt_wall_s}`, r.wall_x, `${r.worker_cpu_s} / ${r.dbt_cpu_s}`, r.cpu_x,
      `${r.worker_peak_rss_mb} / ${r.dbt_peak_rss_mb}`, `${r.worker_nodes_per_s} / ${r.dbt_nodes_per_s}`, `${r.worker_failed_runs} / ${r.dbt_failed_runs}`] as (string | number | null)[]),
  );
  const name = `concurrency-${o.warehouses.join('-')}-${o.models}m-k${o.runs.join('-')}${o.slots ? `-slots${o.slots}` : ''}`;
  const settings = o.slots ? `defaults but WORKER_MAX_CONCURRENT_ACTIVITIES=${o.slots}` : 'defaults';
  return { name, table, rows, doc: { models: o.models, runs: o.runs, dbt_threads: THREADS, worker_settings: settings, rows } };
}

/**
 * `--runs 1,4,8,16` (K values), `--models 40` (~50 nodes), `--warehouses duckdb,postgres`, `--slots N` (the worker's activity
 * slots; default: its own), `--worker-only` (no plain dbt side: for profiling the worker).
 */
export function concurrencyScenario(args: Args): Scenario {
  const o: ConcurrencyOptions = {
    models: args.int('models', 40),
    runs: args.ints('runs', [1, 4, 8, 16]),
    warehouses: args.names('warehouses', WAREHOUSES, WAREHOUSES),
    slots: args.int('slots', 0),
    workerOnly: args.flag('worker-only'),
  };
  return { warehouses: o.warehouses, run: (bench) => runConcurrency(bench, o) };
}
