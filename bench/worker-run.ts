// The dbt-temporal competitor: a real worker process (the CLI from dist/) on its own task
// queue, one warm-up run, then one measured run; overhead per node from Temporal's history.
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { execa, execaSync } from 'execa';
import type { DbtRunOutput, NodeResult } from '../src/shared/contracts.js';
import { WORKFLOW_TYPE } from '../src/shared/names.js';
import type { Measured } from './plain-dbt.js';
import { sampleRss, treeCpuSeconds } from './proc-stats.js';

const CLI = fileURLToPath(new URL('../../bin/dbt-temporal.js', import.meta.url));

export interface WorkerScenario {
  temporalAddress: string;
  projectDir: string;
  env: Record<string, string>;
  concurrency: number;
  engineMode: 'warm' | 'subprocess';
  tuner: 'fixed' | 'resource-based';
  tmpDir: string;
  /** Selector of the warm-up run (a few independent nodes). */
  warmupSelect: string;
}

/** dbt's own compile+execute span of a node result, in ms (our overhead entries excluded). */
function dbtMs(r: NodeResult): number {
  const own = r.timing.filter((t) => !t.name.startsWith('dbt_temporal:'));
  if (own.length === 0) return 0;
  return Math.max(...own.map((t) => Date.parse(t.completed_at))) - Math.min(...own.map((t) => Date.parse(t.started_at)));
}

const ms = (t: { seconds?: unknown; nanos?: number | null } | null | undefined): number =>
  t ? Number(t.seconds ?? 0) * 1000 + (t.nanos ?? 0) / 1e6 : 0;

/** Per node, the executor's overhead entries next to dbt's timing (where the time outside dbt goes). */
function breakdown(output: DbtRunOutput): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const r of output.node_results) {
    for (const t of r.timing.filter((x) => x.name.startsWith('dbt_temporal:'))) {
      (out[t.name.slice('dbt_temporal:'.length)] ??= []).push(Date.parse(t.completed_at) - Date.parse(t.started_at));
    }
  }
  return out;
}

/** Per node: schedule-to-start and everything-but-dbt (schedule to completion minus dbt's span). */
async function overheads(client: Client, workflowId: string, output: DbtRunOutput): Promise<{ overheadMs: number[]; overheadTotalMs: number[]; scheduleToStartMs: number[]; temporalMs: number[]; workflowTasksPerNode: number; eventsPerNode: number }> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const scheduled = new Map<number, { at: number; uniqueId: string }>();
  const started = new Map<number, number>();
  const byNode = new Map(output.node_results.map((r) => [r.unique_id, r]));
  const overheadMs: number[] = [];
  const overheadTotalMs: number[] = [];
  const scheduleToStartMs: number[] = [];
  const temporalMs: number[] = [];
  let workflowTasks = 0;
  for (const e of history.events ?? []) {
    const id = Number(e.eventId);
    if (e.workflowTaskCompletedEventAttributes) workflowTasks += 1;
    const sched = e.activityTaskScheduledEventAttributes;
    if (sched?.activityType?.name === 'execute_node') {
      const data = sched.input?.payloads?.[0]?.data;
      const input = data ? (JSON.parse(Buffer.from(data).toString('utf8')) as { unique_id: string }) : { unique_id: '' };
      scheduled.set(id, { at: ms(e.eventTime), uniqueId: input.unique_id });
    }
    const st = e.activityTaskStartedEventAttributes;
    if (st && scheduled.has(Number(st.scheduledEventId))) started.set(Number(st.scheduledEventId), ms(e.eventTime));
    const done = e.activityTaskCompletedEventAttributes;
    const s = done ? scheduled.get(Number(done.scheduledEventId)) : undefined;
    if (done && s) {
      const result = byNode.get(s.uniqueId);
      const startAt = started.get(Number(done.scheduledEventId)) ?? s.at;
      scheduleToStartMs.push(startAt - s.at);
      if (result) {
        // Service overhead: start to completion minus dbt's work and minus waiting for capacity
        // (the executor queue, e.g. the DuckDB single-writer lock); the total keeps every wait.
        const queued = result.timing.find((t) => t.name === 'dbt_temporal:queued');
        const queuedMs = queued ? Date.parse(queued.completed_at) - Date.parse(queued.started_at) : 0;
        overheadMs.push(Math.max(0, ms(e.eventTime) - startAt - dbtMs(result) - queuedMs));
        overheadTotalMs.push(Math.max(0, ms(e.eventTime) - s.at - dbtMs(result)));
        // Temporal's share: activity start to completion outside the executor's span (from the
        // task's arrival to its result read): the SDK's dispatch and completion, the activity glue.
        const results = result.timing.find((t) => t.name === 'dbt_temporal:results');
        if (queued && results) temporalMs.push(Math.max(0, ms(e.eventTime) - startAt - (Date.parse(results.completed_at) - Date.parse(queued.started_at))));
        if (process.env.BENCH_TRACE_FILE) {
          const own = result.timing.filter((t) => !t.name.startsWith('dbt_temporal:'));
          const { appendFileSync } = await import('node:fs');
          appendFileSync(process.env.BENCH_TRACE_FILE, `${JSON.stringify({ uid: s.uniqueId, where: 'history', h0: s.at, h1: startAt, h2: ms(e.eventTime),
            dbt0: Math.min(...own.map((t) => Date.parse(t.started_at))), dbt1: Math.max(...own.map((t) => Date.parse(t.completed_at))) })}\n`);
        }
      }
    }
  }
  const nodes = Math.max(1, output.node_results.length);
  return { overheadMs, overheadTotalMs, scheduleToStartMs, temporalMs, workflowTasksPerNode: workflowTasks / nodes, eventsPerNode: (history.events?.length ?? 0) / nodes };
}

