// Query tags on a real PostgreSQL: during a node, the node's own row of pg_stat_activity (and
// current_query()) shows dbt's query comment carrying the run's invocation id (the one in
// run_results.json), the node's unique id and the attempt, in warm and subprocess mode; a
// retried node's queries say attempt 2; a project's own query-comment is left as it is. And a
// node paused from Temporal (`temporal activity pause`, as the UI's Pause): its query is
// cancelled, the run waits and its run_status and log show the node paused; unpaused, the node
// reruns and the run ends as plain dbt's. A node reset (`temporal activity reset`) restarts.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DbtRunOutput } from '../../src/shared/contracts.js';
import { RUN_LOG_QUERY, RUN_STATUS_QUERY } from '../../src/shared/run-status.js';
import type { RunLogPage, RunStatus } from '../../src/shared/run-status.js';
import { statusMap } from '../support/client.js';
import { useE2eWorker } from '../support/e2e-worker.js';
import { REPO_ROOT } from '../support/paths.js';
import { usePostgres } from '../support/use-postgres.js';
import type { WorkerProcess } from '../support/worker-process.js';

// Defaults as in the parity fixtures: the worker parses at start-up, before any run's env.
const PROFILE = [
  'tags:', '  target: pg', '  outputs:', '    pg:', '      type: postgres',
  ...['host', 'port', 'user', 'password', 'dbname', 'schema'].map((k) => {
    const v = { host: "env_var('PARITY_PG_HOST', '127.0.0.1')", port: "env_var('PARITY_PG_PORT', '5432') | as_number", user: "env_var('PARITY_PG_USER', 'postgres')",
      password: "env_var('PARITY_PG_PASSWORD', 'postgres')", dbname: "env_var('PARITY_PG_DATABASE', 'warehouse')", schema: "env_var('PARITY_SCHEMA', 'public')" }[k];
    return `      ${k}: "{{ ${v} }}"`;
  }),
  '      threads: 2', '',
].join('\n');
/** The node's own backend in pg_stat_activity, read during the node. */
const SEEN = "{{ config(materialized='table') }}\nselect query, current_query() as current from pg_stat_activity where pid = pg_backend_pid()\n";
// Fails (transiently: "try again") while its own query says attempt 1; the pattern is split so
// that the hook's text does not match itself.
const FLAKY = [
  "{{ config(materialized='table', pre_hook=\"do $$ begin if current_query() like '%\\\"attempt\\\": ' || '1}%' then raise exception 'try again: first attempt'; end if; end $$\") }}",
  'select current_query() as current', '',
].join('\n');
/** Sleeps 300 s on its first attempt (its query comment says so), not after. */
const SLOW = "{{ config(materialized='table') }}\nselect 1 as id from (select pg_sleep(case when current_query() like '%\"attempt\": ' || '1}%' then 300 else 0 end)) s\n";

/** Sleeps 300 s the first time it runs (its schema's sequence `once_seq` says so), not after. */
const ONCE = "{{ config(materialized='table') }}\nselect 1 as id from (select pg_sleep(case when nextval('{{ target.schema }}.once_seq') = 1 then 300 else 0 end)) s\n";

/** A project `name` in a temp dir: `seen`, `flaky`, `slow`, `after_slow`, `once`, `after_once`, or the project's own query-comment. */
function writeProject(root: string, name: string, queryComment?: string): string {
  const dir = join(root, name);
  mkdirSync(join(dir, 'models'), { recursive: true });
  writeFileSync(join(dir, 'dbt_project.yml'), `name: ${name}\nversion: "1.0"\nprofile: tags\n${queryComment ? `query-comment: "${queryComment}"\n` : ''}`);
  writeFileSync(join(dir, 'profiles.yml'), PROFILE);
  // A short heartbeat timeout: a pause reaches the worker within 8 s.
  writeFileSync(join(dir, 'dbt_temporal.yml'), 'retry:\n  max_attempts: 3\n  initial_interval_secs: 1\ntimeouts:\n  node_heartbeat_secs: 10\n');
  writeFileSync(join(dir, 'models/seen.sql'), SEEN);
  if (queryComment) return dir;
  writeFileSync(join(dir, 'models/flaky.sql'), FLAKY);
  writeFileSync(join(dir, 'models/slow.sql'), SLOW);
  writeFileSync(join(dir, 'models/after_slow.sql'), "select * from {{ ref('slow') }}\n");
  writeFileSync(join(dir, 'models/once.sql'), ONCE);
  writeFileSync(join(dir, 'models/after_once.sql'), "select * from {{ ref('once') }}\n");
  return dir;
}

/** The JSON of the leading `/* ... *\/` comment of a query. */
function commentOf(sql: string): Record<string, unknown> {
  const m = /^\/\* (\{.*?\}) \*\//.exec(sql);
  if (!m) throw new Error(`no JSON query comment in: ${sql.slice(0, 200)}`);
  return JSON.parse(m[1] as string) as Record<string, unknown>;
}

