// Worker deployment versioning (TEMPORAL_DEPLOYMENT_NAME): runs are pinned to the version that
// started them, so a run started on version 1 finishes on version-1 workers after version 2
// becomes current, while new runs go to version 2.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DbtRunOutput } from '../../src/shared/contracts.js';
import { WORKFLOW_TYPE } from '../../src/shared/names.js';
import { useE2eWorker } from '../support/e2e-worker.js';
import { SLOW_PROJECT, waitForStatus } from './observability-support.js';

const DEPLOYMENT = `dbt-vtest-${randomUUID().slice(0, 8)}`;
const QUEUE = `versioned-${randomUUID().slice(0, 8)}`;

// Version 1 is the file's worker; version 2 starts once version 1 is current.
const e2e = useE2eWorker('versioning', () => ({ DBT_PROJECT_DIR: SLOW_PROJECT, TEMPORAL_TASK_QUEUE: QUEUE, TEMPORAL_DEPLOYMENT_NAME: DEPLOYMENT, TEMPORAL_BUILD_ID: 'v1' }));

/** Makes a build id current; retried until the server has seen the version's pollers. */
async function setCurrent(buildId: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      await e2e.client.client.workflowService.setWorkerDeploymentCurrentVersion({ namespace: 'default', deploymentName: DEPLOYMENT, buildId, identity: 'versioning-test' });
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

/** Build ids of the run's workflow tasks and the identities that ran its activities. */
async function whoRan(workflowId: string): Promise<{ builds: Set<string>; activityWorkers: Set<string>; taskWorkers: Set<string> }> {
  const history = await e2e.client.client.workflow.getHandle(workflowId).fetchHistory();
  const builds = new Set<string>();
  const activityWorkers = new Set<string>();
  const taskWorkers = new Set<string>();
  for (const e of history.events ?? []) {
    const wft = e.workflowTaskCompletedEventAttributes;
    if (wft) {
      builds.add(wft.deploymentVersion?.buildId ?? '(none)');
      taskWorkers.add(wft.identity ?? '');
    }
    if (e.activityTaskStartedEventAttributes) activityWorkers.add(e.activityTaskStartedEventAttributes.identity ?? '');
  }
  return { builds, activityWorkers, taskWorkers };
}

beforeAll(async () => {
  await setCurrent('v1');
  await e2e.startAnother({ ...e2e.settings, TEMPORAL_BUILD_ID: 'v2' });
});

describe('worker deployment versioning', () => {
  it('finishes a run on the version that started it after a new version becomes current', async () => {
    const env = (name: string, k: string) => ({ SLOW_DUCKDB_PATH: join(e2e.scratch, `${name}.duckdb`), SLOW_ROWS_K: k });
    const old = await e2e.client.client.workflow.start(WORKFLOW_TYPE, { taskQueue: QUEUE, workflowId: `v1-run-${randomUUID()}`, args: [{ command: 'run', select: 'slow+', env: env('old', '4') }] });
    await waitForStatus(old, (s) => s.running_nodes.includes('model:slow'), 'slow running on v1');

    // Version 2 becomes current while the old run's first node is still running.
    await setCurrent('v2');
    const fresh = await e2e.client.run(QUEUE, { command: 'run', select: 'c1', env: env('new', '1') });
    expect(fresh.ok, fresh.message ?? '').toBe(true);

    const output = (await old.result()) as DbtRunOutput;
    // after_slow was scheduled after the switch, and still ran on version 1.
    expect(output.node_results.map((r) => [r.unique_id, r.status])).toEqual([['model.slow_duck.slow', 'success'], ['model.slow_duck.after_slow', 'success']]);
    const oldRan = await whoRan(old.workflowId);
    const newRan = await whoRan(fresh.workflowId);
    expect(oldRan.builds).toEqual(new Set(['v1']));
    expect(newRan.builds).toEqual(new Set(['v2']));
    // One worker process per version: activities ran where the version's workflow tasks did.
    expect(oldRan.activityWorkers).toEqual(oldRan.taskWorkers);
    expect(newRan.activityWorkers).toEqual(newRan.taskWorkers);
    expect([...oldRan.taskWorkers].some((w) => newRan.taskWorkers.has(w))).toBe(false);

    const described = await e2e.client.client.workflowService.describeWorkflowExecution({ namespace: 'default', execution: { workflowId: old.workflowId } });
    const info = described.workflowExecutionInfo?.versioningInfo;
    expect(info?.behavior).toBe(1); // VERSIONING_BEHAVIOR_PINNED
    expect(info?.deploymentVersion?.buildId).toBe('v1');
  });
});
