// Priority from history vs height-only priority (TEMPORAL_PRIORITY_SCHEDULING at C=2, Postgres):
// the same worker set-up twice, with TEMPORAL_PRIORITY_HISTORY=false and =true; each does one
// full warm-up run (which also measures node durations) and one measured run. Prints the
// walls and their ratio as JSON (last line) and a Markdown table.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDevServer, temporalExecutable } from '../src/supervisor/dev-server.js';
import { startPostgres } from './postgres.js';
import { generatePriorityProject } from './priority-project.js';
import { runWorkerScenario } from './worker-run.js';

const argv = process.argv.slice(2);
const opt = (name: string, fallback: string): number => {
  const i = argv.indexOf(`--${name}`);
  return Number(i >= 0 && argv[i + 1] ? argv[i + 1] : fallback);
};
const spec = {
  quickChains: opt('quick-chains', '4'), quickDepth: opt('quick-depth', '6'),
  slowChains: opt('slow-chains', '1'), slowDepth: opt('slow-depth', '3'), slowSecs: opt('slow-secs', '5'),
};
const concurrency = opt('concurrency', '2');
const log = (m: string): void => void process.stderr.write(`bench-priority: ${m}\n`);

const scratch = await mkdtemp(join(tmpdir(), 'bench-priority-'));
// Priority orders tasks within a task queue partition; with the default 4 partitions and a
// backlog of a few tasks, a poller often finds only one partition's, so one partition here.
const partitions = ['matching.numTaskqueueReadPartitions=1', 'matching.numTaskqueueWritePartitions=1'].flatMap((v) => ['--dynamic-config-value', v]);
const server = await startDevServer({ executable: temporalExecutable(process.env), extraArgs: partitions });
const pg = await startPostgres();
try {
  const projectDir = join(scratch, 'project');
  const nodes = await generatePriorityProject(projectDir, spec);
  log(`${nodes} nodes (${spec.quickChains}x${spec.quickDepth} quick, ${spec.slowChains}x${spec.slowDepth} slow of ${spec.slowSecs} s), C=${concurrency}`);
  const walls: Record<string, number> = {};
  for (const mode of ['height', 'history'] as const) {
    const env = { ...pg.env(`prio_${mode}`), TEMPORAL_PRIORITY_SCHEDULING: 'true', TEMPORAL_PRIORITY_HISTORY: String(mode === 'history') };
    const m = await runWorkerScenario({ temporalAddress: server.address, projectDir, env, concurrency, engineMode: 'warm', tuner: 'fixed', tmpDir: scratch, warmupSelect: '' });
    if (m.failures > 0) throw new Error(`${mode}: ${m.failures} node(s) failed`);
    walls[mode] = Number(m.wallS.toFixed(2));
    log(`${mode}: ${m.wallS.toFixed(1)} s`);
  }
  const ratio = Number(((walls['history'] as number) / (walls['height'] as number)).toFixed(3));
  const criticalPathS = spec.slowDepth * spec.slowSecs;
  process.stdout.write([
    '| priority | wall s |', '|---|---|', `| height only | ${walls['height']} |`, `| critical path from history | ${walls['history']} |`,
    `| ratio (history / height) | ${ratio} |`, '',
  ].join('\n'));
  process.stdout.write(`${JSON.stringify({ nodes, concurrency, spec, critical_path_s: criticalPathS, wall_s: walls, ratio })}\n`);
} finally {
  await pg.close();
  await server.close();
  await rm(scratch, { recursive: true, force: true });
}
