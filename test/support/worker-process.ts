// Starts the real worker CLI (`dbt-temporal worker`) as a child process for a test.
import { randomUUID } from 'node:crypto';
import { execa } from 'execa';
import { CLI } from './paths.js';

export interface WorkerProcess {
  taskQueue: string;
  /** Every log line the worker printed so far (stderr, JSON). */
  logs(): string;
  stop(): Promise<void>;
}

/** Spawns a worker on a fresh task queue and waits for its "worker connected" log line. */
export async function startWorker(env: Record<string, string>, opts: { timeoutMs?: number; cwd?: string } = {}): Promise<WorkerProcess> {
  const taskQueue = env['TEMPORAL_TASK_QUEUE'] ?? `test-${randomUUID().slice(0, 8)}`;
  let output = '';
  const child = execa('node', [CLI, 'worker'], {
    env: { ...env, TEMPORAL_TASK_QUEUE: taskQueue },
    ...(opts.cwd ? { cwd: opts.cwd } : {}),
    reject: false,
    all: true,
    buffer: false,
  });
  child.all?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const deadline = Date.now() + (opts.timeoutMs ?? 120_000);
  let exited = false;
  void child.then(() => (exited = true));
  while (!output.includes('worker connected')) {
    if (exited) throw new Error(`worker exited during start-up:\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`worker did not start in time:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    taskQueue,
    logs: () => output,
    async stop() {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await child;
      clearTimeout(timer);
    },
  };
}

/** Runs the CLI to completion and returns its exit code and output. */
export async function runCli(args: string[], env: Record<string, string | undefined>, timeoutMs = 300_000) {
  const r = await execa('node', [CLI, ...args], { env, reject: false, timeout: timeoutMs });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}
