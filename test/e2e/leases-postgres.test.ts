// Leases and admission across runs and workers (docs/coordination.md), on a real Postgres with two
// real workers on one task queue: two concurrent reuse runs build each relation once and match
// plain dbt; `limits: { pg: 2 }` keeps three concurrent runs to two node queries at once (sampled
// in pg_stat_activity); a worker killed with -9 while it runs a lease holder's node does not stop
// the other run.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DbtRunOutput } from '../../src/shared/contracts.js';
import { WORKFLOW_TYPE } from '../../src/shared/names.js';
import { connectClient } from '../support/client.js';
import type { TestClient } from '../support/client.js';
import { runPlainDbt } from '../support/dbt-oracle.js';
import { LEASE_MODELS, sampleNodeQueries, writeLeaseProject } from '../support/lease-fixture.js';
import { startPostgres } from '../support/postgres.js';
import type { PgServer } from '../support/postgres.js';
import { freePort, httpGet, spawnWorker, tempDir, waitFor } from './operations-support.js';
import type { SpawnedWorker } from './operations-support.js';

const dir = tempDir('leases-pg-');
const LOG = 'lease_log';
const reuseProject = writeLeaseProject(join(dir, 'lease_reuse'), 'lease_reuse', 'reuse: true\nleases: true\n', 2);
const cappedProject = writeLeaseProject(join(dir, 'lease_capped'), 'lease_capped', 'limits:\n  pg: 2\n', 1.5);
const taskQueue = `leases-${process.pid}`;
let pg: PgServer;
let client: TestClient;
const workers: SpawnedWorker[] = [];

const healthPorts: number[] = [];

async function startWorkerProcess(): Promise<SpawnedWorker> {
  const tmp = join(dir, `tmp-${workers.length}`);
  mkdirSync(tmp, { recursive: true });
  const port = await freePort();
  healthPorts.push(port);
  const w = spawnWorker({
    HEALTH_PORT: String(port),
    TEMPORAL_ADDRESS: inject('temporalAddress'), TEMPORAL_TASK_QUEUE: taskQueue, DBT_PROJECT_DIRS: `${reuseProject},${cappedProject}`,
    WRITE_ARTIFACTS: 'true', ARTIFACT_STORE: join(dir, 'artifacts'), TMPDIR: tmp, ...pg.env('public'), LEASE_LOG_SCHEMA: LOG,
  });
  workers.push(w);
  return w;
}

beforeAll(async () => {
  pg = await startPostgres();
  await pg.query(`create schema ${LOG}; create table ${LOG}.builds (relation text, invocation text)`);
  const [a, b] = [await startWorkerProcess(), await startWorkerProcess()];
  [client] = await Promise.all([connectClient(inject('temporalAddress')), a.waitForLog('worker connected'), b.waitForLog('worker connected')]);
});

afterAll(async () => {
  for (const w of workers) w.signal('SIGTERM');
  await Promise.all(workers.map((w) => w.exited));
  await client?.close();
  await pg?.close();
  rmSync(dir, { recursive: true, force: true });
});

const start = (project: string, schema: string, extra: Record<string, unknown> = {}) => client.client.workflow.start(WORKFLOW_TYPE, {
  taskQueue, workflowId: `${project}-${schema}-${Math.random().toString(36).slice(2, 8)}`,
  args: [{ project, command: 'build', env: { ...pg.env(schema), LEASE_LOG_SCHEMA: LOG }, ...extra }],
});

/** Builds per relation, by the given runs, from the post-hooks' log. */
async function buildsOf(invocations: string[]): Promise<Map<string, number>> {
  const rows = await pg.query(`select relation, count(*) from ${LOG}.builds where invocation in (${invocations.map((i) => `'${i}'`).join(',')}) group by 1`);
  return new Map(rows.map((r) => [String(r[0]), Number(r[1])]));
}

/** The run log's lines (memo `log` is trimmed; the query has them all). */
async function runLog(workflowId: string): Promise<string[]> {
  return (await client.client.workflow.getHandle(workflowId).query<{ lines: string[] }, [number]>('run_log', 0)).lines;
}

