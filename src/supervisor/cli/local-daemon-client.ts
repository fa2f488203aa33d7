// `local`'s side of the warm daemon: find the project's daemon (or start one, under the lock,
// replacing a stale one), take a lease on its worker for one run, and `--stop` it.
import { spawn } from 'node:child_process';
import { openSync, closeSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CodedError } from '../../shared/errors.js';
import type { ErrorCode } from '../../shared/errors.js';
import { workerFingerprint } from './local-daemon-fingerprint.js';
import { acquireLock } from './local-daemon-lock.js';
import { callDaemon } from './local-daemon-protocol.js';
import type { DaemonCall } from './local-daemon-protocol.js';
import { isAlive } from '../scratch-sweep.js';
import { clearDaemonState, daemonPaths, readDaemonState, removeCleanLog, runs } from './local-daemon-state.js';
import type { DaemonPaths, DaemonState } from './local-daemon-state.js';
import { WORKER_NODE_FLAGS } from './worker-node-flags.js';

const ENTRY = fileURLToPath(new URL('./local-daemon-main.js', import.meta.url));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface DaemonLeaseOptions {
  projectDir: string;
  profilesDir: string;
  /** The worker's environment (as `local --no-daemon` would start it). */
  env: Record<string, string | undefined>;
  cwd: string;
  /** The daemon stops after this long without a run. @default 300000 */
  idleMs?: number;
  /** Longest wait for a daemon to start (dev server) and a worker to start (parse). @default 600000 */
  startTimeoutMs?: number;
}

export interface DaemonLease {
  address: string;
  taskQueue: string;
  /** The daemon's log (the worker's logs). */
  log: string;
  /** Ends the lease (the daemon's idle timer starts when no lease is left). */
  release(): void;
}

const daemonError = (message: string): CodedError => new CodedError('LOCAL_DAEMON_ERROR' as ErrorCode, message);

function logTail(paths: DaemonPaths): string {
  try {
    return readFileSync(paths.log, 'utf8').slice(-2000);
  } catch {
    return '';
  }
}

/** Kills what a dead or unresponsive daemon left (its dev server survives a SIGKILL) and clears its state. */
function clearStale(paths: DaemonPaths, state: DaemonState | null): void {
  if (state) {
    if (runs(state.pid, 'local-daemon-main')) process.kill(state.pid, 'SIGKILL');
    if (runs(state.serverPid, 'start-dev')) process.kill(state.serverPid as number, 'SIGKILL');
  }
  clearDaemonState(paths);
}

/** The daemon answering on the state file's socket, or null. */
async function answering(paths: DaemonPaths): Promise<DaemonState | null> {
  const state = readDaemonState(paths);
  if (!state || !isAlive(state.pid)) return null;
  try {
    const call = await callDaemon(paths.socket, { op: 'ping' }, 5000);
    call.close();
    return call.reply.ok && call.reply.pid === state.pid ? state : null;
  } catch {
    return null;
  }
}

/** Starts a daemon (the caller holds the lock) and waits until it publishes its state. */
async function startDaemon(paths: DaemonPaths, opts: DaemonLeaseOptions, fingerprint: string): Promise<void> {
  clearStale(paths, readDaemonState(paths));
  const out = openSync(paths.log, 'w', 0o600);
  const child = spawn(process.execPath, [...WORKER_NODE_FLAGS, ENTRY, opts.projectDir, opts.profilesDir, String(opts.idleMs ?? 300_000), fingerprint], {
    detached: true, stdio: ['ignore', out, out], env: opts.env as NodeJS.ProcessEnv, cwd: opts.cwd,
  });
  closeSync(out);
  let exited = false;
  child.once('exit', () => (exited = true));
  child.unref();
  const deadline = Date.now() + (opts.startTimeoutMs ?? 600_000);
  for (;;) {
    if (readDaemonState(paths)?.pid === child.pid && (await answering(paths))) return;
    if (exited) throw daemonError(`the local daemon exited during start-up (log ${paths.log}):\n${logTail(paths)}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw daemonError(`the local daemon did not start in time (log ${paths.log})`);
    }
    await sleep(50);
  }
}

async function tryLease(paths: DaemonPaths, opts: DaemonLeaseOptions, fingerprint: string, env: Record<string, string>): Promise<DaemonCall | null> {
  try {
    return await callDaemon(paths.socket, { op: 'lease', fingerprint, env, cwd: opts.cwd, idleMs: opts.idleMs ?? 300_000 }, opts.startTimeoutMs ?? 600_000);
  } catch {
    return null;
  }
}

/** A lease on the project's daemon: a worker for the current project files, profile and env. */
export async function leaseDaemon(opts: DaemonLeaseOptions): Promise<DaemonLease> {
  const paths = daemonPaths(opts.projectDir, opts.profilesDir);
  const env = Object.fromEntries(Object.entries(opts.env).filter((kv): kv is [string, string] => kv[1] !== undefined));
  const fingerprint = workerFingerprint({ projectDir: opts.projectDir, profilesDir: opts.profilesDir, env, cwd: opts.cwd });
  for (let attempt = 0; ; attempt++) {
    // The common case takes no lock: a daemon is up and answers.
    let call = readDaemonState(paths) ? await tryLease(paths, opts, fingerprint, env) : null;
    if (call === null || (!call.reply.ok && call.reply.code === 'LOCAL_DAEMON_STOPPING')) {
      call?.close();
      const release = await acquireLock(paths.lock);
      try {
        if (!(await answering(paths))) await startDaemon(paths, opts, fingerprint);
      } finally {
        release();
      }
      call = await tryLease(paths, opts, fingerprint, env);
    }
    if (call === null || (!call.reply.ok && call.reply.code === 'LOCAL_DAEMON_STOPPING')) {
      call?.close();
      // It stopped between our two looks (its idle timeout): look once more.
      if (attempt < 2) continue;
      throw daemonError(`the local daemon does not answer (log ${paths.log})`);
    }
    const reply = call.reply;
    if (!reply.ok) {
      call.close();
      throw new CodedError(reply.code as ErrorCode, reply.message);
    }
    return { address: reply.address, taskQueue: reply.taskQueue ?? '', log: paths.log, release: () => call.close() };
  }
}

/** Stops the project's daemon and waits until its processes are gone; false when none ran. */
export async function stopDaemon(projectDir: string, profilesDir: string, timeoutMs = 60_000): Promise<boolean> {
  const paths = daemonPaths(projectDir, profilesDir);
  const state = readDaemonState(paths);
  if (!state || !isAlive(state.pid)) {
    clearStale(paths, state);
    removeCleanLog(paths);
    return false;
  }
  try {
    (await callDaemon(paths.socket, { op: 'stop' }, 5000)).close();
  } catch {
    // Not answering: it is killed below.
  }
  const deadline = Date.now() + timeoutMs;
  while ((isAlive(state.pid) || isAlive(state.serverPid)) && Date.now() < deadline) await sleep(50);
  clearStale(paths, state);
  return true;
}
