// Scenario `reuse` (docs/reuse.md): the 200-node project (`--models 160`, DuckDB) built once with
// reuse and again unchanged (everything reused), then one model in the middle layer edited (a new worker reads it, as after a deploy),
// then rebuilt on that worker with reuse, and only the edited model and its descendants without
// reuse (`-s m+`: what those nodes cost), `--repeat` times (a new edit each time, the median
// ratio reported); then edited again and rebuilt with reuse but without
// relation leases (what the leases cost); last, everything without reuse. Reports nodes
// executed, wall time and worker CPU of each; the target: the reuse build executes only the edited
// model and its descendants and costs at most 5% more than building just those.
import { eventMs } from '../src/supervisor/cli/bench-history.js';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { DbtRunInput } from '../src/shared/contracts.js';
import type { Args } from './args.js';
import { generateProject } from './generate.js';
import { treeCpuSeconds } from './proc-stats.js';
import { percentile, simpleTable } from './report.js';
import { freshDatabase, round } from './scenario.js';
import type { BenchContext, Scenario } from './scenario.js';
import { benchTaskQueue, runWorkflow, startWorker } from './worker-process.js';
import type { WorkerProcess } from './worker-process.js';

interface Row extends Record<string, unknown> {
  build: string;
  executed: number;
  reused: number;
  wall_s: number;
  /** plan_project's start to completion (with reuse: the compile, the probe and the state reads). */
  plan_s: number;
  /** The plan's completion to the first node activity scheduled (hooks, the first layer's decisions). */
  to_nodes_s: number;
  /** The first node activity scheduled to the last one completed. */
  nodes_s: number;
  /** The last node activity completed to the workflow completed (artifacts, output). */
  finish_s: number;
  /** plan_project's result as the history holds it (KB). */
  plan_kb: number;
  /** An execute_node activity's input, mean (KB). */
  node_input_kb: number;
  cpu_s: number;
  ok: boolean;
}

type Phases = Pick<Row, 'plan_s' | 'to_nodes_s' | 'nodes_s' | 'finish_s' | 'plan_kb' | 'node_input_kb'>;

/** The run's phases (plan, to the first node, nodes, finish) and payload sizes, from its history. */
async function phasesOf(client: Client, workflowId: string): Promise<Phases> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const at = (t: Parameters<typeof eventMs>[0]): number => eventMs(t) / 1000;
  const bytes = (p: { payloads?: { data?: Uint8Array | null }[] | null } | null | undefined): number => (p?.payloads ?? []).reduce((n, x) => n + (x.data?.length ?? 0), 0);
  let scheduledAt: number | null = null;
  let scheduledId = -1;
  let planDone = 0;
  let firstNode = 0;
  let lastNode = 0;
  let end = 0;
  const out = { plan_s: 0, to_nodes_s: 0, nodes_s: 0, finish_s: 0, plan_kb: 0, node_input_kb: 0 };
  const nodeIds = new Set<number>();
  let nodeBytes = 0;
  for (const e of history.events ?? []) {
    end = at(e.eventTime);
    const s = e.activityTaskScheduledEventAttributes;
    if (s?.activityType?.name === 'plan_project') {
      scheduledAt = end;
      scheduledId = Number(e.eventId);
    }
    if (s?.activityType?.name === 'execute_node') {
      nodeBytes += bytes(s.input);
      nodeIds.add(Number(e.eventId));
      if (firstNode === 0) firstNode = end;
    }
    const done = e.activityTaskCompletedEventAttributes;
    if (done && nodeIds.has(Number(done.scheduledEventId))) lastNode = end;
    if (done && Number(done.scheduledEventId) === scheduledId && scheduledAt !== null) {
      planDone = end;
      out.plan_s = round(end - scheduledAt);
      out.plan_kb = round(bytes(done.result) / 1024);
    }
  }
  if (firstNode > 0) Object.assign(out, { to_nodes_s: round(firstNode - planDone), nodes_s: round(lastNode - firstNode), finish_s: round(end - lastNode) });
  out.node_input_kb = nodeIds.size === 0 ? 0 : round(nodeBytes / nodeIds.size / 1024);
  return out;
}

async function measured(client: Client, worker: WorkerProcess, taskQueue: string, build: string, input: DbtRunInput, log: (m: string) => void): Promise<Row> {
  const cpu0 = treeCpuSeconds([worker.pid]);
  const t0 = performance.now();
  const run = await runWorkflow(client, taskQueue, input);
  const wallS = (performance.now() - t0) / 1000;
  const cpuS = treeCpuSeconds([worker.pid]) - cpu0;
  const results = run.output?.node_results ?? [];
  const reused = results.filter((r) => r.status === 'no-op').length;
  log(`${build}: ${results.length - reused} executed, ${reused} reused, ${wallS.toFixed(1)} s, ${cpuS.toFixed(1)} CPU s${run.output?.success === true ? '' : ` (failed: ${run.error ?? ''})`}`);
  // A reused node is `no-op`, which the shared helper does not count as ok: the run's own verdict.
  const ok = run.output?.success === true;
  return { build, executed: results.length - reused, reused, wall_s: round(wallS), ...(await phasesOf(client, run.workflowId)), cpu_s: round(cpuS), ok };
}

