// The health canary file: created once the worker is up, then its mtime is touched every 15 s
// by a timer on the main event loop, so a blocked loop (or a dead process) turns it stale.
import { mkdir, stat, unlink, utimes, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Touch period and staleness threshold of the guide (`HEALTH_FILE`, `healthcheck`, HTTP). */
export const HEALTH_TOUCH_INTERVAL_MS = 15_000;
export const HEALTH_STALE_AFTER_MS = 60_000;

export interface HealthFileOptions {
  /** @default 15000 */
  intervalMs?: number;
}

export interface HealthFile {
  readonly path: string;
  /** Stops touching; the file is left to go stale (idempotent). */
  stop(): void;
}

/** Age of the file's mtime in ms, or null when it does not exist. */
export async function healthFileAgeMs(path: string, now: number = Date.now()): Promise<number | null> {
  try {
    return Math.max(0, now - (await stat(path)).mtimeMs);
  } catch {
    return null;
  }
}

export async function isHealthFileFresh(path: string, staleAfterMs = HEALTH_STALE_AFTER_MS): Promise<boolean> {
  const age = await healthFileAgeMs(path);
  return age !== null && age < staleAfterMs;
}

/** Removes a file left by an earlier process so it cannot vouch for this one. */
export async function clearHealthFile(path: string): Promise<void> {
  await unlink(path).catch(() => undefined);
}

async function touch(path: string): Promise<void> {
  const now = new Date();
  try {
    await utimes(path, now, now);
  } catch {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, '');
  }
}

/** Creates (with parent dirs) and starts touching the file; the first touch is awaited. */
export async function startHealthFile(path: string, opts: HealthFileOptions = {}, onError: (err: Error) => void = () => undefined): Promise<HealthFile> {
  await touch(path);
  const timer = setInterval(() => {
    touch(path).catch(onError);
  }, opts.intervalMs ?? HEALTH_TOUCH_INTERVAL_MS);
  timer.unref();
  return {
    path,
    stop: () => clearInterval(timer),
  };
}
