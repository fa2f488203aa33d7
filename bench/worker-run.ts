// The dbt-temporal competitor: a real worker process (the CLI from dist/) on its own task
// queue, one warm-up run, then one measured run; overhead per node from Temporal's history.
import { Client, Connection } from '@temporalio/client';
import { execaSync } from 'execa';
import { breakdown, overheads } from './history.js';
import type { Measured } from './plain-dbt.js';
import { sampleRss, treeCpuSeconds } from './proc-stats.js';
import { benchTaskQueue, runWorkflow, startWorker } from './worker-process.js';
import type { WorkerSettings } from './worker-process.js';

export interface WorkerScenario extends WorkerSettings {
  temporalAddress: string;
  projectDir: string;
  env: Record<string, string>;
  tmpDir: string;
  /** Selector of the warm-up run (a few independent nodes). */
  warmupSelect: string;
}

/** One worker, a warm-up run, then the measured full run: wall, CPU and peak RSS of the worker tree. */
export async function runWorkerScenario(sc: WorkerScenario): Promise<Measured> {
  const taskQueue = benchTaskQueue();
  const { temporalAddress, projectDir, env, tmpDir } = sc;
  const settings: WorkerSettings = {
    ...(sc.concurrency !== undefined ? { concurrency: sc.concurrency } : {}),
    ...(sc.engineMode ? { engineMode: sc.engineMode } : {}),
    ...(sc.tuner ? { tuner: sc.tuner } : {}),
  };
  const worker = await startWorker({ temporalAddress, taskQueue, projectDir, env, tmpDir, ...settings });
  const connection = await Connection.connect({ address: temporalAddress }).catch(async (err: unknown) => {
    await worker.stop();
    throw err;
  });
  try {
    const client = new Client({ connection });
    // Warm-up on the first layer (as wide as C): engines started and the manifest parsed, as in
    // a long-lived worker; same env as the measured run, so the same manifest is reused.
    const warm = await runWorkflow(client, taskQueue, { env, ...(sc.warmupSelect ? { select: sc.warmupSelect } : {}) });
    if (!warm.ok) throw new Error(`warm-up run failed: ${warm.error ?? `${warm.failedNodes} node(s) failed`}`);
    const { pid } = worker;
    const rss = sampleRss(() => [pid]);
    const cpu0 = treeCpuSeconds([pid]);
    // Profiling hook: BENCH_MEASURE_HOOK runs (with the worker's pid) as the measured run starts and ends.
    const hook = (phase: string): void => void (process.env.BENCH_MEASURE_HOOK && execaSync(process.env.BENCH_MEASURE_HOOK, [phase, String(pid)], { stdio: 'inherit' }));
    hook('start');
    const t0 = performance.now();
    const run = await runWorkflow(client, taskQueue, { env });
    const wallS = (performance.now() - t0) / 1000;
    hook('end');
    const cpuS = treeCpuSeconds([pid]) - cpu0;
    const peakRssMb = rss.stop();
    if (!run.output) throw new Error(`measured run failed without output: ${run.error ?? ''}`);
    const { temporalMs, ...measured } = await overheads(client, run.workflowId, run.output);
    return { wallS, cpuS, peakRssMb, failures: run.failedNodes, breakdownMs: { ...breakdown(run.output), temporal: temporalMs }, ...measured };
  } finally {
    await connection.close();
    await worker.stop();
  }
}
