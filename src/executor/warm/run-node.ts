// One node on a warm engine, the executor thread's side: the request for the node's run
// context, then dbt's result (in the engine's answer) shaped as in both modes.
import type { ExecutorResult, NodeTask } from '../../shared/executor-protocol.js';
import { dbtFailed, failed } from '../failure.js';
import { nodeOutcome } from '../node-outcome.js';
import { runResultsOf } from '../run-results.js';
import { contextSpec, spawnOptions } from './context-spec.js';
import type { EngineLink } from './engine-call.js';
import type { EngineOutcome } from './protocol.js';
import { nowMs, trace, tracing } from '../trace.js';

/** The engine outcome as an executor error, or null when the engine answered normally. */
export function outcomeFailure(outcome: EngineOutcome, what: string): ExecutorResult | null {
  switch (outcome.kind) {
    case 'cancelled':
      return failed({ kind: 'cancelled' }, `${what} was cancelled`);
    case 'timed-out':
      return failed({ kind: 'timed-out' }, `${what} timed out`);
    case 'crashed':
      return failed({ kind: 'engine-lost' }, `${what}: dbt engine exited mid-node (${outcome.detail})`);
    case 'done': {
      const { done } = outcome;
      if (done.cancelled) return failed({ kind: 'cancelled' }, `${what} was cancelled`);
      if (done.ok) return null;
      const text = (done.error ?? 'unknown error').trim();
      const types = done.error_types ?? null;
      if (done.phase === 'parse') return dbtFailed(text, `${what}: dbt parse failed: ${text}`, types);
      if (done.phase === 'context' || done.phase === 'dbt') return dbtFailed(text, `${what}: ${text}`, types);
      // The engine's own code failed, unless what it caught was one of dbt's errors (every one
      // derives from dbt-common's DbtBaseException).
      if (types?.includes('DbtBaseException')) return dbtFailed(text, `${what}: ${text}`, types);
      return failed({ kind: 'engine-lost' }, `${what}: dbt engine error: ${text}`);
    }
  }
}

export async function runNodeWarm(task: NodeTask, link: EngineLink, opts: { enqueuedAt: number }): Promise<ExecutorResult> {
  const inv = task.invocation;
  const what = `dbt ${task.subcommand} ${task.uniqueId}`;
  // The result comes back in the engine's answer (no file written and read per node), and a
  // manifest miss parses in the context's own dir: no scratch dir per node.
  const spec = contextSpec(task);
  const t1 = tracing ? nowMs() : 0;
  const { outcome, use } = await link({
    kind: 'node', request: { op: 'node', context: spec, unique_id: task.uniqueId, attempt: task.attempt ?? 1 },
    manifestKey: spec.manifest_key, warehouse: task.warehouse ?? null, spawn: spawnOptions(inv), timeoutMs: inv.timeoutMs,
  });
  const stopped = outcomeFailure(outcome, what);
  if (stopped) return stopped;
  const t2 = tracing ? nowMs() : 0;
  const done = outcome.kind === 'done' ? outcome.done : null;
  const results = runResultsOf({ results: done?.node_result ? [done.node_result] : [] });
  const out = nodeOutcome(task, results, () => null, { enqueuedAt: opts.enqueuedAt, startedAt: use.acquiredAt - use.startMs });
  if (tracing) trace(task.uniqueId, 'run-node', { t1, t2, t3: nowMs(), py: done?.trace, main: use.trace });
  return out;
}
