// The start-up lock of a project's daemon: a file created exclusively, holding the holder's pid.
// Two terminals never start two daemons; a lock left by a killed process is taken over.
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { CodedError } from '../../shared/errors.js';
import { isAlive } from '../scratch-sweep.js';

export interface LockOptions {
  /** Give up after this long (a start-up holds it for seconds). @default 180000 */
  timeoutMs?: number;
  /** How often to look again while another process holds it. @default 100 */
  pollMs?: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function holder(path: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(path, 'utf8'), 10);
    return Number.isInteger(pid) ? pid : null;
  } catch {
    return null;
  }
}

/** Takes the lock at `path`; resolves to its release function. */
export async function acquireLock(path: string, opts: LockOptions = {}): Promise<() => void> {
  const deadline = Date.now() + (opts.timeoutMs ?? 180_000);
  for (;;) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => {
        if (holder(path) === process.pid) rmSync(path, { force: true });
      };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // A daemon that just stopped removed its (empty) directory.
      if (code === 'ENOENT') {
        mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
        continue;
      }
      if (code !== 'EEXIST') throw err;
    }
    const pid = holder(path);
    // A holder that died (or a file it never got to write its pid into, seen twice) is stale.
    if (pid !== null && !isAlive(pid)) rmSync(path, { force: true });
    else if (pid === null) {
      await sleep(opts.pollMs ?? 100);
      if (holder(path) === null) rmSync(path, { force: true });
    }
    if (Date.now() > deadline) throw new CodedError('CONFIG_ERROR', `the local daemon's lock ${path} is held by process ${pid ?? '?'}; retry, or remove the file if that process is gone`);
    await sleep(opts.pollMs ?? 100);
  }
}
