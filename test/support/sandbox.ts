// Runs the built app the way the container image does, without a container engine:
// bubblewrap with a read-only root, a size-limited tmpfs /tmp, a non-root uid (1000, the
// image's `node` user) and its own PID namespace with node as PID 1. The network namespace is
// shared, so the sandboxed worker reaches the test's Temporal server on loopback and the test
// reaches its health port.
import { readFileSync, readdirSync, readlinkSync, statfsSync } from 'node:fs';
import { execa } from 'execa';
import { REPO_ROOT } from './paths.js';

export const SANDBOX_UID = 1000;

export interface Sandbox {
  /** Host pid of the sandbox's PID 1 (node). */
  pid: number;
  logs(): string;
  /** Runs a command inside the sandbox's namespaces (as the container runtime's `exec`). */
  exec(args: string[]): Promise<{ exitCode: number; stdout: string; stderr: string }>;
  /** Bytes in use on the sandbox's /tmp now. */
  tmpUsedBytes(): number;
  /** The sandbox's processes: their state (R, S, Z, ...) by pid inside the namespace. */
  processes(): { nsPid: number; ppid: number; state: string; name: string }[];
  stop(): Promise<void>;
}

/** Starts `node bin/dbt-temporal.js <args>` as PID 1 of a fresh sandbox (or under `init`, e.g. tini). */
export async function startSandbox(args: string[], env: Record<string, string>, tmpBytes: number, init: string[] = []): Promise<Sandbox> {
  const setenv = Object.entries({ PATH: '/usr/local/bin:/usr/bin:/bin', HOME: '/tmp', ...env }).flatMap(([k, v]) => ['--setenv', k, v]);
  const node = process.execPath;
  const repoDir = REPO_ROOT.replace(/\/$/, '');
  const child = execa('bwrap', [
    '--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--size', String(tmpBytes), '--tmpfs', '/tmp',
    // A checkout under /tmp (a CI clone, say) stays visible, read-only, over the fresh tmpfs.
    ...(REPO_ROOT.startsWith('/tmp/') ? ['--ro-bind', repoDir, repoDir] : []),
    '--unshare-user', '--uid', String(SANDBOX_UID), '--gid', String(SANDBOX_UID), '--cap-drop', 'ALL',
    '--unshare-pid', '--as-pid-1', '--die-with-parent', '--clearenv', ...setenv, '--chdir', REPO_ROOT,
    '--info-fd', '3', ...init, node, 'bin/dbt-temporal.js', ...args,
  ], { stdio: ['ignore', 'pipe', 'pipe', 'pipe'], reject: false, buffer: false });
  let output = '';
  let info = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  const infoStream = child.stdio[3] as NodeJS.ReadableStream;
  infoStream.on('data', (c: Buffer) => (info += c.toString()));
  let exited = false;
  void child.then(() => (exited = true));
  while (!/"child-pid":\s*\d+/.test(info)) {
    if (exited) throw new Error(`bwrap exited before starting the app:\n${output}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const pid = Number(/"child-pid":\s*(\d+)/.exec(info)?.[1]);
  const pidNs = readlinkSafe(`/proc/${pid}/ns/pid`);
  return {
    pid,
    logs: () => output,
    async exec(cmd) {
      const r = await execa('nsenter', ['-t', String(pid), '-U', '-m', '-p', '-S', String(SANDBOX_UID), '-G', String(SANDBOX_UID), `--wd=${REPO_ROOT}`, ...cmd], {
        reject: false, env: { PATH: '/usr/local/bin:/usr/bin:/bin', ...env },
      });
      return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
    },
    tmpUsedBytes() {
      const s = statfsSync(`/proc/${pid}/root/tmp`);
      return (s.blocks - s.bfree) * s.bsize;
    },
    processes() {
      const out: { nsPid: number; ppid: number; state: string; name: string }[] = [];
      for (const p of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
        try {
          if (readlinkSafe(`/proc/${p}/ns/pid`) !== pidNs) continue;
          const status = readFileSync(`/proc/${p}/status`, 'utf8');
          const nsPid = Number(/^NSpid:.*\s(\d+)\s*$/m.exec(status)?.[1]);
          out.push({ nsPid, ppid: Number(/^PPid:\s+(\d+)/m.exec(status)?.[1]), state: /^State:\s+(\S)/m.exec(status)?.[1] ?? '?', name: /^Name:\s+(.*)$/m.exec(status)?.[1] ?? '?' });
        } catch {
          // The process ended while we looked.
        }
      }
      return out;
    },
    async stop() {
      if (exited) return;
      process.kill(pid, 'SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await child;
      clearTimeout(timer);
    },
  };
}

function readlinkSafe(path: string): string {
  try {
    return readlinkSync(path);
  } catch {
    return '';
  }
}
