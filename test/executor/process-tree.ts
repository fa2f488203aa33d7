// Reads the process table from /proc, to find a worker's engine processes and prove they end.
import { readFile, readdir } from 'node:fs/promises';

export interface ProcInfo {
  pid: number;
  ppid: number;
  cmdline: string;
}

async function readProc(pid: number): Promise<ProcInfo | null> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // The command name may contain spaces and parentheses: fields start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] === 'Z') return null;
    const cmdline = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).replace(/\0/g, ' ').trim();
    return { pid, ppid: Number(fields[1]), cmdline };
  } catch {
    return null;
  }
}

/** Every live (non-zombie) process. */
export async function listProcesses(): Promise<ProcInfo[]> {
  const pids = (await readdir('/proc')).filter((d) => /^\d+$/.test(d)).map(Number);
  return (await Promise.all(pids.map(readProc))).filter((p): p is ProcInfo => p !== null);
}

/** The pid of the `dbt-temporal worker` process polling `taskQueue`. */
export async function findWorkerPid(taskQueue: string): Promise<number> {
  for (const p of await listProcesses()) {
    if (!p.cmdline.includes('dbt-temporal.js worker')) continue;
    const environ = await readFile(`/proc/${p.pid}/environ`, 'utf8').catch(() => '');
    if (environ.split('\0').includes(`TEMPORAL_TASK_QUEUE=${taskQueue}`)) return p.pid;
  }
  throw new Error(`no worker process for task queue ${taskQueue}`);
}

/** Live warm-engine processes started by `workerPid`. */
export async function enginePids(workerPid: number): Promise<number[]> {
  const procs = await listProcesses();
  return procs.filter((p) => p.ppid === workerPid && p.cmdline.includes('engine.py')).map((p) => p.pid).sort();
}

/** Which of `pids` are still alive (zombies count as gone). */
export async function stillAlive(pids: readonly number[]): Promise<number[]> {
  return (await Promise.all(pids.map(readProc))).filter((p): p is ProcInfo => p !== null).map((p) => p.pid);
}

/** Waits until none of `pids` is alive, or the deadline passes; returns the survivors. */
export async function waitGone(pids: readonly number[], timeoutMs: number): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  let alive = await stillAlive(pids);
  while (alive.length > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    alive = await stillAlive(pids);
  }
  return alive;
}
