// Run control and observability on the real toolchain (Temporal dev server, worker CLI, dbt,
// DuckDB): run_status, set_fail_fast / cancel_remaining, memos, search attributes, cancellation
// and artifacts validated against dbt's own JSON schemas.
import { randomUUID } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { CancelledFailure, WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import type { WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import type { DbtRunInput, DbtRunOutput } from '../../src/shared/contracts.js';
import { WORKFLOW_TYPE } from '../../src/shared/names.js';
import { CANCEL_REMAINING_UPDATE, SET_FAIL_FAST_UPDATE } from '../../src/shared/run-status.js';
import { useE2eWorker } from '../support/e2e-worker.js';
import { SLOW_PROJECT, describeRun, doneCounts, processesMentioning, validateAgainstDbtSchema, waitForStatus } from './observability-support.js';

let store: string;

const e2e = useE2eWorker('obs', (scratch) => {
  store = join(scratch, 'artifacts');
  return {
    DBT_PROJECT_DIRS: SLOW_PROJECT,
    WORKER_MAX_CONCURRENT_ACTIVITIES: '4',
    // One dbt process per node, so the cancellation test can see the node's own process.
    DBT_ENGINE_MODE: 'subprocess',
    WRITE_ARTIFACTS: 'true',
    ARTIFACT_STORE: store,
    // DbtTarget is ours (static wins); NotRegisteredAnywhere must be skipped without failing runs.
    TEMPORAL_SEARCH_ATTRIBUTES: JSON.stringify({ DbtTarget: 'static-target', NotRegisteredAnywhere: 'x' }),
  };
});

function start(input: DbtRunInput): Promise<WorkflowHandleWithFirstExecutionRunId> {
  return e2e.client.client.workflow.start(WORKFLOW_TYPE, { taskQueue: e2e.worker.taskQueue, workflowId: `obs-${randomUUID()}`, args: [input] });
}

async function failedOutput(handle: WorkflowHandleWithFirstExecutionRunId): Promise<DbtRunOutput> {
  const err = await handle.result().then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(WorkflowFailedError);
  return ((err as WorkflowFailedError).cause as { details?: unknown[] }).details?.[0] as DbtRunOutput;
}

const env = (name: string, slowK: string): Record<string, string> => ({ SLOW_DUCKDB_PATH: join(e2e.scratch, `${name}.duckdb`), SLOW_ROWS_K: slowK, SECRET_TOKEN: 'do-not-leak-42' });

describe('run control and observability', () => {
  it('answers run_status while running, and set_fail_fast(true) stops new nodes after a failure', async () => {
    const handle = await start({ command: 'run', select: 'tag:failfast', env: env('failfast', '40') });
    const running = await waitForStatus(handle, (s) => s.phase === 'executing' && s.running_nodes.includes('model:slow_fail'), 'slow_fail running');
    expect(running).toMatchObject({ total_nodes: 5, fail_fast: false, failed: 0, invocation_id: handle.firstExecutionRunId });

    await expect(handle.executeUpdate(SET_FAIL_FAST_UPDATE, { args: ['yes'] })).rejects.toBeInstanceOf(WorkflowUpdateFailedError);
    expect(await handle.executeUpdate(SET_FAIL_FAST_UPDATE, { args: [true] })).toBe(true);
    expect((await waitForStatus(handle, () => true, 'any')).fail_fast).toBe(true);

    const output = await failedOutput(handle);
    const byId = new Map(output.node_results.map((r) => [r.unique_id, r]));
    expect(byId.get('model.slow_duck.slow_fail')?.status).toBe('error');
    // The chain c1 -> c4 is independent of slow_fail: nodes started before the failure finish,
    // every later one is skipped by fail_fast (with the worker's one DuckDB writer, c4 always is).
    const chain = ['c1', 'c2', 'c3', 'c4'].map((n) => byId.get(`model.slow_duck.${n}`));
    for (const r of chain) expect(r?.status === 'success' || r?.message === 'skipped due to upstream failure (fail_fast)').toBe(true);
    expect(chain[3]?.status).toBe('skipped');

    const final = await waitForStatus(handle, () => true, 'final');
    expect(final).toMatchObject({ phase: 'done', failed: 1, pending: 0, running: 0, fail_fast: true });

    // Memos and search attributes, read back through the client.
    const d = await describeRun(handle);
    expect(d.memo['command']).toMatchObject({ command: 'run', select: 'tag:failfast', fail_fast: false });
    expect(JSON.stringify(d.memo)).not.toContain('do-not-leak-42');
    const nodes = (d.memo['node_status'] as { nodes: Record<string, string> }).nodes;
    expect(nodes['model.slow_duck.slow_fail']).toBe('error');
    expect(Object.keys(nodes)).toHaveLength(5);
    expect((d.memo['log'] as string[]).at(-1)).toMatch(/^Done\. PASS=\d+ WARN=0 ERROR=1 SKIP=\d+ NO-OP=0 TOTAL=5$/);
    expect(d.sa).toMatchObject({ DbtProject: 'slow_duck', DbtCommand: 'run', DbtSelector: 'tag:failfast', DbtStatus: 'failed', DbtTarget: 'static-target' });
    expect(d.sa).not.toHaveProperty('NotRegisteredAnywhere');
    const listed = [];
    for await (const wf of e2e.client.client.workflow.list({ query: `DbtStatus = "failed" AND WorkflowId = "${handle.workflowId}"` })) listed.push(wf.workflowId);
    expect(listed).toEqual([handle.workflowId]);
  });

  it('writes run_results.json and manifest.json in dbt schemas and a log.txt whose counts match the output', async () => {
    const res = await e2e.run({ command: 'run', select: 'tag:quick', env: env('quick', '1') });
    expect(res.ok).toBe(true);
    const out = res.output as DbtRunOutput;
    const dir = join(store, out.invocation_id);
    expect(out.artifacts?.run_results_path).toBe(join(dir, 'run_results.json'));
    expect(out.log_path).toBe(join(dir, 'log.txt'));
    expect((await readdir(dir)).sort()).toEqual(['log.txt', 'manifest.json', 'run_results.json']);

    expect(await validateAgainstDbtSchema(join(dir, 'run_results.json'), 'run-results-v6.json')).toEqual([]);
    expect(await validateAgainstDbtSchema(join(dir, 'manifest.json'), 'manifest-v12.json')).toEqual([]);
    const runResults = JSON.parse(await readFile(join(dir, 'run_results.json'), 'utf8')) as { metadata: { invocation_id: string }; results: { unique_id: string; status: string; relation_name: string | null }[] };
    expect(runResults.metadata.invocation_id).toBe(out.invocation_id);
    expect(runResults.results.map((r) => r.unique_id).sort()).toEqual(out.node_results.map((r) => r.unique_id).sort());
    expect(runResults.results.every((r) => r.status === 'success' && r.relation_name?.includes('c'))).toBe(true);
    const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as { metadata: { invocation_id: string }; nodes: object };
    expect(manifest.metadata.invocation_id).toBe(out.invocation_id);
    expect(Object.keys(manifest.nodes)).toContain('model.slow_duck.c4');

    const log = await readFile(join(dir, 'log.txt'), 'utf8');
    expect(doneCounts(log)).toEqual({ pass: 4, warn: 0, error: 0, skip: 0, total: 4 });
    expect(log).toMatch(/^1 of 4 START model slow_duck\.c1 \.+ \[RUN\]$/m);
    expect(log).toMatch(/^4 of 4 OK model slow_duck\.c4 \.+ \[OK in \d+\.\d\ds\]$/m);
    for (const file of ['log.txt', 'manifest.json', 'run_results.json']) expect(await readFile(join(dir, file), 'utf8')).not.toContain('do-not-leak-42');
    const d = await describeRun(e2e.client.client.workflow.getHandle(res.workflowId));
    expect(d.sa['DbtStatus']).toBe('passed');
  });

  it('cancel_remaining lets running nodes finish and cancels the rest; the run reports it', async () => {
    const handle = await start({ command: 'run', select: 'tag:slow', env: env('stop', '20') });
    await waitForStatus(handle, (s) => s.running_nodes.includes('model:slow'), 'slow running');
    expect(await handle.executeUpdate(CANCEL_REMAINING_UPDATE)).toEqual({ cancelled: 1, running: 1 });
    const output = await failedOutput(handle);
    expect(output.node_results.map((r) => [r.unique_id, r.status])).toEqual([['model.slow_duck.slow', 'success'], ['model.slow_duck.after_slow', 'cancelled']]);
    const runResults = JSON.parse(await readFile(join(store, output.invocation_id, 'run_results.json'), 'utf8')) as { results: { status: string }[] };
    expect(runResults.results.map((r) => r.status)).toEqual(['success', 'skipped']);
    expect((await describeRun(handle)).sa['DbtStatus']).toBe('cancelled');
  });

  it('cancelling mid-run kills the dbt process, marks the nodes cancelled and ends the run as cancelled', async () => {
    const handle = await start({ command: 'run', select: 'tag:slow', env: env('cancel', '100000') });
    await waitForStatus(handle, (s) => s.running_nodes.includes('model:slow'), 'slow running');
    // The node's dbt process (its command line names the project dir) is alive now.
    await waitFor(async () => (await processesMentioning('fqn:slow_duck.slow,')).length > 0, 'dbt running');
    await handle.cancel();
    const err = await handle.result().then(() => null, (e: unknown) => e);
    expect((err as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
    const d = await describeRun(handle);
    expect(d.status).toBe('CANCELLED');
    expect((d.memo['node_status'] as { nodes: Record<string, string> }).nodes).toEqual({ 'model.slow_duck.slow': 'cancelled', 'model.slow_duck.after_slow': 'cancelled' });
    expect(d.sa['DbtStatus']).toBe('cancelled');
    // No run results for a cancelled run (the run's manifest.json may exist: it is stored at plan time).
    expect(await readdir(join(store, handle.firstExecutionRunId)).catch(() => [])).not.toContain('run_results.json');
    // The workflow waited for the activity's cancellation: no dbt process of the run is left.
    expect(await processesMentioning('fqn:slow_duck.slow,')).toEqual([]);
  });
});

async function waitFor(check: () => Promise<boolean>, what: string, limitMs = 60_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
