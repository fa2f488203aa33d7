// Retention of a local artifact store: after a run, the oldest run directories beyond
// ARTIFACT_RETENTION_RUNS and those older than ARTIFACT_RETENTION_DAYS are removed.
import { existsSync, mkdtempSync, readdirSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createArtifactStore } from '../../../src/supervisor/artifacts/store.js';
import { readArtifactsConfig } from '../../../src/supervisor/config/artifacts-config.js';

const root = mkdtempSync(join(tmpdir(), 'retention-test-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function writeRun(store: ReturnType<typeof createArtifactStore>, dir: string, id: string, ageDays: number): Promise<void> {
  await store.put(id, 'run_results.json', '{}');
  const t = new Date(Date.now() - ageDays * 86_400_000);
  utimesSync(join(dir, id), t, t);
}

describe('local artifact retention', () => {
  it('keeps the newest ARTIFACT_RETENTION_RUNS runs, always including the one just written', async () => {
    const dir = join(root, 'by-count');
    const store = createArtifactStore(dir, undefined, readArtifactsConfig({ ARTIFACT_RETENTION_RUNS: '2' }).retention);
    for (const [i, age] of [[1, 5], [2, 4], [3, 3], [4, 2]] as const) await writeRun(store, dir, `run-${i}`, age);
    await store.finishRun?.('run-1');
    expect(readdirSync(dir).sort()).toEqual(['run-1', 'run-4']);
  });

  it('removes runs older than ARTIFACT_RETENTION_DAYS', async () => {
    const dir = join(root, 'by-age');
    const store = createArtifactStore(dir, undefined, readArtifactsConfig({ ARTIFACT_RETENTION_DAYS: '7' }).retention);
    await writeRun(store, dir, 'old', 10);
    await writeRun(store, dir, 'recent', 1);
    await store.put('new', 'run_results.json', '{}');
    await store.finishRun?.('new');
    expect(existsSync(join(dir, 'old'))).toBe(false);
    expect(readdirSync(dir).sort()).toEqual(['new', 'recent']);
  });

  it('keeps everything without a limit, and rejects a bad value naming the variable', async () => {
    const dir = join(root, 'unlimited');
    const store = createArtifactStore(dir, undefined, readArtifactsConfig({}).retention);
    for (let i = 0; i < 3; i++) await writeRun(store, dir, `r${i}`, 100);
    await store.finishRun?.('r0');
    expect(readdirSync(dir)).toHaveLength(3);
    expect(() => readArtifactsConfig({ ARTIFACT_RETENTION_RUNS: 'many' })).toThrow(/ARTIFACT_RETENTION_RUNS/);
  });
});
