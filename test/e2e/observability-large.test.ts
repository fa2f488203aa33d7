// Large DAGs: a dev server that suggests continue-as-new after very few history events makes a
// ~60-node project continue as new several times; the caller still sees one run: one
// invocation id, one artifact set, one result with every node exactly once.
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { DbtRunOutput } from '../../src/shared/contracts.js';
import { WORKFLOW_TYPE } from '../../src/shared/names.js';
import { startDevServer, temporalExecutable } from '../../src/supervisor/dev-server.js';
import type { DevServer } from '../../src/supervisor/dev-server.js';
import { useE2eWorker } from '../support/e2e-worker.js';
import { doneCounts } from './observability-support.js';

const NODES = 60;
let server: DevServer;

/** A layered project: model m<i> refs two models of the previous layer of 6. */
async function writeProject(dir: string): Promise<void> {
  await mkdir(join(dir, 'models'), { recursive: true });
  await writeFile(join(dir, 'dbt_project.yml'), 'name: wide_duck\nversion: "1.0.0"\nconfig-version: 2\nprofile: wide_duck\nmodel-paths: ["models"]\nflags:\n  send_anonymous_usage_stats: false\nmodels:\n  wide_duck:\n    +materialized: view\n');
  await writeFile(join(dir, 'profiles.yml'), "wide_duck:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: \"{{ env_var('WIDE_DUCKDB_PATH', '/tmp/wide_duck.duckdb') }}\"\n      threads: 1\n");
  for (let i = 0; i < NODES; i++) {
    const layer = Math.floor(i / 6);
    const sql = layer === 0 ? `select ${i} as id` : `select id + 1 as id from {{ ref('m${(layer - 1) * 6 + (i % 6)}') }} union all select id from {{ ref('m${(layer - 1) * 6 + ((i + 1) % 6)}') }}`;
    await writeFile(join(dir, 'models', `m${i}.sql`), `${sql}\n`);
  }
}

// Before the worker's hooks: this file's own dev server is up before the worker and closed after it.
beforeAll(async () => {
  server = await startDevServer({
    executable: temporalExecutable(process.env),
    extraArgs: ['--dynamic-config-value', 'limit.historyCount.suggestContinueAsNew=80'],
  });
});

afterAll(async () => {
  await server?.close();
});

const e2e = useE2eWorker('large', async (scratch) => {
  await writeProject(join(scratch, 'wide_duck'));
  return {
    DBT_PROJECT_DIRS: join(scratch, 'wide_duck'),
    WORKER_MAX_CONCURRENT_ACTIVITIES: '4',
    WRITE_ARTIFACTS: 'true',
    ARTIFACT_STORE: join(scratch, 'artifacts'),
  };
}, { temporalAddress: () => server.address });

it('continues as new several times and still returns one result with every node once', async () => {
  const workflowId = `large-${randomUUID()}`;
  const handle = await e2e.client.client.workflow.start(WORKFLOW_TYPE, {
    taskQueue: e2e.worker.taskQueue, workflowId, args: [{ command: 'run', env: { WIDE_DUCKDB_PATH: join(e2e.scratch, 'wide.duckdb') } }],
  });
  const output = (await handle.result()) as DbtRunOutput; // follows the chain of executions

  const executions = [];
  for await (const wf of e2e.client.client.workflow.list({ query: `WorkflowId = "${workflowId}"` })) executions.push(wf);
  expect(executions.length).toBeGreaterThan(2);
  expect(executions.filter((e) => e.status.name === 'CONTINUED_AS_NEW')).toHaveLength(executions.length - 1);

  expect(output.success).toBe(true);
  expect(output.invocation_id).toBe(handle.firstExecutionRunId);
  const ids = output.node_results.map((r) => r.unique_id);
  expect(new Set(ids).size).toBe(NODES);
  expect(ids).toHaveLength(NODES);
  expect(output.node_results.every((r) => r.status === 'success')).toBe(true);

  // One artifact set, under the invocation id, covering every segment.
  expect(await readdir(join(e2e.scratch, 'artifacts'))).toEqual([output.invocation_id]);
  const runResults = JSON.parse(await readFile(output.artifacts?.run_results_path as string, 'utf8')) as { results: unknown[]; metadata: { invocation_id: string } };
  expect(runResults.results).toHaveLength(NODES);
  expect(runResults.metadata.invocation_id).toBe(output.invocation_id);
  const log = await readFile(output.log_path as string, 'utf8');
  expect(doneCounts(log)).toEqual({ pass: NODES, warn: 0, error: 0, skip: 0, total: NODES });
  const numbered = [...log.matchAll(/^\s*(\d+) of 60 OK /gm)].map((m) => Number(m[1])).sort((a, b) => a - b);
  expect(numbered).toEqual(Array.from({ length: NODES }, (_, i) => i + 1));
});
