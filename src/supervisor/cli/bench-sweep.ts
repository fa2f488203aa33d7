// One measurement of `dbt-temporal bench`: a worker process with one setting running K runs at
// once on the embedded dev server, or the plain `dbt build` baseline; each in its own process
// tree (wall, CPU and peak RSS of that tree), per-node waits from the runs' Temporal history.
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import type { Client } from '@temporalio/client';
import { execa } from 'execa';
import type { DbtRunInput, DbtRunOutput } from '../../shared/contracts.js';
import { WORKFLOW_TYPE } from '../../shared/names.js';
import { packageRoot } from '../package-root.js';
import { dbtSpanMs, eventMs } from './bench-history.js';
import { reapedChildrenCpuSeconds, sampleRss, treeCpuSeconds } from './bench-proc.js';
import { failedRunOutput } from './run-failure.js';
import { WORKER_NODE_FLAGS } from './worker-node-flags.js';

/** What every measurement shares: the project, the scratch dir, the run's selection. */
export interface BenchTarget {
  projectDir: string;
  profilesDir: string;
  target: string | undefined;
  select: string[];
  exclude: string[];
  /** Scratch (dbt's target and log paths, the worker's TMPDIR); never inside the project. */
  scratch: string;
  env: Record<string, string | undefined>;
  cwd: string;
}

export interface Measurement {
  wallS: number;
  cpuS: number;
  peakRssMb: number;
  /** Node results over all runs, and those not success/pass. */
  nodes: number;
  failures: number;
  scheduleToStartMs: number[];
  overheadMs: number[];
}

/** Per node of one run: schedule-to-start, and schedule-to-close minus dbt's own work (the overhead). */
async function nodeWaits(client: Client, workflowId: string, output: DbtRunOutput | null): Promise<{ s2s: number[]; overhead: number[] }> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const byNode = new Map((output?.node_results ?? []).map((r) => [r.unique_id, r]));
  const scheduled = new Map<number, { at: number; uniqueId: string }>();
  const s2s: number[] = [];
  const overhead: number[] = [];
  for (const e of history.events ?? []) {
    const sched = e.activityTaskScheduledEventAttributes;
    if (sched?.activityType?.name === 'execute_node') {
      const data = sched.input?.payloads?.[0]?.data;
      const input = data ? (JSON.parse(Buffer.from(data).toString('utf8')) as { unique_id?: string }) : {};
      scheduled.set(Number(e.eventId), { at: eventMs(e.eventTime), uniqueId: input.unique_id ?? '' });
    }
    const st = e.activityTaskStartedEventAttributes;
    if (st && scheduled.has(Number(st.scheduledEventId))) {
      const s = scheduled.get(Number(st.scheduledEventId)) as { at: number };
      s2s.push(eventMs(e.eventTime) - s.at);
    }
    const done = e.activityTaskCompletedEventAttributes;
    const s = done ? scheduled.get(Number(done.scheduledEventId)) : undefined;
    const result = s ? byNode.get(s.uniqueId) : undefined;
    if (s && result) overhead.push(Math.max(0, eventMs(e.eventTime) - s.at - dbtSpanMs(result)));
  }
  return { s2s, overhead };
}

/** Starts a dbt_run and waits; a failed run's output comes from its failure details. */
async function runOnce(client: Client, taskQueue: string, input: DbtRunInput): Promise<{ workflowId: string; output: DbtRunOutput | null }> {
  const workflowId = `dbt-temporal-bench-${randomUUID()}`;
  const handle = await client.workflow.start(WORKFLOW_TYPE, { taskQueue, workflowId, args: [input] });
  try {
    return { workflowId, output: (await handle.result()) as DbtRunOutput };
  } catch (err) {
    if (!(err instanceof WorkflowFailedError)) throw err;
    return { workflowId, output: failedRunOutput(err) };
  }
}

const failed = (o: DbtRunOutput | null): number => (o ? o.node_results.filter((r) => !['success', 'pass', 'no-op'].includes(r.status)).length : 1);

