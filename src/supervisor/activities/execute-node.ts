// execute_node: runs one dbt node in the executor pool, heartbeating while it works.
import { Context } from '@temporalio/activity';
import type { NodeResult } from '../../shared/contracts.js';
import { codeOf } from '../../shared/failures.js';
import type { ExecuteNodeInput } from '../../shared/node-contract.js';
import { exactSelector, executionFor } from '../planning/commands.js';
import { invocationBase } from '../projects/resolve-cache.js';
import { nodeTask } from '../../shared/node-request.js';
import { readArtifactRef } from './artifact-refs.js';
import { toFailure } from './deps.js';
import type { ActivityDeps } from './deps.js';
import { pickProject, runEnvOf, runOnExecutor } from './executor-call.js';
import { announceInterruption, announceRerun } from './node-interruptions.js';
import { nowMs, trace, tracing } from '../../executor/index.js';
import { recordReuse } from '../reuse/record.js';
import type { PlanRecords } from '../reuse/plan-records.js';

export type { ExecuteNodeInput };

export function createExecuteNodeActivity(deps: ActivityDeps, records: PlanRecords | null = null) {
  return async function execute_node(input: ExecuteNodeInput): Promise<NodeResult> {
    const a0 = tracing ? nowMs() : 0;
    const project = pickProject(deps, input.project);
    const node = project.graph.nodes.get(input.unique_id);
    if (!node) throw toFailure(codeOf({ kind: 'unknown-node' }), `node ${input.unique_id} is not in project '${input.project}'`);

    // Paused or reset from Temporal: the run's status and log show it (node-interruptions.ts).
    await announceRerun(deps.runClient, input.unique_id);
    const result = await runOnExecutor(deps, project, async () => {
      const { env } = await runEnvOf(deps, input.env);
      const deferTo = input.defer_manifest_ref ? await readArtifactRef(deps, 'defer_manifest_ref', input.defer_manifest_ref) : null;
      return nodeTask(input, invocationBase(project, deps.defaults), {
        env, deferTo, execution: executionFor(input.command ?? 'build', node), selector: exactSelector(node, project.graph.projectName), attempt: Context.current().info.attempt,
      });
    }, input.warehouse).catch(async (err: unknown) => {
      await announceInterruption(deps.runClient, input.unique_id);
      throw err;
    });
    if (result.type === 'error') {
      deps.duckdbConflicts?.note(result.message);
      throw toFailure(result.code, result.message, result.result ? [result.result] : [], project.settings.nonRetryableErrors);
    }
    if (result.type !== 'node') throw new Error(`unexpected executor result ${result.type}`);
    if (tracing) trace(input.unique_id, 'activity', { a0, a2: nowMs() });
    await recordReuse(deps.observability?.store, records, input, result.result, (msg) => Context.current().log.warn(msg));
    return result.result;
  };
}
