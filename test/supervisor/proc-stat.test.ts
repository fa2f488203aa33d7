// One reading of /proc/<pid>/stat for the sweep and the benchmark (src/supervisor/proc-stat.ts).
import { spawn } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { treeCpuSeconds } from '../../src/supervisor/cli/bench-proc.js';
import { procStatFields } from '../../src/supervisor/proc-stat.js';

describe('procStatFields', () => {
  it('reads the state and parent pid past a command name with spaces and parentheses', async () => {
    // /proc/<pid>/stat names the process by its executable's file name: here 'a) (b c'.
    const dir = mkdtempSync(join(tmpdir(), 'proc-stat-'));
    const exe = join(dir, 'a) (b c');
    copyFileSync('/bin/sleep', exe);
    chmodSync(exe, 0o700);
    const child = spawn(exe, ['5'], { stdio: 'ignore' });
    try {
      await new Promise((r) => setTimeout(r, 200));
      const f = procStatFields(child.pid as number);
      expect(f?.[0]).toMatch(/^[RS]$/);
      expect(Number(f?.[1])).toBe(process.pid);
    } finally {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says null for a process that is gone, and the CPU of a live tree is counted', () => {
    expect(procStatFields(2 ** 22 + 12345)).toBeNull();
    let x = 0;
    for (let i = 0; i < 3e7; i++) x += i % 7;
    expect(x).toBeGreaterThan(0);
    expect(treeCpuSeconds([process.pid])).toBeGreaterThan(0);
  });
});
