// Where a project's warm `local` daemon keeps its state: one private directory per resolved
// project dir + profiles dir under $TMPDIR (never in the project), holding the start-up lock,
// the state file (pids, address, control socket) and the daemon's log.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { CodedError } from '../../shared/errors.js';
import { isAlive } from '../scratch-sweep.js';

export interface DaemonPaths {
  dir: string;
  lock: string;
  state: string;
  socket: string;
  log: string;
}

/** What a running daemon publishes once its dev server is up and its control socket listens. */
export interface DaemonState {
  /** The daemon process: it hosts the worker. */
  pid: number;
  /** The embedded Temporal dev server. */
  serverPid: number | null;
  address: string;
  projectDir: string;
  profilesDir: string;
  startedAt: string;
}

const uid = (): string => String(process.getuid?.() ?? 'user');

/** The state directory of the daemon for this project and profiles dir (created, mode 0700). */
export function daemonPaths(projectDir: string, profilesDir: string): DaemonPaths {
  const key = createHash('sha256').update(JSON.stringify([projectDir, profilesDir])).digest('hex').slice(0, 16);
  // Short names: a Unix socket path must stay under ~104 bytes (macOS).
  const dir = join(tmpdir(), `dbt-temporal-${uid()}`, key);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // The lease carries the env (secrets too): a directory someone else made or can write is refused.
  for (const d of [dirname(dir), dir]) {
    const st = statSync(d);
    if ((process.getuid && st.uid !== process.getuid()) || (st.mode & 0o077) !== 0) {
      throw new CodedError('LOCAL_DAEMON_ERROR', `${d} must be a directory of this user with mode 0700 (it holds the local daemon's socket); remove it or set TMPDIR`);
    }
  }
  return { dir, lock: join(dir, 'lock'), state: join(dir, 'state.json'), socket: join(dir, 'sock'), log: join(dir, 'daemon.log') };
}

/** The state file, or null when there is none (or it is unreadable: a daemon died writing it). */
export function readDaemonState(paths: DaemonPaths): DaemonState | null {
  try {
    const value = JSON.parse(readFileSync(paths.state, 'utf8')) as Partial<DaemonState>;
    return typeof value.pid === 'number' && typeof value.address === 'string' ? (value as DaemonState) : null;
  } catch {
    return null;
  }
}

/** Writes the state file atomically (readers never see half of it). */
export function writeDaemonState(paths: DaemonPaths, state: DaemonState): void {
  const tmp = `${paths.state}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, paths.state);
}

/** Removes the state file and the socket (the log stays for a post-mortem). */
export function clearDaemonState(paths: DaemonPaths): void {
  rmSync(paths.state, { force: true });
  rmSync(paths.socket, { force: true });
}

/**
 * After a stop: nothing accumulates under $TMPDIR. A log without a warning or an error goes,
 * then the directory if nothing else is in it (a start-up lock of a new daemon keeps it).
 */
export function removeCleanLog(paths: DaemonPaths): void {
  try {
    if (/"level":[4-6]0\b/.test(readFileSync(paths.log, 'utf8'))) return;
    rmSync(paths.log, { force: true });
    rmdirSync(paths.dir);
  } catch {
    // kept: a log we cannot read, or a directory in use
  }
}


/**
 * Whether `pid` still runs a program whose command line contains `marker` (a pid of a dead
 * daemon may be reused by an unrelated process: never signal that). Without /proc, any live pid.
 */
export function runs(pid: number | null | undefined, marker: string): boolean {
  if (!isAlive(pid)) return false;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker);
  } catch {
    return process.platform !== 'linux';
  }
}
