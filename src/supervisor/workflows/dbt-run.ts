// The `dbt_run` workflow: plan with dbt's own selection, then run every node as an activity
// as soon as its upstream nodes are done; failures skip everything downstream, as in dbt.
import { ActivityFailure, ApplicationFailure, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { DbtRunInput, DbtRunOutput, NodeResult } from '../../shared/contracts.js';
import { parseRunInput } from '../../shared/input.js';
import type { RunRequest } from '../../shared/input.js';
import { RUN_FAILED_ERROR_TYPE, isFailureStatus } from '../../shared/names.js';
import { nodeLabel } from '../../shared/plan.js';
import type { ExecutionPlan, PlanNode } from '../../shared/plan.js';
import { DagScheduler } from '../../shared/scheduler.js';
import type { Activities } from '../activities/index.js';
import { runNode, syntheticResult } from './node-runner.js';

const { plan_project } = proxyActivities<Activities>({
  startToCloseTimeout: '10 minutes',
  retry: { maximumAttempts: 3, initialInterval: '2 seconds' },
});

function validate(raw: DbtRunInput | undefined): RunRequest {
  try {
    return parseRunInput(raw);
  } catch (err) {
    throw ApplicationFailure.create({ type: 'INVALID_INPUT', message: (err as Error).message, nonRetryable: true });
  }
}

async function plan(request: RunRequest): Promise<ExecutionPlan> {
  try {
    return await plan_project({ request });
  } catch (err) {
    // Surface the planning error itself (bad selector, unknown project) as the run's failure.
    const cause = err instanceof ActivityFailure ? err.cause : undefined;
    if (cause instanceof ApplicationFailure) {
      throw ApplicationFailure.create({ type: cause.type ?? 'PLAN_FAILED', message: cause.message, nonRetryable: true });
    }
    throw err;
  }
}

/** Unique activity ids: `<resource_type>:<name>`, suffixed only on a name clash. */
function activityIds(nodes: readonly PlanNode[]): Map<string, string> {
  const used = new Map<string, number>();
  const out = new Map<string, string>();
  for (const node of nodes) {
    const label = nodeLabel(node);
    const n = (used.get(label) ?? 0) + 1;
    used.set(label, n);
    out.set(node.unique_id, n === 1 ? label : `${label}#${n}`);
  }
  return out;
}

export async function dbt_run(raw?: DbtRunInput): Promise<DbtRunOutput> {
  const request = validate(raw);
  const started = Date.now();
  const executionPlan = await plan(request);
  const ids = activityIds(executionPlan.nodes);
  const scheduler = new DagScheduler(executionPlan.nodes);
  const results: NodeResult[] = [];
  const inflight = new Map<string, Promise<void>>();
  let failFastTriggered = false;

  const record = (result: NodeResult): void => {
    results.push(result);
    scheduler.complete(result.unique_id, result.status);
    if (isFailureStatus(result.status) && request.fail_fast) failFastTriggered = true;
  };

  const launchReady = (): void => {
    for (let ready = scheduler.takeReady(); ready.length > 0; ready = scheduler.takeReady()) {
      for (const node of ready) {
        if (scheduler.isBlocked(node.unique_id)) {
          record(syntheticResult(node.unique_id, 'skipped', 'skipped: upstream dependency failed'));
        } else if (failFastTriggered) {
          record(syntheticResult(node.unique_id, 'skipped', 'skipped due to fail_fast'));
        } else {
          const input = {
            project: executionPlan.project,
            unique_id: node.unique_id,
            target: request.target,
            vars: request.vars,
            env: request.env,
            full_refresh: request.full_refresh,
          };
          const job = runNode(node, ids.get(node.unique_id) as string, input).then((result) => {
            inflight.delete(node.unique_id);
            record(result);
          });
          inflight.set(node.unique_id, job);
        }
      }
    }
  };

  launchReady();
  while (inflight.size > 0) {
    await Promise.race(inflight.values());
    launchReady();
  }

  const failed = results.filter((r) => isFailureStatus(r.status));
  const output: DbtRunOutput = {
    invocation_id: workflowInfo().firstExecutionRunId,
    project: executionPlan.project,
    command: request.command,
    success: failed.length === 0,
    skipped: false,
    node_results: results,
    elapsed_time: (Date.now() - started) / 1000,
    artifacts: null,
    log_path: null,
    hook_errors: [],
  };
  if (failed.length > 0) {
    throw ApplicationFailure.create({
      type: RUN_FAILED_ERROR_TYPE,
      message: `dbt run failed: ${failed.length} node(s) errored or failed: ${failed.map((r) => r.unique_id).join(', ')}`,
      nonRetryable: true,
      details: [output],
    });
  }
  return output;
}
