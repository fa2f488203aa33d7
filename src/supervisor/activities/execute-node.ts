// execute_node: runs one dbt node in the executor pool, heartbeating while it works.
import { Context } from '@temporalio/activity';
import type { DbtCommand, JsonValue, NodeResult } from '../../shared/contracts.js';
import type { ExecutorTask } from '../../shared/executor-protocol.js';
import { exactSelector, executionFor } from '../planning/commands.js';
import { invocationFor } from '../projects/resolve-cache.js';
import { readArtifactRef } from './artifact-refs.js';
import { rethrowCoded, toFailure } from './deps.js';
import type { ActivityDeps } from './deps.js';

export interface ExecuteNodeInput {
  project: string;
  unique_id: string;
  target: string | null;
  vars: Record<string, JsonValue>;
  env: Record<string, string>;
  full_refresh: boolean;
  /** The run's command (how the node executes: build, compile, source freshness). @default build */
  command?: DbtCommand;
  /** Artifact-store ref of a manifest to defer to (dbt --defer --state). */
  defer_manifest_ref?: string | null;
  /** The run's invocation id (what dbt reports as `invocation_id`). */
  invocation_id?: string;
  /** Microbatch window (RFC 3339). */
  event_time_start?: string | null;
  event_time_end?: string | null;
}

const HEARTBEAT_INTERVAL_MS = 5_000;

export function createExecuteNodeActivity(deps: ActivityDeps) {
  return async function execute_node(input: ExecuteNodeInput): Promise<NodeResult> {
    let project;
    try {
      project = deps.cache.pick(input.project);
    } catch (err) {
      rethrowCoded(err);
    }
    const node = project.graph.nodes.get(input.unique_id);
    if (!node) throw toFailure('INVALID_INPUT', `node ${input.unique_id} is not in project '${input.project}'`);

    const ctx = Context.current();
    ctx.heartbeat();
    const timer = setInterval(() => ctx.heartbeat(), HEARTBEAT_INTERVAL_MS);
    try {
      const deferTo = input.defer_manifest_ref ? await readArtifactRef(deps, 'defer_manifest_ref', input.defer_manifest_ref) : null;
      const invocation = invocationFor(project, deps.defaults, { ...input, stateManifest: deferTo, defer: deferTo !== null });
      const selector = exactSelector(node, project.graph.projectName);
      const how = executionFor(input.command ?? 'build', node);
      const task: ExecutorTask = how.kind === 'freshness'
        ? { type: 'freshness', invocation, uniqueId: node.unique_id, selector }
        : { type: 'node', invocation, uniqueId: node.unique_id, subcommand: how.subcommand, selector, fullRefresh: input.full_refresh };
      const result = await deps.executor.run(
        task,
        { signal: ctx.cancellationSignal, exclusiveKey: project.graph.adapterType === 'duckdb' ? 'duckdb' : null },
      );
      if (result.type === 'error') {
        // dbt_temporal.yml non_retryable_errors turn a retryable error permanent.
        const permanent = project.settings.nonRetryableErrors.some((re) => re.test(result.message));
        throw toFailure(result.code, result.message, result.result ? [result.result] : [], permanent);
      }
      if (result.type !== 'node') throw new Error(`unexpected executor result ${result.type}`);
      return result.result;
    } finally {
      clearInterval(timer);
    }
  };
}
