// kill -9 of a worker mid-run, then a new worker, all with default settings: the in-flight node
// times out on its heartbeat and reruns on the new worker, the run completes with every node
// exactly once within 90 s of the restart, and the new worker sweeps the dead one's scratch.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { WORKFLOW_TYPE } from '../../src/shared/names.js';
import type { DbtRunOutput } from '../../src/shared/contracts.js';
import type { RunStatus } from '../../src/shared/run-status.js';
import { connectClient } from '../support/client.js';
import type { TestClient } from '../support/client.js';
import { readHistory } from '../support/history.js';
import { isAlive, spawnWorker, tempDir, waitFor } from './operations-support.js';
import type { SpawnedWorker } from './operations-support.js';

const MODELS = 8;
const RECOVERY_BOUND_MS = 90_000;

/** `crash_duck`: a chain of Python models that each sleep 2 s (one DuckDB file: one at a time). */
function writeCrashProject(dir: string): string {
  mkdirSync(join(dir, 'models'), { recursive: true });
  writeFileSync(join(dir, 'dbt_project.yml'), 'name: crash_duck\nversion: "1.0"\nprofile: crash_duck\n');
  writeFileSync(join(dir, 'profiles.yml'), [
    'crash_duck:', '  target: dev', '  outputs:', '    dev:', '      type: duckdb', `      path: "{{ env_var('CRASH_DUCKDB_PATH') }}"`, '      threads: 1', '',
  ].join('\n'));
  for (let i = 0; i < MODELS; i++) {
    const upstream = i === 0 ? '' : `    dbt.ref("m${i - 1}")\n`;
    writeFileSync(join(dir, `models/m${i}.py`), `import time\n\ndef model(dbt, session):\n    dbt.config(materialized="table")\n${upstream}    time.sleep(2)\n    return session.sql("select ${i} as id")\n`);
  }
  return dir;
}

describe('crash recovery with default settings', () => {
  const dir = tempDir('crash-recovery-');
  const workerTmp = join(dir, 'tmp');
  mkdirSync(workerTmp);
  const projectDir = writeCrashProject(join(dir, 'project'));
  const taskQueue = `crash-${process.pid}`;
  const env = { TEMPORAL_ADDRESS: inject('temporalAddress'), TEMPORAL_TASK_QUEUE: taskQueue, DBT_PROJECT_DIR: projectDir, CRASH_DUCKDB_PATH: join(dir, 'crash.duckdb'), TMPDIR: workerTmp };
  let client: TestClient;
  let second: SpawnedWorker | undefined;

  afterAll(async () => {
    second?.signal('SIGTERM');
    await second?.exited;
    await client?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reruns the killed worker\'s in-flight node elsewhere and completes every node once', async () => {
    client = await connectClient(inject('temporalAddress'));
    const first = spawnWorker(env);
    await first.waitForLog('worker connected');
    const workflowId = `crash-${Date.now()}`;
    const handle = await client.client.workflow.start(WORKFLOW_TYPE, { taskQueue, workflowId, args: [{ command: 'run' }] });

    // Kill while a node runs, after some have finished.
    await waitFor(async () => {
      const s = await handle.query<RunStatus>('run_status');
      return s.succeeded >= 3 && s.running > 0 ? true : undefined;
    }, 250);
    const deadPid = first.pid;
    first.signal('SIGKILL');
    await first.exited;
    // The killed worker and its engines (they die with it) leave their scratch behind: a run
    // context's dir is named after its engine's pid, a task's after the worker's.
    const leftovers = await waitFor(() => {
      const dead = readdirSync(workerTmp).filter((n) => {
        const pid = /^dbtt-[a-z]+-(\d+)-/.exec(n)?.[1];
        return pid !== undefined && (Number(pid) === deadPid || !isAlive(Number(pid)));
      });
      return dead.length > 0 ? dead : undefined;
    }, 100);
    expect(leftovers.length).toBeGreaterThan(0);

    const restartedAt = Date.now();
    second = spawnWorker(env);
    const output = (await handle.result()) as DbtRunOutput;
    const recoveryMs = Date.now() - restartedAt;
    process.stdout.write(`crash-recovery: run completed ${(recoveryMs / 1000).toFixed(1)} s after the restart\n`);
    expect(recoveryMs).toBeLessThan(RECOVERY_BOUND_MS);

    expect(output.success).toBe(true);
    const ids = output.node_results.map((r) => r.unique_id).sort();
    expect(ids).toEqual(Array.from({ length: MODELS }, (_, i) => `model.crash_duck.m${i}`).sort());
    expect(output.node_results.every((r) => r.status === 'success')).toBe(true);
    // One activity per node, each completed once (the killed attempt timed out and was retried).
    const nodes = (await readHistory(client, workflowId)).activities.filter((a) => a.activityType === 'execute_node');
    expect(nodes.map((a) => a.activityId).sort()).toEqual(Array.from({ length: MODELS }, (_, i) => `model:m${i}`).sort());
    expect(nodes.every((a) => a.outcome === 'completed')).toBe(true);
    expect(nodes.some((a) => a.attempt > 1)).toBe(true);

    // The new worker removed the dead worker's scratch at start-up.
    expect(readdirSync(workerTmp).filter((n) => leftovers.includes(n))).toEqual([]);
    expect(second.logs()).toContain('removed scratch of dead processes');
  });
});
