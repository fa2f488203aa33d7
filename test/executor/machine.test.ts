// The machine the worker sizes itself from: cgroup v2 and v1 limits (nested paths included),
// else the host; and the default engine count from CPUs and memory.
import { availableParallelism, totalmem } from 'node:os';
import { describe, expect, it } from 'vitest';
import { cgroupCpus, cgroupMemoryMb, defaultEngines, readMachine } from '../../src/executor/machine.js';

const fsOf = (files: Record<string, string>) => (path: string): string | null => files[path] ?? null;

describe('reading the machine', () => {
  it('takes the tightest cgroup v2 limits along the process path', () => {
    const read = fsOf({
      '/proc/self/cgroup': '0::/kubepods/pod1/c1\n',
      '/sys/fs/cgroup/kubepods/pod1/c1/cpu.max': 'max 100000',
      '/sys/fs/cgroup/kubepods/pod1/cpu.max': '150000 100000',
      '/sys/fs/cgroup/kubepods/pod1/c1/memory.max': String(512 * 1024 * 1024),
      '/sys/fs/cgroup/memory.max': 'max',
    });
    expect(cgroupCpus(read)).toBe(1.5);
    expect(cgroupMemoryMb(read)).toBe(512);
    const m = readMachine(read);
    expect(m).toMatchObject({ cpus: Math.min(2, availableParallelism()), memoryMb: 512, cpuSource: 'cgroup', memorySource: 'cgroup' });
  });

  it('reads cgroup v1 limits under the controller path and ignores v1 "unlimited"', () => {
    const read = fsOf({
      '/proc/self/cgroup': '4:memory:/docker/abc\n1:cpu,cpuacct:/docker/abc\n0::/\n',
      '/sys/fs/cgroup/cpu/docker/abc/cpu.cfs_quota_us': '100000',
      '/sys/fs/cgroup/cpu/docker/abc/cpu.cfs_period_us': '100000',
      '/sys/fs/cgroup/memory/docker/abc/memory.limit_in_bytes': String(1024 * 1024 * 1024),
      '/sys/fs/cgroup/memory/memory.limit_in_bytes': '9223372036854771712',
    });
    expect(cgroupCpus(read)).toBe(1);
    expect(cgroupMemoryMb(read)).toBe(1024);
  });

  it('falls back to the host without limits', () => {
    const m = readMachine(fsOf({ '/proc/self/cgroup': '0::/\n', '/sys/fs/cgroup/memory/memory.limit_in_bytes': '9223372036854771712' }));
    expect(m).toEqual({ cpus: availableParallelism(), memoryMb: Math.floor(totalmem() / 1048576), cpuSource: 'host', memorySource: 'host' });
  });
});

describe('the default engine count', () => {
  it('is one per CPU beyond the first, at least one, and no more than the memory holds', () => {
    expect(defaultEngines({ cpus: 1 }, 8192)).toBe(1);
    expect(defaultEngines({ cpus: 2 }, 8192)).toBe(1);
    expect(defaultEngines({ cpus: 8 }, 8192)).toBe(7);
    expect(defaultEngines({ cpus: 8 }, 1024)).toBe(4);
    expect(defaultEngines({ cpus: 8 }, 512)).toBe(1);
    expect(defaultEngines({ cpus: 8 }, 128)).toBe(1);
  });
});