async function runReuse(bench: BenchContext, o: { models: number; repeat: number }) {
  const dir = join(bench.scratch, 'project');
  const shape = await generateProject(dir, { models: o.models, width: 8, testEvery: 4, warehouse: 'duckdb' });
  const env = freshDatabase(bench, 'duckdb', 'reuse');
  const settings = { temporalAddress: bench.temporalAddress, projectDir: dir, tmpDir: bench.scratch, env: { ...env, WRITE_ARTIFACTS: 'true', ARTIFACT_STORE: join(bench.scratch, 'store') } };
  const depth = Math.ceil(o.models / 8);
  const edited = `m_${Math.floor(depth / 2)}_0`;
  const connection = await Connection.connect({ address: bench.temporalAddress });
  const client = new Client({ connection });
  const rows: Row[] = [];
  const pairs: [Row, Row][] = [];
  let worker: WorkerProcess | null = null;
  try {
    let taskQueue = benchTaskQueue();
    worker = await startWorker({ ...settings, taskQueue });
    rows.push(await measured(client, worker, taskQueue, 'first build (reuse on)', { env, reuse: true }, bench.log));
    rows.push(await measured(client, worker, taskQueue, 'nothing changed, reuse on', { env, reuse: true }, bench.log));
    const file = join(dir, 'models', `${edited}.sql`);
    const original = await readFile(file, 'utf8');
    // The edit: a new column in the edited model (`n` tells the edits apart).
    const edit = (n: number): Promise<void> => writeFile(file, original.replace(/ as k from/, ` as k, ${n} as edited from`));
    // Warm-up, so both measured builds find the same warm worker: engines started and the
    // manifest parsed (a plan preview builds nothing), and the affected nodes built once without
    // reuse (their SQL and materializations compiled, as the second of the two measured builds
    // would otherwise find them and the first not). A build without reuse records what it
    // rebuilt as built without reuse, so the reuse build after it rebuilds exactly those nodes.
    const restart = async (): Promise<void> => {
      await worker?.stop();
      taskQueue = benchTaskQueue();
      worker = await startWorker({ ...settings, taskQueue });
      await runWorkflow(client, taskQueue, { env, reuse: true, plan_only: true });
      await runWorkflow(client, taskQueue, { env, select: `${edited}+` });
    };
    // Edited, then the pair measured, `repeat` times (one pair is within the machine's noise).
    for (let n = 1; n <= o.repeat; n++) {
      await edit(n);
      await restart();
      const w = worker as WorkerProcess;
      pairs.push([
        await measured(client, w, taskQueue, `after edit ${n}, reuse on`, { env, reuse: true }, bench.log),
        await measured(client, w, taskQueue, `only ${edited}+ (reuse off)`, { env, select: `${edited}+` }, bench.log),
      ]);
      rows.push(...(pairs.at(-1) as [Row, Row]));
    }
    // What the relation leases cost: the model edited again, reuse on, leases off (dbt_temporal.yml).
    await edit(o.repeat + 1);
    await writeFile(join(dir, 'dbt_temporal.yml'), 'leases: false\n');
    await restart();
    rows.push(await measured(client, worker, taskQueue, 'after another edit, reuse on, leases off', { env, reuse: true }, bench.log));
    // Last: a run without reuse marks what it rebuilds as built without reuse (docs/reuse.md).
    rows.push(await measured(client, worker, taskQueue, 'after the edits, reuse off', { env }, bench.log));
  } finally {
    await worker?.stop();
    await connection.close();
  }
  // The median pair (of an even count, the upper one).
  const median = (xs: number[]): number => percentile(xs, 50) ?? 0;
  const wallX = pairs.map(([r, only]) => r.wall_s / only.wall_s);
  const cpuX = pairs.map(([r, only]) => r.cpu_s / only.cpu_s);
  const target = {
    executes_only_affected: pairs.every(([r, only]) => r.executed === only.executed),
    x_only_wall: round(median(wallX)), x_only_cpu: round(median(cpuX)), pairs_wall_x: wallX.map(round), wall_within_5pct: median(wallX) <= 1.05,
  };
  const table = `${simpleTable(['build', 'nodes executed', 'reused', 'wall s', 'of which plan s', 'to nodes s', 'nodes s', 'finish s', 'plan result KB', 'node input KB', 'worker CPU s', 'ok'], rows.map((r) => [r.build, r.executed, r.reused, r.wall_s, r.plan_s, r.to_nodes_s, r.nodes_s, r.finish_s, r.plan_kb, r.node_input_kb, r.cpu_s, r.ok ? 'yes' : 'no']))}\n\n`
    + `Reuse build vs only the affected nodes (median of ${pairs.length} pairs; each pair's wall: ${target.pairs_wall_x.join(', ')}): ${target.x_only_wall}x wall, ${target.x_only_cpu}x CPU; executes only them: ${target.executes_only_affected ? 'yes' : 'no'}; within 5%: ${target.wall_within_5pct ? 'yes' : 'no'}.`;
  return { name: `reuse-duckdb-${shape.nodes}n`, table, rows, doc: { models: o.models, nodes: shape.nodes, edited, warehouse: 'duckdb', rows, target } };
}

/** `--models 160` (the 200-node project with its tests), `--repeat 3` (edit-and-rebuild pairs measured). */
export function reuseScenario(args: Args): Scenario {
  const o = { models: args.int('models', 160), repeat: args.int('repeat', 3) };
  return { warehouses: ['duckdb'], run: (bench) => runReuse(bench, o) };
}
