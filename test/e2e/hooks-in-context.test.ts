// Project hooks run in the run's context (warm mode): with an in-memory DuckDB profile, what
// on-run-start creates is there for the run's models and for on-run-end, as in one plain
// `dbt build` (same venv) — also when a node fails and when an on-run-end hook fails.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { statusMap } from '../support/client.js';
import { runPlainDbt } from '../support/dbt-oracle.js';
import { useE2eWorker } from '../support/e2e-worker.js';
import { REPO_ROOT } from '../support/paths.js';
import { hashTree } from '../support/tree-hash.js';

const PROJECT = `${REPO_ROOT}test/fixtures/hooks_memory`;
let treeBefore: string;

const sorted = (m: Map<string, string>): [string, string][] => [...m.entries()].sort(([a], [b]) => a.localeCompare(b));

// Registered before the worker's hooks, so it runs after the worker has stopped.
afterAll(async () => {
  // Neither side wrote into the project (no target/, logs/, .user.yml).
  expect(await hashTree([PROJECT])).toBe(treeBefore);
});

const e2e = useE2eWorker('hooks-ctx', async () => {
  treeBefore = await hashTree([PROJECT]);
  return { DBT_PROJECT_DIR: PROJECT, DBT_ENGINE_MODE: 'warm' };
});

/** Runs the fixture through the worker and through plain dbt; each exports its hooks' audit log. */
async function both(name: string, input: { select?: string; vars?: Record<string, unknown> }) {
  const oracleCsv = join(e2e.scratch, `${name}-oracle.csv`);
  const oursCsv = join(e2e.scratch, `${name}-ours.csv`);
  const args = ['build', ...(input.select ? ['--select', input.select] : []), '--vars', JSON.stringify({ ...input.vars, export_to: oracleCsv })];
  const oracle = await runPlainDbt(PROJECT, args, {});
  const res = await e2e.run({ ...(input.select ? { select: input.select } : {}), vars: { ...input.vars, export_to: oursCsv } });
  return { oracle, res, oracleLog: await readFile(oracleCsv, 'utf8'), oursLog: await readFile(oursCsv, 'utf8').catch((e: Error) => `missing: ${e.message}`) };
}

describe('project hooks in the run context', () => {
  it('keeps what on-run-start made in an in-memory database for the models and on-run-end, like plain dbt build', async () => {
    const { oracle, res, oracleLog, oursLog } = await both('ok', {});
    expect(oracle.exitCode).toBe(0);
    expect(res.ok, JSON.stringify(res.output?.node_results.filter((r) => !['success', 'pass'].includes(r.status)) ?? res.message)).toBe(true);
    // Same nodes and statuses, hook operations included; the model read on-run-start's table.
    expect(sorted(statusMap(res.output))).toEqual(sorted(oracle.statuses));
    expect(statusMap(res.output).get('model.hooks_memory.scaled')).toBe('success');
    // on-run-end saw on-run-start's rows, the run's results and selection, and the models' tables.
    expect(oursLog).toBe(oracleLog);
    expect(oursLog).toContain('result,test.hooks_memory.assert_scaled_by_factor,pass');
    expect(res.output?.hook_errors).toEqual([]);
  });

  it('runs on-run-end after a failed node, with its results, and reports a failing hook as plain dbt does', async () => {
    const { oracle, res, oracleLog, oursLog } = await both('fail', { select: 'scaled', vars: { break_model: true, fail_end: true } });
    expect(oracle.exitCode).toBe(1);
    expect(res.ok).toBe(false);
    expect(res.errorType).toBe('DbtRunFailed');
    expect(sorted(statusMap(res.output))).toEqual(sorted(oracle.statuses));
    expect(statusMap(res.output).get('operation.hooks_memory.hooks_memory-on-run-end-4')).toBe('error');
    expect(oursLog).toBe(oracleLog);
    expect(oursLog).toContain('result,model.hooks_memory.scaled,error');
    expect(res.output?.hook_errors.map((e) => e.event)).toEqual(['on_run_end']);
  });
});
