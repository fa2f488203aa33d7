// execute_node: runs one dbt node in the executor pool, heartbeating while it works.
import type { DbtCommand, JsonValue, NodeResult } from '../../shared/contracts.js';
import type { ExecutorTask } from '../../shared/executor-protocol.js';
import { exactSelector, executionFor } from '../planning/commands.js';
import { invocationFor } from '../projects/resolve-cache.js';
import { readArtifactRef } from './artifact-refs.js';
import { toFailure } from './deps.js';
import type { ActivityDeps } from './deps.js';
import { pickProject, runOnExecutor } from './executor-call.js';

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

export function createExecuteNodeActivity(deps: ActivityDeps) {
  return async function execute_node(input: ExecuteNodeInput): Promise<NodeResult> {
    const project = pickProject(deps, input.project);
    const node = project.graph.nodes.get(input.unique_id);
    if (!node) throw toFailure('INVALID_INPUT', `node ${input.unique_id} is not in project '${input.project}'`);

    const result = await runOnExecutor(deps, project, async (): Promise<ExecutorTask> => {
      const deferTo = input.defer_manifest_ref ? await readArtifactRef(deps, 'defer_manifest_ref', input.defer_manifest_ref) : null;
      const invocation = invocationFor(project, deps.defaults, { ...input, stateManifest: deferTo, defer: deferTo !== null });
      const selector = exactSelector(node, project.graph.projectName);
      const how = executionFor(input.command ?? 'build', node);
      return how.kind === 'freshness'
        ? { type: 'freshness', invocation, uniqueId: node.unique_id, selector }
        : { type: 'node', invocation, uniqueId: node.unique_id, subcommand: how.subcommand, selector, fullRefresh: input.full_refresh };
    });
    if (result.type === 'error') {
      deps.duckdbConflicts?.note(result.message);
      // dbt_temporal.yml non_retryable_errors turn a retryable error permanent.
      const permanent = project.settings.nonRetryableErrors.some((re) => re.test(result.message));
      throw toFailure(result.code, result.message, result.result ? [result.result] : [], permanent);
    }
    if (result.type !== 'node') throw new Error(`unexpected executor result ${result.type}`);
    return result.result;
  };
}
