// The two non-Temporal competitors: one `dbt build --threads C` (the floor), and one dbt
// process per node, C at a time in dependency order (how most orchestrators run dbt).
import { copyFile, mkdir, mkdtemp, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { exactSelector } from '../src/supervisor/planning/commands.js';
import { graphFromManifest } from '../src/supervisor/planning/project-graph.js';
import { reapedChildrenCpuSeconds, sampleRss } from './proc-stats.js';

export interface DbtContext {
  dbt: string;
  projectDir: string;
  scratch: string;
  env: Record<string, string>;
  concurrency: number;
  /** Run nodes one at a time (DuckDB: one writing process per database file). */
  serialProcesses: boolean;
}

export interface Measured {
  wallS: number;
  cpuS: number;
  peakRssMb: number;
  failures: number;
  /** Per-node orchestration overhead (ms), when the competitor has one. */
  overheadMs: number[];
  overheadTotalMs: number[];
  scheduleToStartMs: number[];
  /** Per node, the executor's own timing entries (dbt_temporal:queued / engine / results), in ms. */
  breakdownMs?: Record<string, number[]>;
  /** Workflow tasks completed and history events of the measured run, per node (worker competitors). */
  workflowTasksPerNode?: number;
  eventsPerNode?: number;
}

async function targetDir(ctx: DbtContext, partialParse: string | null): Promise<string> {
  const dir = await mkdtemp(join(ctx.scratch, 'target-'));
  if (partialParse) await copyFile(partialParse, join(dir, 'partial_parse.msgpack'));
  return dir;
}

function dbt(ctx: DbtContext, args: string[], target: string) {
  return execa(ctx.dbt, [...args, '--project-dir', ctx.projectDir, '--profiles-dir', ctx.projectDir, '--target-path', target,
    '--log-path', join(target, 'logs')], { cwd: ctx.scratch, env: { ...process.env, ...ctx.env, DBT_SEND_ANONYMOUS_USAGE_STATS: 'false' }, reject: false });
}

/** `dbt parse` once: the partial-parse file every competitor starts from, and the manifest. */
export async function parseProject(ctx: DbtContext): Promise<{ partialParse: string; manifestJson: string }> {
  const target = await targetDir(ctx, null);
  const r = await dbt(ctx, ['parse'], target);
  if (r.exitCode !== 0) throw new Error(`dbt parse failed: ${String(r.stdout).slice(-2000)}`);
  return { partialParse: join(target, 'partial_parse.msgpack'), manifestJson: await readFile(join(target, 'manifest.json'), 'utf8') };
}

async function measure(fn: () => Promise<number>): Promise<Measured> {
  const rss = sampleRss(() => [process.pid]);
  const cpu0 = reapedChildrenCpuSeconds();
  const t0 = performance.now();
  const failures = await fn();
  const wallS = (performance.now() - t0) / 1000;
  return { wallS, cpuS: reapedChildrenCpuSeconds() - cpu0, peakRssMb: rss.stop(), failures, overheadMs: [], overheadTotalMs: [], scheduleToStartMs: [] };
}

export function runPlainBuild(ctx: DbtContext, partialParse: string): Promise<Measured> {
  return measure(async () => {
    const target = await targetDir(ctx, partialParse);
    const r = await dbt(ctx, ['build', '--threads', String(ctx.concurrency)], target);
    return r.exitCode === 0 ? 0 : 1;
  });
}

export function runPerNode(ctx: DbtContext, partialParse: string, manifestJson: string): Promise<Measured> {
  const graph = graphFromManifest(manifestJson);
  const nodes = [...graph.nodes.values()].filter((n) => ['model', 'test', 'seed', 'snapshot'].includes(n.resource_type));
  const ids = new Set(nodes.map((n) => n.unique_id));
  const limit = ctx.serialProcesses ? 1 : ctx.concurrency;
  return measure(async () => {
    const done = new Set<string>();
    const started = new Set<string>();
    let failures = 0;
    let inflight = 0;
    await new Promise<void>((resolve) => {
      const launch = (): void => {
        if (done.size === nodes.length) return resolve();
        for (const node of nodes) {
          if (inflight >= limit) return;
          if (started.has(node.unique_id) || !node.depends_on.every((d) => !ids.has(d) || done.has(d))) continue;
          started.add(node.unique_id);
          inflight += 1;
          void (async () => {
            const target = await targetDir(ctx, partialParse);
            await mkdir(join(target, 'logs'), { recursive: true });
            const args = ['build', '--select', exactSelector(node, graph.projectName), '--indirect-selection', 'empty'];
            const r = await dbt(ctx, args, target);
            if (r.exitCode !== 0) failures += 1;
            inflight -= 1;
            done.add(node.unique_id);
            launch();
          })();
        }
      };
      launch();
    });
    return failures;
  });
}

/**
 * K `dbt build --threads C` processes at once, one per context (each its own database, each
 * parsing from the partial-parse file): wall until the last ends, CPU of all of them, peak of
 * their summed RSS (the dbt trees only), and how many exited non-zero.
 */
export async function runPlainBuilds(ctxs: readonly DbtContext[], partialParse: string): Promise<Measured> {
  const targets = await Promise.all(ctxs.map((c) => targetDir(c, partialParse)));
  const cpu0 = reapedChildrenCpuSeconds();
  const t0 = performance.now();
  const procs = ctxs.map((c, i) => dbt(c, ['build', '--threads', String(c.concurrency)], targets[i] as string));
  const rss = sampleRss(() => procs.flatMap((p) => (p.pid === undefined || p.exitCode !== null ? [] : [p.pid])));
  const results = await Promise.all(procs);
  const wallS = (performance.now() - t0) / 1000;
  const peakRssMb = rss.stop();
  const failures = results.filter((r) => r.exitCode !== 0).length;
  return { wallS, cpuS: reapedChildrenCpuSeconds() - cpu0, peakRssMb, failures, overheadMs: [], overheadTotalMs: [], scheduleToStartMs: [] };
}
