// Failure classification against a real PostgreSQL: a warehouse that goes down and comes back is
// retried until the node succeeds; a SQL syntax error and a denied schema are attempted exactly once.
import { describe, expect, it } from 'vitest';
import { useE2eWorker } from '../support/e2e-worker.js';
import { readHistory } from '../support/history.js';
import { PARITY_FAILING, parityWorkerEnv } from '../support/parity-fixtures.js';
import { usePostgres } from '../support/use-postgres.js';

// Before the worker's hooks, so it is up before the worker starts and closed after it stops.
const pg = usePostgres();

const e2e = useE2eWorker('transient-pg', () => parityWorkerEnv([PARITY_FAILING]));

/** Polls until `check` holds (the workflow's pending activities, a query...), bounded. */
async function until(what: string, check: () => Promise<boolean>, timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('transient and permanent warehouse failures', () => {
  it('retries a node while Postgres is down and succeeds once it is back', async () => {
    const schema = pg.freshSchema('transient');
    await pg.stop();
    let restarted = false;
    try {
      const handle = await e2e.client.client.workflow.start('dbt_run', {
        taskQueue: e2e.worker.taskQueue, workflowId: `transient-${schema}`,
        args: [{ project: 'parity_failing', command: 'seed', target: 'pg', env: pg.env(schema) }],
      });
      // Bring the warehouse back only after the seed's first attempt failed on it.
      await until('a failed first attempt of the seed', async () => {
        const desc = await e2e.client.client.workflowService.describeWorkflowExecution({ namespace: 'default', execution: { workflowId: handle.workflowId } });
        if (desc.workflowExecutionInfo?.closeTime) return true; // closed: result() below tells why
        return (desc.pendingActivities ?? []).some((p) => (p.attempt ?? 0) >= 2 || p.lastFailure != null);
      });
      await pg.start();
      restarted = true;
      const res = await e2e.run({ project: 'parity_failing', command: 'list' }); // the worker still serves others
      expect(res.ok).toBe(true);
      const output = await handle.result() as { node_results: { unique_id: string; status: string }[] };
      expect(output.node_results.map((r) => [r.unique_id, r.status])).toEqual([['seed.parity_failing.raw_items', 'success']]);
      const { activities } = await readHistory(e2e.client, handle.workflowId);
      const seed = activities.find((a) => a.activityId === 'seed:raw_items');
      expect(seed?.outcome).toBe('completed');
      // The warehouse was down when the seed (or the run's hooks before it) first reached it.
      expect(activities.filter((a) => a.attempt > 1).map((a) => a.outcome)).toContain('completed');
      expect(seed?.attempt, `attempts: ${JSON.stringify(activities.map((a) => [a.activityId, a.attempt]))}`).toBeGreaterThan(1);
      expect(await pg.query(`select count(*) from "${schema}".raw_items`)).toEqual([[4]]);
    } finally {
      if (!restarted) await pg.start();
    }
  }, 600_000);

  /** Runs one model that fails for good: the run fails, its node errored once, with `message`. */
  async function failsOnce(model: string, env: Record<string, string>, message: RegExp): Promise<void> {
    const res = await e2e.run({ project: 'parity_failing', command: 'run', select: model, target: 'pg', env });
    expect(res.ok).toBe(false);
    expect(res.output?.node_results.map((r) => [r.unique_id, r.status])).toEqual([[`model.parity_failing.${model}`, 'error']]);
    expect(res.output?.node_results[0]?.message).toMatch(message);
    const node = (await readHistory(e2e.client, res.workflowId)).activities.find((a) => a.activityId === `model:${model}`);
    expect(node?.attempt).toBe(1);
  }

  it('attempts a SQL syntax error once and fails the run', async () => {
    await failsOnce('bad_syntax', pg.env(pg.freshSchema('syntax')), /syntax error/i);
  }, 600_000);

  it("attempts a node once when the warehouse denies the run its schema (dbt's database error, not an engine fault)", async () => {
    const schema = pg.freshSchema('denied');
    const role = `reader_${schema.split('_')[1]}`;
    await pg.query(`create role ${role} login password 'reader-pw'`);
    // The role may connect but not create the run's schema: dbt's DatabaseError when the node needs it.
    await failsOnce('independent', { ...pg.env(schema), PARITY_PG_USER: role, PARITY_PG_PASSWORD: 'reader-pw' }, /permission denied/i);
  }, 600_000);
});
