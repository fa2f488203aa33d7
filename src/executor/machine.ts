// What the worker really has: CPUs and memory as a container sees them (cgroup v2 or v1 limits),
// else the host's. Engines, executor threads and the memory budget are sized from this.
import { readFileSync } from 'node:fs';
import { availableParallelism, totalmem } from 'node:os';

export interface MachineResources {
  /** CPUs the worker may use (a fractional quota rounds up). */
  cpus: number;
  /** Memory the worker may use, in MiB. */
  memoryMb: number;
  /** Where each figure came from. */
  cpuSource: 'cgroup' | 'host';
  memorySource: 'cgroup' | 'host';
}

type Read = (path: string) => string | null;

const readOrNull: Read = (path) => {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return null;
  }
};

/** A cgroup path and its ancestors, innermost first (limits nest: the tightest one counts). */
function withAncestors(root: string, rel: string): string[] {
  const dirs: string[] = [];
  for (let p = rel || '/'; ; p = p.slice(0, p.lastIndexOf('/')) || '/') {
    dirs.push(`${root}${p === '/' ? '' : p}`);
    if (p === '/') break;
  }
  return dirs;
}

/**
 * The directories holding this process's limits for a controller: cgroup v2 (`0::<path>`, at
 * /sys/fs/cgroup or, on hybrid hosts, /sys/fs/cgroup/unified) or v1 (`<n>:<controllers>:<path>`
 * under /sys/fs/cgroup/<controller>).
 */
function cgroupDirs(read: Read, v1: string): { v2: string[]; v1: string[] } {
  const lines = (read('/proc/self/cgroup') ?? '').split('\n');
  const v2Path = lines.find((l) => l.startsWith('0::'))?.slice(3) ?? '/';
  const v1Line = lines.map((l) => l.split(':')).find((f) => f.length >= 3 && (f[1] ?? '').split(',').includes(v1));
  const v1Path = v1Line ? v1Line.slice(2).join(':') : '/';
  return {
    v2: [...withAncestors('/sys/fs/cgroup', v2Path), ...withAncestors('/sys/fs/cgroup/unified', v2Path)],
    v1: withAncestors(`/sys/fs/cgroup/${v1}`, v1Path),
  };
}

/** CPU quota in CPUs (cgroup v2 `cpu.max`, v1 `cfs_quota_us / cfs_period_us`), or null if none. */
export function cgroupCpus(read: Read = readOrNull): number | null {
  let best: number | null = null;
  const dirs = cgroupDirs(read, 'cpu');
  for (const dir of dirs.v2) {
    const [quota, period] = (read(`${dir}/cpu.max`) ?? 'max').split(/\s+/);
    if (quota && quota !== 'max' && Number(period) > 0) best = Math.min(best ?? Infinity, Number(quota) / Number(period));
  }
  for (const dir of dirs.v1) {
    const quota = Number(read(`${dir}/cpu.cfs_quota_us`) ?? -1);
    const period = Number(read(`${dir}/cpu.cfs_period_us`) ?? 0);
    if (quota > 0 && period > 0) best = Math.min(best ?? Infinity, quota / period);
  }
  return best;
}

/** Memory limit in MiB (cgroup v2 `memory.max`, v1 `memory.limit_in_bytes`), or null if none. */
export function cgroupMemoryMb(read: Read = readOrNull): number | null {
  let best: number | null = null;
  const consider = (raw: string | null): void => {
    const n = raw && /^\d+$/.test(raw) ? Number(raw) : NaN;
    // v1 reports "no limit" as a huge number (a page-aligned LONG_MAX).
    if (Number.isFinite(n) && n > 0 && n < 2 ** 60) best = Math.min(best ?? Infinity, n / 1024 / 1024);
  };
  const dirs = cgroupDirs(read, 'memory');
  for (const dir of dirs.v2) consider(read(`${dir}/memory.max`));
  for (const dir of dirs.v1) consider(read(`${dir}/memory.limit_in_bytes`));
  return best;
}

/** The worker's CPUs and memory, cgroup-aware. */
export function readMachine(read: Read = readOrNull): MachineResources {
  const hostCpus = availableParallelism();
  const hostMb = totalmem() / 1024 / 1024;
  const quota = cgroupCpus(read);
  const limit = cgroupMemoryMb(read);
  return {
    cpus: quota === null ? hostCpus : Math.max(1, Math.min(hostCpus, Math.ceil(quota - 1e-9))),
    memoryMb: Math.floor(limit === null ? hostMb : Math.min(limit, hostMb)),
    cpuSource: quota === null ? 'host' : 'cgroup',
    memorySource: limit === null ? 'host' : 'cgroup',
  };
}

/** The Node process's own share of the budget (SDK core, executor threads), in MiB. */
export const WORKER_PROCESS_MB = 160;
/** What one engine (dbt imported, a 200-node manifest, a run context) takes, in MiB. */
export const ENGINE_MB = 200;

/**
 * Default engine count: one per CPU beyond the one the worker process and the warehouse
 * client work need, at least one, and no more than the memory budget holds.
 */
export function defaultEngines(machine: Pick<MachineResources, 'cpus'>, memoryLimitMb: number): number {
  const byCpu = Math.max(1, machine.cpus - 1);
  const byMemory = Math.max(1, Math.floor((memoryLimitMb - WORKER_PROCESS_MB) / ENGINE_MB));
  return Math.min(byCpu, byMemory);
}