/** A worker process (this CLI's `worker`) with `settings`, `runs` runs of the selection at once. */
export async function measureWorker(t: BenchTarget, client: Client, address: string, settings: Record<string, string>, runs: number): Promise<Measurement> {
  const taskQueue = `dbt-temporal-bench-${randomUUID().slice(0, 8)}`;
  const tmp = await mkdtemp(join(t.scratch, 'worker-'));
  const child = execa(process.execPath, [...WORKER_NODE_FLAGS, join(packageRoot(), 'bin', 'dbt-temporal.js'), 'worker'], {
    cwd: t.cwd, reject: false, all: true, buffer: false,
    env: {
      ...t.env, ...settings, TEMPORAL_ADDRESS: address, TEMPORAL_NAMESPACE: 'default', TEMPORAL_TASK_QUEUE: taskQueue,
      DBT_PROJECT_DIR: t.projectDir, DBT_PROFILES_DIR: t.profilesDir, TMPDIR: tmp, HEALTH_PORT: '0', HEALTH_FILE: join(tmp, 'health'),
      ...(t.target ? { DBT_TARGET: t.target } : {}),
    },
  });
  let log = '';
  child.all?.on('data', (c: Buffer) => (log = (log + c.toString()).slice(-20_000)));
  try {
    while (!log.includes('worker connected')) {
      if (child.exitCode !== null) throw new Error(`the worker did not start:\n${log}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const pid = child.pid as number;
    const input: DbtRunInput = { command: 'build', ...(t.select.length ? { select: t.select.join(' ') } : {}), ...(t.exclude.length ? { exclude: t.exclude.join(' ') } : {}) };
    const rss = sampleRss(() => [pid]);
    const cpu0 = treeCpuSeconds(pid);
    const t0 = performance.now();
    const done = await Promise.all(Array.from({ length: runs }, () => runOnce(client, taskQueue, input)));
    const wallS = (performance.now() - t0) / 1000;
    const cpuS = treeCpuSeconds(pid) - cpu0;
    const peakRssMb = rss.stop();
    const waits = await Promise.all(done.map((d) => nodeWaits(client, d.workflowId, d.output)));
    return {
      wallS, cpuS, peakRssMb, nodes: done.reduce((n, d) => n + (d.output?.node_results.length ?? 0), 0),
      failures: done.reduce((n, d) => n + failed(d.output), 0),
      scheduleToStartMs: waits.flatMap((w) => w.s2s), overheadMs: waits.flatMap((w) => w.overhead),
    };
  } finally {
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    await child;
    clearTimeout(timer);
  }
}

/** Plain `dbt build` of the same selection (its target and logs in the scratch dir). */
export async function measureDbtBuild(t: BenchTarget, dbt: string, threads: number | undefined): Promise<Measurement> {
  const target = await mkdtemp(join(t.scratch, 'dbt-build-'));
  const common = ['--project-dir', t.projectDir, '--profiles-dir', t.profilesDir, '--target-path', join(target, 'target'), '--log-path', join(target, 'logs'),
    ...(t.target ? ['--target', t.target] : [])];
  const args = ['build', ...common, ...(threads ? ['--threads', String(threads)] : []),
    ...(t.select.length ? ['--select', ...t.select] : []), ...(t.exclude.length ? ['--exclude', ...t.exclude] : [])];
  const env = { ...t.env, DBT_SEND_ANONYMOUS_USAGE_STATS: 'false' };
  // Parsed first, unmeasured (the worker too parses at start-up): the build reuses the parse.
  await execa(dbt, ['parse', ...common], { cwd: t.cwd, reject: false, env });
  const cpu0 = reapedChildrenCpuSeconds();
  const t0 = performance.now();
  const proc = execa(dbt, args, { cwd: t.cwd, reject: false, env });
  const rss = sampleRss(() => (proc.pid !== undefined && proc.exitCode === null ? [proc.pid] : []));
  await proc;
  const wallS = (performance.now() - t0) / 1000;
  const peakRssMb = rss.stop();
  const results = await readFile(join(target, 'target', 'run_results.json'), 'utf8').catch(() => null);
  const nodes = results ? (JSON.parse(results) as { results: Array<{ status: string }> }).results : [];
  return {
    wallS, cpuS: reapedChildrenCpuSeconds() - cpu0, peakRssMb, nodes: nodes.length,
    failures: results ? nodes.filter((r) => !['success', 'pass', 'no-op'].includes(r.status)).length : 1, scheduleToStartMs: [], overheadMs: [],
  };
}
