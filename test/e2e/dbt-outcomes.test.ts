// dbt's own outcomes, with plain dbt as the oracle (DuckDB): a microbatch model ending in
// `partial success` fails the run and skips its children (CLI exit 1); exposures report `no-op`;
// a lone event_time bound is refused before anything runs (CLI exit 2).
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DbtRunOutput } from '../../src/shared/contracts.js';
import { statusMap } from '../support/client.js';
import { runPlainDbt } from '../support/dbt-oracle.js';
import { useE2eWorker } from '../support/e2e-worker.js';
import { readHistory } from '../support/history.js';
import { REPO_ROOT } from '../support/paths.js';
import { runCli } from '../support/worker-process.js';

const PROJECT = `${REPO_ROOT}test/fixtures/outcomes_duck`;
const WINDOW = { event_time_start: '2026-01-01T00:00:00Z', event_time_end: '2026-01-04T00:00:00Z' };
const DBT_WINDOW = ['--event-time-start', '2026-01-01', '--event-time-end', '2026-01-04'];
const e2e = useE2eWorker('outcomes', () => ({ DBT_PROJECT_DIR: PROJECT }));

/** `dbt-temporal run --json` on our worker: its exit code and the DbtRunOutput (or the rejection). */
async function cliRun(input: Record<string, unknown>) {
  const r = await runCli(['run', '--json', '--task-queue', e2e.worker.taskQueue, '--workflow-id', `outcomes-${randomUUID().slice(0, 8)}`, '--input', JSON.stringify(input)],
    { ...process.env, TEMPORAL_ADDRESS: e2e.address });
  return { exitCode: r.exitCode, json: JSON.parse(r.stdout) as DbtRunOutput & { error?: { type: string } }, stderr: r.stderr };
}

describe("dbt's outcomes", () => {
  it('reports exposures as dbt build does: no-op, no work, counted in TOTAL', async () => {
    const oracle = await runPlainDbt(PROJECT, ['build', ...DBT_WINDOW], { OUTCOMES_DUCKDB_PATH: join(e2e.scratch, 'o-ok.duckdb') });
    expect(oracle.exitCode).toBe(0);
    const ours = await cliRun({ ...WINDOW, env: { OUTCOMES_DUCKDB_PATH: join(e2e.scratch, 'ok.duckdb') } });
    expect(ours.exitCode, ours.stderr).toBe(0);
    expect([...statusMap(ours.json)].sort()).toEqual([...oracle.statuses].sort());
    const exposure = ours.json.node_results.find((r) => r.unique_id === 'exposure.outcomes_duck.events_dashboard');
    expect(exposure).toMatchObject({ status: 'no-op', message: 'NO-OP', adapter_response: {}, failures: 0, compiled_code: null, execution_time: 0 });
    expect(exposure?.timing.map((t) => t.name)).toEqual(['compile', 'execute']);
    expect(oracle.output).toMatch(/Done\. PASS=3 WARN=0 ERROR=0 SKIP=0 NO-OP=2 TOTAL=5/);
  });

  it('fails a run whose microbatch model ends in partial success and skips its children, like plain dbt', async () => {
    const vars = { fail_batch: true };
    const oracle = await runPlainDbt(PROJECT, ['build', '--vars', JSON.stringify(vars), ...DBT_WINDOW], { OUTCOMES_DUCKDB_PATH: join(e2e.scratch, 'o-partial.duckdb') });
    expect(oracle.exitCode).toBe(1);
    expect(oracle.statuses.get('model.outcomes_duck.daily')).toBe('partial success');
    const ours = await cliRun({ ...WINDOW, vars, env: { OUTCOMES_DUCKDB_PATH: join(e2e.scratch, 'partial.duckdb') } });
    expect(ours.exitCode).toBe(1);
    expect(ours.json.success).toBe(false);
    expect([...statusMap(ours.json)].sort()).toEqual([...oracle.statuses].sort());
  });

  it('refuses a lone event_time_start before anything runs, as plain dbt does', async () => {
    const oracle = await runPlainDbt(PROJECT, ['build', '--event-time-start', '2026-01-01'], { OUTCOMES_DUCKDB_PATH: join(e2e.scratch, 'o-lone.duckdb') });
    expect(oracle.exitCode).toBe(2);
    const ours = await cliRun({ event_time_start: WINDOW.event_time_start });
    expect(ours.exitCode).toBe(2);
    expect(ours.json.error?.type).toBe('INVALID_INPUT');
    const res = await e2e.run({ event_time_start: WINDOW.event_time_start });
    expect(res.errorType).toBe('INVALID_INPUT');
    expect(res.message).toMatch(/event_time_start requires input\.event_time_end/);
    expect((await readHistory(e2e.client, res.workflowId)).activities).toEqual([]);
  });
});
