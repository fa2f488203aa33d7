// Stand-ins for the worker's whole activity set (typed by `Activities`, so a renamed activity or a
// changed signature breaks the build): a canned plan, canned node results, and a record of every
// call, for tests that run the real dbt_run workflow without dbt.
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { NodeResult, NodeStatus } from '../../src/shared/contracts.js';
import type { ExecuteNodeInput } from '../../src/shared/node-contract.js';
import { RUN_STATUS_QUERY } from '../../src/shared/run-status.js';
import type { RunStatus } from '../../src/shared/run-status.js';
import type { ExecutionPlan, PlanNode } from '../../src/shared/plan.js';
import type { Activities } from '../../src/supervisor/activities/index.js';
import type { PlanProjectInput } from '../../src/supervisor/activities/plan-project.js';
import type { RunProjectHooksInput } from '../../src/supervisor/activities/run-project-hooks.js';
import type { StoreArtifactsInput } from '../../src/supervisor/activities/store-artifacts.js';
import { createAcquireLeaseActivity } from '../../src/supervisor/activities/acquire-lease.js';

export const STUB_PROJECT = 'stub_duck';

/** A plan node `<type>.stub_duck.<name>` that depends on `parents`. */
export function planNode(type: string, name: string, parents: readonly PlanNode[] = []): PlanNode {
  return { unique_id: `${type}.${STUB_PROJECT}.${name}`, name, resource_type: type, depends_on: parents.map((p) => p.unique_id) };
}

/** A `build` plan of `nodes` (already in topological order), with or without project hooks. */
export function planOf(nodes: PlanNode[], hooks: { start: boolean; end: boolean } = { start: false, end: false }): ExecutionPlan {
  return { project: STUB_PROJECT, command: 'build', target: 'dev', nodes, has_on_run_start: hooks.start, has_on_run_end: hooks.end, manifest_path: null, warehouse: null };
}

/** A node result as execute_node returns it. */
export function nodeResult(uniqueId: string, status: NodeStatus, message: string | null = null): NodeResult {
  const at = new Date().toISOString();
  return {
    unique_id: uniqueId, status, execution_time: 0.01, message, adapter_response: {}, compiled_code: null,
    timing: [{ name: 'execute', started_at: at, completed_at: at }], failures: status === 'pass' ? 0 : null,
  };
}

/** How one stubbed node behaves; by default it succeeds (`pass` for tests) at once. */
export interface NodeScript {
  /** dbt's status in the returned result. */
  status?: NodeStatus;
  /** Throw a non-retryable ApplicationFailure instead; `withResult` puts the node's `error` result in its details, as execute_node does. */
  fail?: { type: string; message: string; withResult?: boolean };
  /** Awaited before the node finishes (another node's start, the workflow's state). */
  before?: () => Promise<void>;
}

/** What the workflow asked of the stubs. */
export interface StubCalls {
  /** `start <id>` / `end <id>` of execute_node, `hooks start|end`, `store`, `release`, in the order they happened. */
  log: string[];
  nodeInputs: ExecuteNodeInput[];
  /** Workflow executions (run ids) that scheduled execute_node: more than one after continue-as-new. */
  nodeRunIds: Set<string>;
  maxConcurrent: number;
  plans: PlanProjectInput[];
  hooks: RunProjectHooksInput[];
  stored: StoreArtifactsInput[];
  released: string[];
  /** Resolves once execute_node started for `uniqueId`. */
  started(uniqueId: string): Promise<void>;
}

/** The result run_project_hooks reports for the project's one hook of `phase`. */
export function hookResult(phase: 'start' | 'end', status: NodeStatus = 'success'): NodeResult {
  return nodeResult(`operation.${STUB_PROJECT}.${STUB_PROJECT}-on-run-${phase}-0`, status, status === 'success' ? 'OK' : `Database Error in on-run-${phase}`);
}

export interface StubOptions {
  /** Status of the project's hook per phase. @default success */
  hookStatus?: Partial<Record<'start' | 'end', NodeStatus>>;
}

