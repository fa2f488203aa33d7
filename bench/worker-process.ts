// A real dbt-temporal worker process for the benchmarks (the CLI from dist/), and one dbt_run
// workflow started and awaited on its task queue.
import { createWriteStream } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { WorkflowFailedError } from '@temporalio/client';
import type { Client } from '@temporalio/client';
import { execa } from 'execa';
import type { DbtRunInput, DbtRunOutput } from '../src/shared/contracts.js';
import { WORKFLOW_TYPE } from '../src/shared/names.js';
import { failedRunOutput } from '../src/supervisor/cli/run-failure.js';
import { WORKER_NODE_FLAGS } from '../src/supervisor/cli/worker-node-flags.js';
import { freePort } from '../src/supervisor/dev-server.js';

const CLI = fileURLToPath(new URL('../../bin/dbt-temporal.js', import.meta.url));

/** Worker settings a benchmark may pin; unset ones keep the worker's defaults. */
export interface WorkerSettings {
  /** WORKER_MAX_CONCURRENT_ACTIVITIES. @default the worker's */
  concurrency?: number;
  /** DBT_ENGINE_MODE. @default the worker's */
  engineMode?: 'warm' | 'subprocess';
  /** WORKER_TUNER. @default the worker's */
  tuner?: 'fixed' | 'resource-based';
}

export interface WorkerProcessOptions extends WorkerSettings {
  temporalAddress: string;
  taskQueue: string;
  projectDir: string;
  /** The worker's own env (profile variables); each run may overlay its own. */
  env: Record<string, string>;
  /** The worker's TMPDIR (the bench scratch, removed with it). */
  tmpDir: string;
}

export interface WorkerProcess {
  pid: number;
  /** The worker's Temporal identity, as activity history events carry it. */
  identity: string;
  /** The worker's engine counters from its /metrics (context opens, switches, parses, ...). */
  engineCounters(): Promise<Record<string, number>>;
  stop(): Promise<void>;
}

const COUNTER = /^dbt_temporal_engine_(context_\w+_total|manifest_\w+_total|recycles_total) (\d+)/gm;

/** The engine counters of a /metrics page, without the `_total` suffix. */
export function engineCountersOf(page: string): Record<string, number> {
  return Object.fromEntries([...page.matchAll(COUNTER)].map((m) => [(m[1] as string).replace(/_total$/, ''), Number(m[2])]));
}

/** How much each engine counter grew from `before` to `after`. */
export const counterGrowth = (before: Record<string, number>, after: Record<string, number>): Record<string, number> =>
  Object.fromEntries(Object.entries(after).map(([k, v]) => [k, v - (before[k] ?? 0)]));

/** The bench-wide random task queue name. */
export const benchTaskQueue = (): string => `bench-${randomUUID().slice(0, 8)}`;

/** Starts a worker and resolves once it is connected (its `worker connected` log line). */
export async function startWorker(o: WorkerProcessOptions): Promise<WorkerProcess> {
  const settings = { WORKER_MAX_CONCURRENT_ACTIVITIES: o.concurrency, DBT_ENGINE_MODE: o.engineMode, WORKER_TUNER: o.tuner };
  const inherited: Record<string, string | undefined> = { ...process.env };
  // An unset setting means the worker's default, even when the bench's own env has one.
  for (const [name, value] of Object.entries(settings)) inherited[name] = value === undefined ? undefined : String(value);
  // Profiling: BENCH_WORKER_NODE_ARGS (e.g. `--cpu-prof --cpu-prof-dir=/tmp/p`) go to the worker's node.
  const nodeArgs = (process.env.BENCH_WORKER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const healthPort = await freePort();
  const child = execa('node', [...WORKER_NODE_FLAGS, ...nodeArgs, CLI, 'worker'], {
    env: {
      ...inherited, ...o.env, TEMPORAL_ADDRESS: o.temporalAddress, TEMPORAL_TASK_QUEUE: o.taskQueue,
      DBT_PROJECT_DIR: o.projectDir, DBT_PROFILES_DIR: o.projectDir, TMPDIR: o.tmpDir, HEALTH_PORT: String(healthPort),
    },
    extendEnv: false, reject: false, all: true, buffer: false,
  });
  let log = '';
  child.all?.on('data', (c: Buffer) => (log = (log + c.toString()).slice(-20_000)));
  // BENCH_WORKER_LOG=<file>: every worker's output appended there (plan timings, engine events).
  if (process.env.BENCH_WORKER_LOG) child.all?.pipe(createWriteStream(process.env.BENCH_WORKER_LOG, { flags: 'a' }));
  const stop = async (): Promise<void> => {
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    await child;
    clearTimeout(timer);
  };
  const deadline = Date.now() + 300_000;
  while (!log.includes('worker connected')) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`worker did not start:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const pid = child.pid as number;
  const engineCounters = async (): Promise<Record<string, number>> => {
    const res = await fetch(`http://127.0.0.1:${healthPort}/metrics`).catch(() => null);
    return res?.ok ? engineCountersOf(await res.text()) : {};
  };
  return { pid, identity: `dbt-temporal-worker@${pid}`, engineCounters, stop };
}

/** One run's outcome: its output (also from a failed run's details) and whether every node succeeded. */
export interface RunOutcome {
  workflowId: string;
  ok: boolean;
  output: DbtRunOutput | null;
  /** Nodes that did not end success or pass (1 when a failed run has no output). */
  failedNodes: number;
  error: string | null;
}

/** Starts a `dbt_run` with `input` and waits for it; a failed run is an outcome, not a throw. */
export async function runWorkflow(client: Client, taskQueue: string, input: DbtRunInput): Promise<RunOutcome> {
  const workflowId = `bench-${randomUUID()}`;
  const handle = await client.workflow.start(WORKFLOW_TYPE, { taskQueue, workflowId, args: [input] });
  try {
    const output = (await handle.result()) as DbtRunOutput;
    const failedNodes = output.node_results.filter((r) => !['success', 'pass'].includes(r.status)).length;
    return { workflowId, ok: output.success && failedNodes === 0, output, failedNodes, error: null };
  } catch (err) {
    if (!(err instanceof WorkflowFailedError)) throw err;
    const cause = err.cause;
    const output = failedRunOutput(err);
    const failedNodes = output ? output.node_results.filter((r) => !['success', 'pass'].includes(r.status)).length : 1;
    return { workflowId, ok: false, output, failedNodes: Math.max(1, failedNodes), error: cause?.message ?? err.message };
  }
}