describe('warehouse side of a node: query tags, pause and reset', () => {
  let root: string;
  let store: string;
  let tagged: string;
  const workers = new Map<'warm' | 'subprocess', WorkerProcess>();
  // Before the workers' hooks, so it is up before they start and closed after they stop.
  const pg = usePostgres();

  // The warm worker is the file's; the subprocess one has the same settings but its mode and project.
  const e2e = useE2eWorker('query-tags', (scratch) => {
    root = scratch;
    store = join(root, 'artifacts');
    tagged = writeProject(root, 'tags_pg');
    const own = writeProject(root, 'own_pg', 'owned by {{ target.name }}');
    return { DBT_PROJECT_DIRS: `${tagged},${own}`, DBT_ENGINE_MODE: 'warm', WORKER_MAX_CONCURRENT_ACTIVITIES: '2', WRITE_ARTIFACTS: 'true', ARTIFACT_STORE: store };
  });

  beforeAll(async () => {
    workers.set('warm', e2e.worker);
    workers.set('subprocess', await e2e.startAnother({ ...e2e.settings, DBT_ENGINE_MODE: 'subprocess', DBT_PROJECT_DIRS: tagged }));
  });

  /** Builds `select` of tags_pg; the run's invocation id, checked equal to its run_results.json's. */
  async function build(mode: 'warm' | 'subprocess', schema: string, select: string): Promise<string> {
    const res = await e2e.client.run(workers.get(mode)?.taskQueue as string, { project: 'tags_pg', command: 'build', select, env: pg.env(schema) });
    expect(res.ok, `${res.message}`).toBe(true);
    const invocationId = res.output?.invocation_id as string;
    const runResults = JSON.parse(readFileSync(join(store, invocationId, 'run_results.json'), 'utf8')) as { metadata: { invocation_id: string } };
    expect(runResults.metadata.invocation_id).toBe(invocationId);
    return invocationId;
  }

  it("warm mode: the node's own pg_stat_activity row carries the run's invocation id, its unique id and attempt; a retry says attempt 2", async () => {
    const schema = pg.freshSchema('tags_warm');
    const invocationId = await build('warm', schema, 'seen flaky');
    const [[query, current]] = (await pg.query(`select query, current from ${schema}.seen`)) as [[string, string]];
    expect(query).toBe(current);
    expect(commentOf(query)).toEqual({
      app: 'dbt', dbt_version: expect.any(String), profile_name: 'tags', target_name: 'pg',
      node_id: 'model.tags_pg.seen', invocation_id: invocationId, attempt: 1,
    });
    const [[flaky]] = (await pg.query(`select current from ${schema}.flaky`)) as [[string]];
    expect(commentOf(flaky)).toMatchObject({ node_id: 'model.tags_pg.flaky', invocation_id: invocationId, attempt: 2 });
  });

  it('subprocess mode (one dbt process per node): the same tags, attempt 2 on the retry', async () => {
    const schema = pg.freshSchema('tags_sub');
    const invocationId = await build('subprocess', schema, 'flaky');
    const [[flaky]] = (await pg.query(`select current from ${schema}.flaky`)) as [[string]];
    expect(commentOf(flaky)).toMatchObject({ node_id: 'model.tags_pg.flaky', invocation_id: invocationId, attempt: 2 });
  });

  it("keeps a project's own query-comment as it is", async () => {
    const schema = pg.freshSchema('tags_own');
    const res = await e2e.client.run(workers.get('warm')?.taskQueue as string, { project: 'own_pg', command: 'build', env: pg.env(schema) });
    expect(res.ok, `${res.message}`).toBe(true);
    const [[query]] = (await pg.query(`select query from ${schema}.seen`)) as [[string]];
    expect(query).toMatch(/^\/\* owned by pg \*\/\n/);
    expect(query).not.toContain(res.output?.invocation_id as string);
  });

  /** Rows of active queries (but this one) whose text contains `text`. */
  const active = async (text: string): Promise<number> =>
    Number(((await pg.query(`select count(*) from pg_stat_activity where query like '%${text}%' and state = 'active' and pid <> pg_backend_pid()`)) as [[number]])[0][0]);
  const until = async (what: string, check: () => Promise<boolean>): Promise<void> => {
    for (const deadline = Date.now() + 120_000; !(await check());) {
      const nodes = workers.get('warm')?.logs().split('\n').filter((l) => l.includes('node finished')).join('\n');
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; the worker's node lines:\n${nodes}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  };
  /** `temporal activity <verb>` on a node of a run. */
  const activity = (verb: string, workflowId: string, activityId: string) =>
    execa(`${REPO_ROOT}.venv/bin/temporal`, ['activity', verb, '--workflow-id', workflowId, '--activity-id', activityId, '--address', e2e.address]);
  /** Plain `dbt build --select ...` of tags_pg in a fresh schema (`prepare` runs first): its statuses. */
  async function oracle(select: string[], prepare?: (schema: string) => Promise<void>): Promise<Map<string, string>> {
    const schema = pg.freshSchema('tags_oracle');
    await prepare?.(schema);
    const target = join(root, `oracle-${schema}`);
    const plain = await execa(`${REPO_ROOT}.venv/bin/dbt`, ['build', '--select', ...select, '--project-dir', tagged, '--profiles-dir', tagged, '--target-path', target, '--log-path', target],
      { env: { ...process.env, ...pg.env(schema), DBT_SEND_ANONYMOUS_USAGE_STATS: 'false' }, reject: false });
    expect(plain.exitCode, plain.stdout).toBe(0);
    const results = JSON.parse(readFileSync(join(target, 'run_results.json'), 'utf8')) as { results: Array<{ unique_id: string; status: string }> };
    return new Map(results.results.map((r) => [r.unique_id, r.status]));
  }

  it("pause: the node's query is cancelled, the run waits and run_status shows it paused; unpause: the node reruns and the run ends as plain dbt's", async () => {
    const schema = pg.freshSchema('tags_pause');
    const workflowId = `pause-${schema}`;
    const handle = await e2e.client.client.workflow.start('dbt_run', { taskQueue: workers.get('warm')?.taskQueue as string, workflowId,
      args: [{ project: 'tags_pg', command: 'build', select: 'slow after_slow', env: pg.env(schema) }] });
    await until('the slow query', async () => (await active('pg_sleep(case when current_query')) > 0);
    await activity('pause', workflowId, 'model:slow');
    await until('the query to be cancelled', async () => (await active('pg_sleep(case when current_query')) === 0);
    const desc = await e2e.client.client.workflowService.describeWorkflowExecution({ namespace: 'default', execution: { workflowId } });
    expect(desc.workflowExecutionInfo?.closeTime ?? null).toBeNull();
    expect(desc.pendingActivities?.find((p) => p.activityId === 'model:slow')?.paused).toBe(true);
    // The run's own view: run_status lists the node as paused (not running), the run log says so.
    await until('run_status to show the pause', async () => (await handle.query<RunStatus>(RUN_STATUS_QUERY)).paused === 1);
    expect(await handle.query<RunStatus>(RUN_STATUS_QUERY)).toMatchObject({ phase: 'executing', running: 1, paused: 1, paused_nodes: ['model:slow'], running_nodes: [], pending: 1 });
    await activity('unpause', workflowId, 'model:slow');
    const output = (await handle.result()) as DbtRunOutput;
    expect(statusMap(output)).toEqual(await oracle(['slow', 'after_slow']));
    const log = (await handle.query<RunLogPage, [number]>(RUN_LOG_QUERY, 0)).lines.join('\n');
    expect(log).toMatch(/1 of 2 PAUSED model tags_pg\.slow \.+ \[PAUSED from Temporal: waiting for unpause\]\n1 of 2 RESUME model tags_pg\.slow \.+ \[RUN\]\n1 of 2 OK model tags_pg\.slow /);
  });

  it("reset: the in-flight node's query is cancelled and the node restarts at once; the run ends as plain dbt's", async () => {
    const schema = pg.freshSchema('tags_reset');
    const workflowId = `reset-${schema}`;
    // `once` sleeps while its sequence gives 1: only the first execution hangs.
    const withSequence = async (s: string): Promise<void> => void (await pg.query(`create schema ${s}; create sequence ${s}.once_seq`));
    await withSequence(schema);
    const handle = await e2e.client.client.workflow.start('dbt_run', { taskQueue: workers.get('warm')?.taskQueue as string, workflowId,
      args: [{ project: 'tags_pg', command: 'build', select: 'once after_once', env: pg.env(schema) }] });
    await until('the first query of once', async () => (await active('pg_sleep(case when nextval')) > 0);
    await activity('reset', workflowId, 'model:once');
    await until('the query to be cancelled', async () => (await active('pg_sleep(case when nextval')) === 0);
    // No unpause, no retry wait: the reset alone restarts the node, which runs a second time.
    const output = (await handle.result()) as DbtRunOutput;
    expect(statusMap(output)).toEqual(await oracle(['once', 'after_once'], async (s) => {
      await withSequence(s);
      await pg.query(`select nextval('${s}.once_seq')`);
    }));
    expect(await pg.query(`select last_value from ${schema}.once_seq`)).toEqual([[2]]);
    const log = (await handle.query<RunLogPage, [number]>(RUN_LOG_QUERY, 0)).lines.join('\n');
    expect(log).toMatch(/1 of 2 RESET model tags_pg\.once \.+ \[RESET from Temporal: restarting\]\n1 of 2 OK model tags_pg\.once /);
  });
});