/** Stub activities serving `plan`; nodes behave as `scripts` says (by unique id). */
export function createStubActivities(plan: ExecutionPlan, scripts: Record<string, NodeScript> = {}, options: StubOptions = {}): { activities: Activities; calls: StubCalls } {
  const waiters = new Map<string, () => void>();
  const starts = new Map<string, Promise<void>>();
  const startedPromise = (id: string): Promise<void> => {
    let p = starts.get(id);
    if (!p) {
      p = new Promise<void>((resolve) => waiters.set(id, resolve));
      starts.set(id, p);
    }
    return p;
  };
  let running = 0;
  const calls: StubCalls = {
    log: [], nodeInputs: [], nodeRunIds: new Set(), maxConcurrent: 0, plans: [], hooks: [], stored: [], released: [], started: startedPromise,
  };

  const activities: Activities = {
    // Artifacts on (store_artifacts runs), no search attributes (nothing to upsert).
    async resolve_config() {
      return { artifacts_enabled: true, priority_scheduling: false, write_catalog: false, search_attributes: [], static_search_attributes: {} };
    },
    async plan_project(input) {
      calls.plans.push(input);
      return plan;
    },
    async run_project_hooks(input) {
      calls.hooks.push(input);
      calls.log.push(`hooks ${input.phase}`);
      return { hooks: [hookResult(input.phase, options.hookStatus?.[input.phase])] };
    },
    async execute_node(input) {
      const id = input.unique_id;
      calls.nodeInputs.push(input);
      calls.nodeRunIds.add(Context.current().info.workflowExecution?.runId ?? 'none');
      calls.log.push(`start ${id}`);
      calls.maxConcurrent = Math.max(calls.maxConcurrent, ++running);
      void startedPromise(id);
      waiters.get(id)?.();
      const script = scripts[id] ?? {};
      try {
        await script.before?.();
      } finally {
        running -= 1;
        calls.log.push(`end ${id}`);
      }
      if (script.fail) {
        const details = script.fail.withResult ? [nodeResult(id, 'error', script.fail.message)] : [];
        throw ApplicationFailure.create({ type: script.fail.type, message: script.fail.message, nonRetryable: true, details });
      }
      const status = script.status ?? (id.startsWith('test.') ? 'pass' : 'success');
      return nodeResult(id, status, status === 'error' ? `Runtime Error in ${id}` : 'OK');
    },
    async store_artifacts(input) {
      calls.stored.push(input);
      calls.log.push('store');
      return { run_results_path: `stub://${input.invocation_id}/run_results.json`, manifest_path: `stub://${input.invocation_id}/manifest.json`, log_path: null, catalog_path: null };
    },
    async generate_catalog(input) {
      return { catalog_path: `stub://${input.invocation_id}/catalog.json` };
    },
    async release_run({ invocation_id }) {
      calls.released.push(invocation_id);
      calls.log.push('release');
    },
    // The real one: it only asks a dbt_lease workflow on the same server.
    acquire_lease: createAcquireLeaseActivity(),
  };
  return { activities, calls };
}

/** Position of `entry` in the call log (-1 when absent). */
export function at(calls: StubCalls, entry: string): number {
  return calls.log.indexOf(entry);
}

/** Inside a stub: waits until the run that scheduled it reports `failed` nodes (its run_status query). */
export async function untilRunReportsFailures(failed: number, timeoutMs = 30_000): Promise<void> {
  const ctx = Context.current();
  const execution = ctx.info.workflowExecution;
  if (!execution) throw new Error('untilRunReportsFailures needs an activity scheduled by a workflow');
  const { workflowId, runId } = execution;
  const handle = ctx.client.workflow.getHandle(workflowId, runId);
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await new Promise((r) => setTimeout(r, 50))) {
    if ((await handle.query<RunStatus>(RUN_STATUS_QUERY)).failed >= failed) return;
  }
  throw new Error(`the run did not report ${failed} failed node(s) within ${timeoutMs} ms`);
}
