// Runs one dbt CLI invocation as a child process with an explicit cwd/env, a timeout, and
// cancellation that kills the whole process group.
import { execa } from 'execa';

export interface DbtProcessOptions {
  dbtPath: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  timeoutMs: number;
  signal: AbortSignal;
}

export interface DbtProcessResult {
  exitCode: number | null;
  output: string;
  timedOut: boolean;
  cancelled: boolean;
  /** Set when the executable could not be started at all. */
  spawnError: string | null;
}

const KILL_GRACE_MS = 5_000;

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is already gone.
  }
}

/** Runs dbt and resolves with its exit status and combined output; never rejects. */
export async function runDbtProcess(opts: DbtProcessOptions): Promise<DbtProcessResult> {
  // `detached` puts dbt in its own process group so cancellation reaches every child it forks.
  const child = execa(opts.dbtPath, opts.args, {
    cwd: opts.cwd,
    env: opts.env,
    extendEnv: false,
    detached: true,
    reject: false,
    all: true,
    stdin: 'ignore',
    maxBuffer: 64 * 1024 * 1024,
    timeout: opts.timeoutMs,
    killSignal: 'SIGTERM',
    forceKillAfterDelay: KILL_GRACE_MS,
  });
  const stop = (): void => {
    killGroup(child.pid, 'SIGTERM');
    setTimeout(() => killGroup(child.pid, 'SIGKILL'), KILL_GRACE_MS).unref();
  };
  if (opts.signal.aborted) stop();
  opts.signal.addEventListener('abort', stop, { once: true });
  try {
    const r = await child;
    if (r.timedOut) killGroup(child.pid, 'SIGKILL');
    const spawnError = r.failed && r.exitCode === undefined && !r.timedOut && !opts.signal.aborted
      ? (r.originalMessage ?? r.shortMessage ?? 'spawn failed')
      : null;
    return {
      exitCode: r.exitCode ?? null,
      output: typeof r.all === 'string' ? r.all : '',
      timedOut: r.timedOut,
      cancelled: opts.signal.aborted,
      spawnError,
    };
  } finally {
    opts.signal.removeEventListener('abort', stop);
  }
}
