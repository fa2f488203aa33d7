// One node on a warm engine, the executor thread's side: its own scratch dir, the request for
// the node's run context, then dbt's result read back and shaped (in both engine modes alike).
import { join } from 'node:path';
import type { ExecutorResult, NodeTask } from '../../shared/executor-protocol.js';
import { classifyDbtError } from '../../shared/failures.js';
import { nodeOutcome } from '../node-outcome.js';
import { readRunResults } from '../run-results.js';
import { withWorkspace } from '../workspace.js';
import { contextSpec, spawnOptions } from './context-spec.js';
import type { EngineLink } from './engine-call.js';
import type { EngineOutcome } from './protocol.js';

/** The engine outcome as an executor error, or null when the engine answered normally. */
export function outcomeFailure(outcome: EngineOutcome, what: string): ExecutorResult | null {
  switch (outcome.kind) {
    case 'cancelled':
      return { type: 'error', code: 'CANCELLED', message: `${what} was cancelled` };
    case 'timed-out':
      return { type: 'error', code: 'DBT_TRANSIENT_ERROR', message: `${what} timed out` };
    case 'crashed':
      return { type: 'error', code: 'DBT_ENGINE_ERROR', message: `${what}: dbt engine exited mid-node (${outcome.detail})` };
    case 'done': {
      const { done } = outcome;
      if (done.cancelled) return { type: 'error', code: 'CANCELLED', message: `${what} was cancelled` };
      if (done.ok) return null;
      const text = (done.error ?? 'unknown error').trim();
      if (done.phase === 'parse') return { type: 'error', code: classifyDbtError(text), message: `${what}: dbt parse failed: ${text}` };
      if (done.phase === 'context') return { type: 'error', code: classifyDbtError(text), message: `${what}: ${text}` };
      return { type: 'error', code: 'DBT_ENGINE_ERROR', message: `${what}: dbt engine error: ${text}` };
    }
  }
}

export async function runNodeWarm(task: NodeTask, link: EngineLink, opts: { enqueuedAt: number }): Promise<ExecutorResult> {
  const inv = task.invocation;
  const what = `dbt ${task.subcommand} ${task.uniqueId}`;
  return withWorkspace(inv, 'dbtt-node-', async (ws) => {
    const spec = contextSpec(task, ws);
    const resultPath = join(ws.root, 'result.json');
    const { outcome, use } = await link({
      kind: 'node', contextKey: spec.key, manifestKey: spec.manifest_key, warehouse: task.warehouse ?? null, spec,
      uniqueId: task.uniqueId, resultPath, refresh: (task.attempt ?? 1) > 1, spawn: spawnOptions(inv), timeoutMs: inv.timeoutMs,
    });
    const failed = outcomeFailure(outcome, what);
    if (failed) return failed;
    const results = await readRunResults(resultPath);
    return nodeOutcome(task, results, () => null, { enqueuedAt: opts.enqueuedAt, startedAt: use.acquiredAt - use.startMs });
  });
}
