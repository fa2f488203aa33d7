// dbt's project hooks run once per run (not once per node), with dbt's context: `results` in
// on-run-end, and the run's invocation_id, which is also what every node sees.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { statusMap } from '../support/client.js';
import { runPlainDbt } from '../support/dbt-oracle.js';
import { queryDuckDb } from '../support/duckdb.js';
import { useE2eWorker } from '../support/e2e-worker.js';
import { REPO_ROOT } from '../support/paths.js';

const PROJECT = `${REPO_ROOT}test/fixtures/hooks_duck`;
const e2e = useE2eWorker('hooks', () => ({ DBT_PROJECT_DIR: PROJECT }));

describe('project hooks', () => {
  it('runs on-run-start and on-run-end once per run, like plain dbt build', async () => {
    const oracleDb = join(e2e.scratch, 'oracle.duckdb');
    const oursDb = join(e2e.scratch, 'ours.duckdb');
    const oracle = await runPlainDbt(PROJECT, ['build'], { HOOKS_DUCKDB_PATH: oracleDb });
    expect(oracle.exitCode).toBe(0);
    const res = await e2e.run({ env: { HOOKS_DUCKDB_PATH: oursDb } });
    expect(res.ok, res.message ?? '').toBe(true);
    const inv = res.output?.invocation_id as string;

    // Same nodes and statuses as dbt's run_results.json, hook operations included.
    expect([...statusMap(res.output)].sort()).toEqual([...oracle.statuses].sort());

    const audit = await queryDuckDb(oursDb, "select phase, n, inv from hook_audit order by phase");
    const oracleAudit = await queryDuckDb(oracleDb, "select phase, n from hook_audit order by phase");
    // One start and one end row (not one per node); on-run-end saw every node's result.
    expect(audit.map(([phase, n]) => [phase, n])).toEqual(oracleAudit);
    expect(audit.filter(([phase]) => phase === 'start' || phase === 'end').map(([, , i]) => i)).toEqual([inv, inv]);
    // Every node saw the run's invocation id.
    expect(await queryDuckDb(oursDb, 'select distinct inv from second')).toEqual([[inv]]);
  });

  it('reports a failing on-run-end hook as dbt does: the nodes keep their status, the run fails', async () => {
    const oracle = await runPlainDbt(PROJECT, ['build', '--vars', '{"fail_end": true}'], { HOOKS_DUCKDB_PATH: join(e2e.scratch, 'o-fail.duckdb') });
    expect(oracle.exitCode).toBe(1);
    const res = await e2e.run({ vars: { fail_end: true }, env: { HOOKS_DUCKDB_PATH: join(e2e.scratch, 'fail.duckdb') } });
    expect(res.ok).toBe(false);
    expect(res.errorType).toBe('DbtRunFailed');
    expect([...statusMap(res.output)].sort()).toEqual([...oracle.statuses].sort());
    expect(res.output?.hook_errors.map((e) => e.event)).toEqual(['on_run_end']);
  });
});
