// Scenario `scale-out`: one run of the 200-node project spread over W worker processes on ONE
// task queue (all default settings), for each W, next to plain `dbt build --threads 4`. Per W:
// wall, CPU seconds and peak RSS summed over all W worker trees, and how many nodes each
// worker ran (the identity on each execute_node's ActivityTaskStarted event). Postgres only:
// W workers on one run would share its DuckDB file, which allows one writing process.
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { Args } from './args.js';
import { generateProject } from './generate.js';
import { nodesByIdentity } from './history.js';
import { parseProject, runPlainBuilds } from './plain-dbt.js';
import { ownCpuSeconds, sampleRss, treeCpuSeconds } from './proc-stats.js';
import { simpleTable } from './report.js';
import { dbtContext, freshDatabase, round } from './scenario.js';
import type { BenchContext, Scenario } from './scenario.js';
import { benchTaskQueue, counterGrowth, runWorkflow, startWorker } from './worker-process.js';

const THREADS = 4;

interface ScaleOutOptions {
  models: number;
  workers: number[];
}

interface WorkersResult {
  wallS: number;
  cpuS: number;
  peakRssMb: number;
  failures: number;
  nodesPerWorker: number[];
  /** Each worker's engine counters' growth over the measured run (context opens, parses, loads, ...). */
  enginePerWorker: Record<string, number>[];
  cpuPerWorker: number[];
  /** Of that, each worker's supervisor process alone (the rest: its engines). */
  supervisorCpuPerWorker: number[];
}

/** W fresh workers on one queue, a warm-up of the first layer on each, then the measured full run. */
async function runOnWorkers(bench: BenchContext, projectDir: string, w: number): Promise<WorkersResult> {
  const taskQueue = benchTaskQueue();
  const env = freshDatabase(bench, 'postgres', `so_w${w}`);
  const started = await Promise.allSettled(Array.from({ length: w }, () =>
    startWorker({ temporalAddress: bench.temporalAddress, taskQueue, projectDir, env, tmpDir: bench.scratch })));
  const workers = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  let connection: Connection | null = null;
  try {
    const failed = started.find((s) => s.status === 'rejected');
    if (failed) throw failed.reason;
    connection = await Connection.connect({ address: bench.temporalAddress });
    const client = new Client({ connection });
    // Warm-up: every worker builds the first layer once, as long-lived workers have (engines
    // started, manifest parsed, materializations compiled). A run's nodes go to the worker that
    // runs its workflow (eager dispatch), and Temporal picks that worker (it cannot address one on
    // a shared queue), so warm-up runs repeat until each worker has had one: otherwise W=1's one
    // worker is always warm and a W>1 run may land on a cold one.
    const warmed = new Set<string>();
    for (let round = 0; round < 12 && warmed.size < workers.length; round++) {
      const warm = await runWorkflow(client, taskQueue, { env, select: 'm_0_*' });
      if (!warm.ok) bench.log(`postgres: W=${w}: warm-up run failed: ${warm.error ?? `${warm.failedNodes} node(s)`}`);
      for (const [identity, n] of await nodesByIdentity(client, warm.workflowId)) if (n > 0) warmed.add(identity);
    }
    if (warmed.size < workers.length) bench.log(`postgres: W=${w}: ${workers.length - warmed.size} worker(s) ran no warm-up node`);
    const pids = workers.map((x) => x.pid);
    const rss = sampleRss(() => pids);
    const counters0 = await Promise.all(workers.map((x) => x.engineCounters()));
    const cpuEach0 = pids.map((p) => treeCpuSeconds([p]));
    const ownEach0 = pids.map((p) => ownCpuSeconds(p));
    const t0 = performance.now();
    const run = await runWorkflow(client, taskQueue, { env });
    const wallS = (performance.now() - t0) / 1000;
    const cpuEach = pids.map((p, i) => treeCpuSeconds([p]) - (cpuEach0[i] ?? 0));
    const cpuS = cpuEach.reduce((a, b) => a + b, 0);
    const cpuPerWorker = cpuEach.map((c) => round(c, 2));
    const supervisorCpuPerWorker = pids.map((p, i) => round(ownCpuSeconds(p) - (ownEach0[i] ?? 0), 2));
    const peakRssMb = rss.stop();
    const enginePerWorker = await Promise.all(workers.map(async (x, i) => counterGrowth(counters0[i] ?? {}, await x.engineCounters())));
    if (!run.ok) bench.log(`postgres: W=${w}: run failed: ${run.error ?? `${run.failedNodes} node(s)`}`);
    const byIdentity = await nodesByIdentity(client, run.workflowId);
    return { wallS, cpuS, peakRssMb, failures: run.failedNodes, nodesPerWorker: workers.map((x) => byIdentity.get(x.identity) ?? 0), enginePerWorker, cpuPerWorker, supervisorCpuPerWorker };
  } finally {
    await connection?.close();
    await Promise.all(workers.map((x) => x.stop()));
  }
}

