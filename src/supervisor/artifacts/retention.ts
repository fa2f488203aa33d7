// Retention of a local artifact store: without it `<store>/<invocation_id>/` grows by every run
// (about 600 KB for the example project). After each run's files are written, the oldest run
// directories beyond ARTIFACT_RETENTION_RUNS, and those older than ARTIFACT_RETENTION_DAYS, go.
// Object stores keep their own lifecycle rules (bucket lifecycle policies), so they are not pruned.
import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

export interface RetentionOptions {
  /** Keep at most this many run directories (newest first). @default null (no limit) */
  maxRuns: number | null;
  /** Remove run directories last written more than this many days ago. @default null (no limit) */
  maxAgeDays: number | null;
}

/** Removes run directories of `root` beyond the limits, never `keep` (the run just written). Returns the removed names. */
export async function pruneRuns(root: string, opts: RetentionOptions, keep: string, nowMs = Date.now()): Promise<string[]> {
  if (opts.maxRuns === null && opts.maxAgeDays === null) return [];
  const entries = await readdir(root, { withFileTypes: true }).catch(() => []);
  const runs: { name: string; mtimeMs: number }[] = [];
  for (const e of entries) {
    // `_reuse.*`: reuse state (docs/reuse.md), not a run.
    if (!e.isDirectory() || e.name.startsWith('_')) continue;
    const st = await stat(join(root, e.name)).catch(() => null);
    if (st) runs.push({ name: e.name, mtimeMs: st.mtimeMs });
  }
  runs.sort((a, b) => b.mtimeMs - a.mtimeMs || a.name.localeCompare(b.name));
  const cutoff = opts.maxAgeDays === null ? -Infinity : nowMs - opts.maxAgeDays * 86_400_000;
  const removed: string[] = [];
  // The run just written counts first: it is the newest, whatever its directory's mtime says.
  let kept = runs.some((r) => r.name === keep) ? 1 : 0;
  for (const run of runs) {
    if (run.name === keep) continue;
    const tooMany = opts.maxRuns !== null && kept >= opts.maxRuns;
    if (tooMany || run.mtimeMs < cutoff) {
      await rm(join(root, run.name), { recursive: true, force: true });
      removed.push(run.name);
    } else {
      kept += 1;
    }
  }
  return removed;
}
