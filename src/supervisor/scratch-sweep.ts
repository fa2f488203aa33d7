// Start-up sweep of scratch left by dead processes. Every scratch dir is named
// `<tmpdir>/dbtt-<kind>-<pid>-XXXXXX` (executor tasks, fetched projects); a process killed with
// SIGKILL (or OOM-killed) never removes its own, and a container's /tmp (an emptyDir) outlives
// the container, so the next worker removes them.
import { readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { procStatFields } from './proc-stat.js';

const SCRATCH_NAME = /^dbtt-[a-z]+-(\d+)-[^/]+$/;

export interface SweepOptions {
  /** @default os.tmpdir() */
  dir?: string;
  /** This process's pid. @default process.pid */
  pid?: number;
  /** When this process started (epoch ms). @default performance.timeOrigin */
  startedAtMs?: number;
}

/** True when a process with this pid exists (EPERM: it does, under another user). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether /proc says the process has exited and waits to be reaped (a zombie runs nothing). */
export function isZombie(pid: number): boolean {
  return procStatFields(pid)?.[0] === 'Z';
}

/** Whether a process with this pid runs (exists and is not a zombie). */
export function isAlive(pid: number | null | undefined): boolean {
  return !!pid && isProcessAlive(pid) && !isZombie(pid);
}

/**
 * Removes scratch dirs whose owner is gone: its pid is not a live process, or it is this
 * process's pid but the dir is older than this process (a previous container incarnation that
 * had the same pid, e.g. PID 1). Returns the removed paths; never throws.
 */
export function sweepStaleScratch(opts: SweepOptions = {}): string[] {
  const dir = opts.dir ?? tmpdir();
  const self = opts.pid ?? process.pid;
  const startedAt = opts.startedAtMs ?? performance.timeOrigin;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const m = SCRATCH_NAME.exec(name);
    if (!m) continue;
    const pid = Number(m[1]);
    const path = join(dir, name);
    try {
      // A zombie owns nothing: an engine whose worker was killed with it waits there for a
      // reaper that may never come (its parent is gone).
      const stale = pid === self ? statSync(path).mtimeMs < startedAt : !isAlive(pid);
      if (!stale) continue;
      rmSync(path, { recursive: true, force: true });
      removed.push(path);
    } catch {
      // Gone meanwhile, or not ours to remove: leave it.
    }
  }
  return removed;
}