export async function runWorkerScenario(sc: WorkerScenario): Promise<Measured> {
  const taskQueue = `bench-${randomUUID().slice(0, 8)}`;
  // Profiling: BENCH_WORKER_NODE_ARGS (e.g. `--cpu-prof --cpu-prof-dir=/tmp/p`) go to the worker's node.
  const nodeArgs = (process.env.BENCH_WORKER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = execa('node', [...nodeArgs, CLI, 'worker'], {
    env: {
      ...process.env, ...sc.env, TEMPORAL_ADDRESS: sc.temporalAddress, TEMPORAL_TASK_QUEUE: taskQueue, DBT_PROJECT_DIR: sc.projectDir,
      DBT_PROFILES_DIR: sc.projectDir, DBT_ENGINE_MODE: sc.engineMode, WORKER_TUNER: sc.tuner, TMPDIR: sc.tmpDir,
      WORKER_MAX_CONCURRENT_ACTIVITIES: String(sc.concurrency),
    },
    reject: false, all: true, buffer: false,
  });
  let log = '';
  child.all?.on('data', (c: Buffer) => (log = (log + c.toString()).slice(-20_000)));
  const connection = await Connection.connect({ address: sc.temporalAddress });
  try {
    const deadline = Date.now() + 300_000;
    while (!log.includes('worker connected')) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`worker did not start:\n${log}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const client = new Client({ connection });
    const run = async (select?: string): Promise<{ output: DbtRunOutput; workflowId: string }> => {
      const workflowId = `bench-${randomUUID()}`;
      const handle = await client.workflow.start(WORKFLOW_TYPE, { taskQueue, workflowId, args: [{ env: sc.env, ...(select ? { select } : {}) }] });
      return { output: (await handle.result()) as DbtRunOutput, workflowId };
    };
    // Warm-up on the first layer (as wide as C): engines started and the manifest parsed, as in
    // a long-lived worker; same env as the measured run, so the same manifest is reused.
    await run(sc.warmupSelect);
    const pid = child.pid as number;
    const rss = sampleRss(() => [pid]);
    const cpu0 = treeCpuSeconds([pid]);
    // Profiling hook: BENCH_MEASURE_HOOK runs (with the worker's pid) as the measured run starts and ends.
    const hook = (phase: string): void => void (process.env.BENCH_MEASURE_HOOK && execaSync(process.env.BENCH_MEASURE_HOOK, [phase, String(pid)], { stdio: 'inherit' }));
    hook('start');
    const t0 = performance.now();
    const { output, workflowId } = await run();
    const wallS = (performance.now() - t0) / 1000;
    hook('end');
    const cpuS = treeCpuSeconds([pid]) - cpu0;
    const peakRssMb = rss.stop();
    const failures = output.node_results.filter((r) => !['success', 'pass'].includes(r.status)).length;
    const { temporalMs, ...measured } = await overheads(client, workflowId, output);
    return { wallS, cpuS, peakRssMb, failures, breakdownMs: { ...breakdown(output), temporal: temporalMs }, ...measured };
  } finally {
    await connection.close();
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    await child;
    clearTimeout(timer);
  }
}
