// The health canary file: created with its parent dirs, kept fresh by a main-loop timer,
// stale while that loop is blocked; and the `healthcheck` subcommand reading it.
import { existsSync, mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { clearHealthFile, healthFileAgeMs, isHealthFileFresh, startHealthFile } from '../../../src/supervisor/health/health-file.js';
import { runCli } from '../../support/worker-process.js';

const dir = mkdtempSync(join(tmpdir(), 'health-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function until(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((r) => setTimeout(r, 10));
}

describe('health file', () => {
  it('is created empty with its parent directories and its mtime keeps advancing', async () => {
    const path = join(dir, 'a/b/health');
    const hf = await startHealthFile(path, { intervalMs: 20 });
    expect(statSync(path).size).toBe(0);
    const first = statSync(path).mtimeMs;
    await until(async () => statSync(path).mtimeMs > first);
    hf.stop();
  });

  it('goes stale while the event loop is blocked and recovers after', async () => {
    const path = join(dir, 'blocked');
    const staleAfterMs = 200;
    const hf = await startHealthFile(path, { intervalMs: 20 });
    const blockedAt = Date.now();
    while (Date.now() - blockedAt < staleAfterMs * 2) {
      // A busy loop: no timer can run, so nothing touches the file.
    }
    expect(Date.now() - statSync(path).mtimeMs).toBeGreaterThanOrEqual(staleAfterMs);
    await until(() => isHealthFileFresh(path, staleAfterMs));
    hf.stop();
  });

  it('reports the age, null when missing, and can be cleared', async () => {
    const path = join(dir, 'age');
    expect(await healthFileAgeMs(path)).toBeNull();
    writeFileSync(path, '');
    expect(await healthFileAgeMs(path)).not.toBeNull();
    await clearHealthFile(path);
    expect(existsSync(path)).toBe(false);
    await clearHealthFile(path);
  });
});

describe('dbt-temporal healthcheck', () => {
  const env = (file: string) => ({ PATH: process.env['PATH'], HEALTH_FILE: file });

  it('exits 0 on a fresh file, 1 on a file 2 minutes old, 1 on a missing file', async () => {
    const path = join(dir, 'cli-health');
    writeFileSync(path, '');
    expect((await runCli(['healthcheck'], env(path))).exitCode).toBe(0);
    const old = new Date(Date.now() - 120_000);
    utimesSync(path, old, old);
    const stale = await runCli(['healthcheck'], env(path));
    expect(stale.exitCode).toBe(1);
    expect(stale.stderr).toContain('stale');
    const missing = await runCli(['healthcheck'], env(join(dir, 'nope')));
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toContain('does not exist');
  });

  it('defaults to /tmp/health and never starts a worker', async () => {
    const r = await runCli(['healthcheck'], { PATH: process.env['PATH'], TEMPORAL_ADDRESS: 'localhost:1' });
    expect([0, 1]).toContain(r.exitCode);
    expect(r.stderr).not.toContain('worker connected');
    if (r.exitCode === 1) expect(r.stderr).toContain('/tmp/health');
  });
});
