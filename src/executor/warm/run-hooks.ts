// A run's project hooks on a warm engine, the executor thread's side: they run in the run's
// context (the engine, adapter and database of its nodes), so what on-run-start makes is there
// for the nodes and for on-run-end, also in an in-memory DuckDB database.
import type { ExecutorResult, HooksTask } from '../../shared/executor-protocol.js';
import { failed } from '../failure.js';
import { runResultsOf } from '../run-results.js';
import { hooksContextInvocation, hooksContextSpec, spawnOptions } from './context-spec.js';
import type { EngineLink } from './engine-call.js';
import { outcomeFailure } from './run-node.js';

/** Whether a warm engine runs these hooks (else a dbt process does: subprocess/hooks-task.ts). */
export const warmHooks = (task: HooksTask): boolean => hooksContextInvocation(task) !== null;

export async function runHooksWarm(task: HooksTask, link: EngineLink): Promise<ExecutorResult> {
  const inv = hooksContextInvocation(task);
  if (!inv) return failed({ kind: 'engine-lost' }, `on-run-${task.phase} hooks of \`${task.command.join(' ')}\` cannot run in a run context`);
  const what = `on-run-${task.phase} hooks`;
  const spec = hooksContextSpec(task, inv);
  const { outcome } = await link({
    kind: 'node', request: { op: 'hooks', context: spec, phase: task.phase, ...(task.phase === 'end' ? { results: task.results } : {}) },
    manifestKey: spec.manifest_key, warehouse: task.warehouse ?? null, spawn: spawnOptions(inv), timeoutMs: inv.timeoutMs,
  });
  const stopped = outcomeFailure(outcome, what);
  if (stopped || outcome.kind !== 'done') return stopped as ExecutorResult;
  // Hook failures are results (dbt records them as `error`), as in the subprocess path.
  const results = [...runResultsOf({ results: outcome.done.hook_results ?? [] }).values()].filter((r) => r.unique_id.startsWith('operation.'));
  return { type: 'hooks', results };
}
