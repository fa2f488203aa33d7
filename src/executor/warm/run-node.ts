// One node on a warm engine, the executor thread's side: its own scratch dir, the request for
// the node's run context, then dbt's result (in the engine's answer) shaped as in both modes.
import type { ExecutorResult, NodeTask } from '../../shared/executor-protocol.js';
import { classifyDbtError } from '../../shared/failures.js';
import { nodeOutcome } from '../node-outcome.js';
import { runResultsOf } from '../run-results.js';
import { withWorkspace } from '../workspace.js';
import { contextSpec, spawnOptions } from './context-spec.js';
import type { EngineLink } from './engine-call.js';
import type { EngineOutcome } from './protocol.js';
import { nowMs, trace, tracing } from '../trace.js';

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
      if (done.phase === 'context' || done.phase === 'dbt') return { type: 'error', code: classifyDbtError(text), message: `${what}: ${text}` };
      return { type: 'error', code: 'DBT_ENGINE_ERROR', message: `${what}: dbt engine error: ${text}` };
    }
  }
}

export async function runNodeWarm(task: NodeTask, link: EngineLink, opts: { enqueuedAt: number }): Promise<ExecutorResult> {
  const inv = task.invocation;
  const what = `dbt ${task.subcommand} ${task.uniqueId}`;
  // The node's own scratch dir serves a parse when its engine lacks the manifest; the result
  // itself comes back in the engine's answer (no file written and read per node).
  return withWorkspace(inv, 'dbtt-node-', async (ws) => {
    const spec = contextSpec(task, ws);
    const t1 = tracing ? nowMs() : 0;
    const { outcome, use } = await link({
      kind: 'node', contextKey: spec.key, manifestKey: spec.manifest_key, warehouse: task.warehouse ?? null, spec,
      uniqueId: task.uniqueId, refresh: (task.attempt ?? 1) > 1, attempt: task.attempt ?? 1, spawn: spawnOptions(inv), timeoutMs: inv.timeoutMs,
    });
    const failed = outcomeFailure(outcome, what);
    if (failed) return failed;
    const t2 = tracing ? nowMs() : 0;
    const done = outcome.kind === 'done' ? outcome.done : null;
    const results = runResultsOf({ results: done?.node_result ? [done.node_result] : [] });
    const out = nodeOutcome(task, results, () => null, { enqueuedAt: opts.enqueuedAt, startedAt: use.acquiredAt - use.startMs });
    if (tracing) trace(task.uniqueId, 'run-node', { t1, t2, t3: nowMs(), py: done?.trace, main: use.trace });
    return out;
  });
}