describe('relation leases across runs and workers', () => {
  it('builds every shared relation once for two concurrent reuse runs, and leaves what plain dbt builds', async () => {
    const schema = pg.freshSchema('shared');
    const [a, b] = await Promise.all([start('lease_reuse', schema), start('lease_reuse', schema)]);
    const [outA, outB] = (await Promise.all([a.result(), b.result()])) as DbtRunOutput[];
    expect(outA?.success && outB?.success).toBe(true);
    const invocations = [outA?.invocation_id ?? '', outB?.invocation_id ?? ''];
    const builds = await buildsOf(invocations);
    expect(Object.fromEntries(builds)).toEqual(Object.fromEntries(['raw_items', ...LEASE_MODELS].map((r) => [r, 1])));
    // Whatever one run built, the other reports as reused from it.
    const reused = [...(outA?.node_results ?? []), ...(outB?.node_results ?? [])].filter((r) => r.message?.startsWith('reused from ')).map((r) => r.unique_id.split('.').pop());
    expect(reused.sort()).toEqual(['raw_items', ...LEASE_MODELS].sort());
    const waits = [...(await runLog(a.workflowId)), ...(await runLog(b.workflowId))].filter((l) => / waited [\d.]+s for .* building /.test(l));
    expect(waits.length).toBeGreaterThan(0);

    const oracle = pg.freshSchema('oracle');
    const plain = await runPlainDbt(reuseProject, ['build', '--target', 'pg'], { ...pg.env(oracle), LEASE_LOG_SCHEMA: LOG });
    expect(plain.exitCode, plain.output).toBe(0);
    expect(Object.values(await pg.dump(schema))).toEqual(Object.values(await pg.dump(oracle)));
    expect(Object.keys(await pg.dump(schema)).length).toBe(5);
  });

  it('keeps three concurrent runs to the target\'s limit of 2 node queries at once, and says who waited', async () => {
    const sampler = sampleNodeQueries(pg.env());
    const handles = await Promise.all([1, 2, 3].map((i) => start('lease_capped', pg.freshSchema(`capped${i}`))));
    const outputs = (await Promise.all(handles.map((h) => h.result()))) as DbtRunOutput[];
    const seen = await sampler.stop();
    expect(outputs.every((o) => o.success)).toBe(true);
    expect(seen.busy).toBeGreaterThan(10);
    expect(seen.peak).toBe(2);
    const logs = (await Promise.all(handles.map((h) => runLog(h.workflowId)))).flat();
    expect(logs.some((l) => / waited [\d.]+s for target pg's limit of 2 concurrent nodes$/.test(l))).toBe(true);
    // The workers' /metrics count the waits.
    const counts = await Promise.all(healthPorts.map(async (port) => {
      const { body } = await httpGet(`http://127.0.0.1:${port}/metrics`);
      return Number(/^dbt_temporal_lease_wait_seconds_count\{kind="admission"\} (\d+)/m.exec(body)?.[1] ?? 0);
    }));
    expect(counts.reduce((x, y) => x + y, 0)).toBeGreaterThan(0);
  });

  it('lets the other run go on when the worker running a lease holder\'s node is killed with -9', async () => {
    const schema = pg.freshSchema('killed');
    const a = await start('lease_reuse', schema, { reuse: false });
    // The worker that runs A's first node (the seed, holding its relation's lease) dies mid-build.
    const identity = await waitFor(async () => {
      const d = await client.client.workflowService.describeWorkflowExecution({ namespace: 'default', execution: { workflowId: a.workflowId } });
      const p = (d.pendingActivities ?? []).find((x) => x.activityId === 'seed:raw_items' && x.lastWorkerIdentity);
      return p?.lastWorkerIdentity ?? undefined;
    }, 100);
    const b = await start('lease_reuse', schema, { reuse: false });
    const victim = workers.find((w) => identity.endsWith(`@${w.pid}`));
    expect(victim, `worker ${identity}`).toBeDefined();
    victim?.signal('SIGKILL');
    await victim?.exited;
    const [outA, outB] = (await Promise.all([a.result(), b.result()])) as DbtRunOutput[];
    expect(outA?.success && outB?.success).toBe(true);
    // B built each relation after A (leases never overlapped): both runs' builds are in the log.
    const builds = await buildsOf([outA?.invocation_id ?? '', outB?.invocation_id ?? '']);
    for (const r of ['raw_items', ...LEASE_MODELS]) expect(builds.get(r)).toBeGreaterThanOrEqual(2);
    expect((await runLog(b.workflowId)).some((l) => l.startsWith('seed:raw_items waited '))).toBe(true);
  });
});
