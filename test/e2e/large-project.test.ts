// Large DAGs on the default dev server: a synthetic 1,500-node project (1,200 models in 30
// layers, 300 tests) built on Postgres by one worker at C=4. Temporal's own limits make the run
// continue as new; the caller still sees one run: one invocation id, one artifact set, one
// result with every node exactly once, and every model in the warehouse.
import { randomUUID } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { generateProject } from '../../bench/generate.js';
import type { DbtRunOutput } from '../../src/shared/contracts.js';
import { WORKFLOW_TYPE } from '../../src/shared/names.js';
import { useE2eWorker } from '../support/e2e-worker.js';
import { usePostgres } from '../support/use-postgres.js';
import { doneCounts } from './observability-support.js';

const MODELS = 1200;
// Before the worker's hooks, so it is up before the worker starts and closed after it stops.
const pg = usePostgres();
let schema: string;
let nodes: number;

const e2e = useE2eWorker('1500', async (scratch) => {
  const project = join(scratch, 'bench_project');
  ({ nodes } = await generateProject(project, { models: MODELS, width: 40, testEvery: 4, warehouse: 'postgres' }));
  schema = pg.freshSchema('large');
  const conn = pg.env(schema);
  return {
    DBT_PROJECT_DIRS: project,
    WORKER_MAX_CONCURRENT_ACTIVITIES: '4',
    WRITE_ARTIFACTS: 'true',
    ARTIFACT_STORE: join(scratch, 'artifacts'),
    BENCH_PG_HOST: conn['PARITY_PG_HOST'] as string,
    BENCH_PG_PORT: conn['PARITY_PG_PORT'] as string,
    BENCH_PG_USER: conn['PARITY_PG_USER'] as string,
    BENCH_PG_PASSWORD: conn['PARITY_PG_PASSWORD'] as string,
    BENCH_PG_DATABASE: conn['PARITY_PG_DATABASE'] as string,
    BENCH_PG_SCHEMA: schema,
  };
}, { startTimeoutMs: 180_000 });

it('builds a 1,500-node project across continue-as-new with every node accounted for once', async () => {
  expect(nodes).toBe(1500);
  const workflowId = `large-1500-${randomUUID()}`;
  const handle = await e2e.client.client.workflow.start(WORKFLOW_TYPE, { taskQueue: e2e.worker.taskQueue, workflowId, args: [{ command: 'build' }] });
  const output = (await handle.result()) as DbtRunOutput; // follows the chain of executions

  // Temporal (not a test setting) asked for continue-as-new; the chain ended in one result.
  const executions = [];
  for await (const wf of e2e.client.client.workflow.list({ query: `WorkflowId = "${workflowId}"` })) executions.push(wf);
  expect(executions.length).toBeGreaterThan(1);
  expect(executions.filter((e) => e.status.name === 'CONTINUED_AS_NEW')).toHaveLength(executions.length - 1);
  for (const e of executions) expect(e.historyLength).toBeLessThan(20_000);

  expect(output.success).toBe(true);
  expect(output.invocation_id).toBe(handle.firstExecutionRunId);
  const ids = output.node_results.map((r) => r.unique_id);
  expect(ids).toHaveLength(nodes);
  expect(new Set(ids).size).toBe(nodes);
  const statuses: Record<string, number> = {};
  for (const r of output.node_results) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
  expect(statuses).toEqual({ success: MODELS, pass: nodes - MODELS });
  // Results were trimmed to fit Temporal's payload limit, but every node keeps dbt's timing.
  expect(output.node_results.filter((r) => !r.timing.some((t) => t.name === 'execute')).map((r) => r.unique_id)).toEqual([]);

  // One artifact set under the invocation id, covering every segment.
  expect(await readdir(join(e2e.scratch, 'artifacts'))).toEqual([output.invocation_id]);
  const runResults = JSON.parse(await readFile(output.artifacts?.run_results_path as string, 'utf8')) as { results: { unique_id: string; timing: { name: string }[] }[]; metadata: { invocation_id: string } };
  expect(new Set(runResults.results.map((r) => r.unique_id)).size).toBe(nodes);
  expect(runResults.results.filter((r) => !r.timing.some((t) => t.name === 'execute'))).toEqual([]);
  expect(runResults.metadata.invocation_id).toBe(output.invocation_id);
  expect(doneCounts(await readFile(output.log_path as string, 'utf8'))).toEqual({ pass: nodes, warn: 0, error: 0, skip: 0, total: nodes });

  // Every model is in the warehouse, and the deepest one saw data through all 30 layers.
  const [[relations]] = (await pg.query(`select count(*) from information_schema.tables where table_schema = '${schema}'`)) as [[number]];
  expect(Number(relations)).toBe(MODELS);
  const [[rows]] = (await pg.query(`select count(*) from "${schema}".m_29_0`)) as [[number]];
  expect(Number(rows)).toBe(1000);
}, 1_200_000);
