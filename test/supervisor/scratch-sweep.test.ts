// The start-up sweep removes scratch dirs of dead processes (and of an earlier process that had
// this pid), and leaves live processes' scratch and unrelated entries alone.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isProcessAlive, isZombie, sweepStaleScratch } from '../../src/supervisor/scratch-sweep.js';

const dir = mkdtempSync(join(tmpdir(), 'sweep-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function scratch(name: string, ageMs = 0): string {
  const path = join(dir, name);
  mkdirSync(join(path, 'target'), { recursive: true });
  writeFileSync(join(path, 'target', 'run_results.json'), '{}');
  if (ageMs > 0) utimesSync(path, new Date(Date.now() - ageMs), new Date(Date.now() - ageMs));
  return path;
}

describe('sweepStaleScratch', () => {
  it('removes the scratch of dead processes and keeps that of live ones', () => {
    const dead = spawnSync(process.execPath, ['-e', '0']).pid ?? 0;
    expect(isProcessAlive(dead)).toBe(false);
    const deadNode = scratch(`dbtt-node-${dead}-abc123`);
    const deadModels = scratch(`dbtt-models-${dead}-xyz789`);
    const liveOther = scratch(`dbtt-node-${process.ppid}-def456`);
    const unrelated = scratch('dbtt-models-8c1f4b2e');
    const other = scratch(`something-${dead}-else`);

    const startedAtMs = Date.now() - 1_000;
    const oldSelf = scratch(`dbtt-ctx-${process.pid}-old111`, 60_000);
    const newSelf = scratch(`dbtt-ctx-${process.pid}-new222`);

    const removed = sweepStaleScratch({ dir, startedAtMs });
    expect(removed.sort()).toEqual([deadModels, deadNode, oldSelf].sort());
    for (const p of [deadNode, deadModels, oldSelf]) expect(existsSync(p)).toBe(false);
    for (const p of [liveOther, unrelated, other, newSelf]) expect(existsSync(p)).toBe(true);
  });

  it('removes the scratch of a zombie (an engine whose worker was killed and nobody reaped)', async () => {
    // `sleep 0` becomes a child of `sleep 5` (exec keeps the shell's pid), which never reaps it.
    const parent = spawn('sh', ['-c', 'sleep 0 & echo $!; exec sleep 5'], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      const pid = Number((await new Promise<Buffer>((resolve) => parent.stdout.once('data', resolve))).toString().trim());
      for (let i = 0; i < 50 && !isZombie(pid); i++) await new Promise((r) => setTimeout(r, 20));
      expect(isZombie(pid)).toBe(true);
      expect(isProcessAlive(pid)).toBe(true);
      const zombie = scratch(`dbtt-ctx-${pid}-zzz000`);
      expect(sweepStaleScratch({ dir })).toEqual([zombie]);
    } finally {
      parent.kill('SIGKILL');
    }
  });

  it('returns nothing for a missing directory', () => {
    expect(sweepStaleScratch({ dir: join(dir, 'missing') })).toEqual([]);
  });
});