async function runScaleOut(bench: BenchContext, o: ScaleOutOptions) {
  const projectDir = join(bench.scratch, 'project-scale-out');
  const shape = await generateProject(projectDir, { models: o.models, width: 8, testEvery: 4, warehouse: 'postgres' });
  const ctx = (label: string) => dbtContext(bench, 'postgres', projectDir, freshDatabase(bench, 'postgres', label), THREADS);
  const parsed = await parseProject(ctx('so_parse'));
  bench.log(`postgres: ${shape.nodes} nodes: dbt build --threads ${THREADS} ...`);
  const dbt = await runPlainBuilds([ctx('so_dbt')], parsed.partialParse);
  bench.log(`postgres: dbt build: ${dbt.wallS.toFixed(1)} s, ${dbt.cpuS.toFixed(1)} CPU-s, failures ${dbt.failures}`);
  const rows: Record<string, unknown>[] = [{
    warehouse: 'postgres', competitor: 'dbt-build', workers: null, nodes: shape.nodes, wall_s: round(dbt.wallS), cpu_s: round(dbt.cpuS, 1),
    peak_rss_mb: dbt.peakRssMb, failures: dbt.failures, nodes_per_s: round(shape.nodes / dbt.wallS),
  }];
  let one: WorkersResult | null = null;
  for (const w of o.workers) {
    bench.log(`postgres: ${w} worker(s) on one task queue ...`);
    const r = await runOnWorkers(bench, projectDir, w);
    bench.log(`postgres: W=${w}: ${r.wallS.toFixed(1)} s, ${r.cpuS.toFixed(1)} CPU-s, nodes per worker ${r.nodesPerWorker.join('/')}, CPU-s per worker ${r.cpuPerWorker.join('/')} (supervisor ${r.supervisorCpuPerWorker.join('/')}), failures ${r.failures}`);
    r.enginePerWorker.forEach((c, i) => bench.log(`postgres: W=${w}: worker ${i + 1} engine ${Object.entries(c).map(([k, v]) => `${k}=${v}`).join(' ')}`));
    if (w === 1) one = r;
    rows.push({
      warehouse: 'postgres', competitor: 'dbt-temporal', workers: w, nodes: shape.nodes, wall_s: round(r.wallS), cpu_s: round(r.cpuS, 1),
      peak_rss_mb: r.peakRssMb, failures: r.failures, nodes_per_s: round(shape.nodes / r.wallS), nodes_per_worker: r.nodesPerWorker, engine_per_worker: r.enginePerWorker, cpu_s_per_worker: r.cpuPerWorker, supervisor_cpu_s_per_worker: r.supervisorCpuPerWorker,
      wall_x_w1: one ? round(r.wallS / one.wallS) : null, cpu_x_w1: one && one.cpuS > 0 ? round(r.cpuS / one.cpuS) : null,
      x_dbt_build: round(r.wallS / dbt.wallS), cpu_x_dbt_build: dbt.cpuS > 0 ? round(r.cpuS / dbt.cpuS) : null,
    });
  }
  const table = simpleTable(
    ['competitor', 'workers', 'nodes', 'wall s', 'x W=1', 'x dbt build', 'CPU s', 'CPU x W=1', 'CPU x dbt build', 'peak RSS MiB', 'nodes/s', 'nodes per worker', 'failures'],
    rows.map((r) => [r.competitor, r.workers, r.nodes, r.wall_s, r.wall_x_w1 ?? null, r.x_dbt_build ?? null, r.cpu_s, r.cpu_x_w1 ?? null, r.cpu_x_dbt_build ?? null,
      r.peak_rss_mb, r.nodes_per_s, Array.isArray(r.nodes_per_worker) ? r.nodes_per_worker.join(' / ') : null, r.failures] as (string | number | null)[]),
  );
  const name = `scale-out-postgres-${o.models}m-w${o.workers.join('-')}`;
  return { name, table, rows, doc: { models: o.models, nodes: shape.nodes, workers: o.workers, dbt_threads: THREADS, worker_settings: 'defaults', rows } };
}

/** `--workers 1,2,3` (W values), `--models 160` (200 nodes); `--warehouses` may only be postgres. */
export function scaleOutScenario(args: Args): Scenario {
  const warehouses = args.names('warehouses', ['postgres'], ['duckdb', 'postgres']);
  if (warehouses.join(',') !== 'postgres') {
    throw new TypeError(`--warehouses must be postgres for scale-out (W workers would share one DuckDB file, which allows one writing process), got ${warehouses.join(',')}`);
  }
  const o: ScaleOutOptions = { models: args.int('models', 160), workers: args.ints('workers', [1, 2, 3]).sort((a, b) => a - b) };
  return { warehouses: ['postgres'], run: (bench) => runScaleOut(bench, o) };
}
