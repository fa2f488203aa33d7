// Turns what dbt reported for one node into the executor's result, in both engine modes,
// and records where the task's time went as extra entries of the node's `timing`.
import type { NodeResult, NodeTiming } from '../shared/contracts.js';
import type { ExecutorResult, NodeTask } from '../shared/executor-protocol.js';
import { dbtFailed, failed } from './failure.js';

/** Wall-clock marks of one node task, in epoch milliseconds. */
export interface NodeMarks {
  /** When the executor accepted the task (before any queue or lock). */
  enqueuedAt: number;
  /** When a thread or engine started working on it. */
  startedAt: number;
  /** When dbt's result had been read. */
  finishedAt: number;
}

/** Timing entry names added next to dbt's own `compile` and `execute`. */
export const OVERHEAD_TIMING = { queued: 'dbt_temporal:queued', engine: 'dbt_temporal:engine', results: 'dbt_temporal:results' } as const;

const iso = (ms: number): string => new Date(ms).toISOString();

/** dbt's own span (first compile start to last execute end), or null without timing. */
function dbtSpan(timing: readonly NodeTiming[]): [number, number] | null {
  const starts = timing.map((t) => Date.parse(t.started_at)).filter(Number.isFinite);
  const ends = timing.map((t) => Date.parse(t.completed_at)).filter(Number.isFinite);
  if (starts.length === 0 || ends.length === 0) return null;
  return [Math.min(...starts), Math.max(...ends)];
}

/** Adds queue / engine / result-handling entries around dbt's timing; returns the overhead split. */
export function withOverheadTiming(result: NodeResult, marks: NodeMarks): { result: NodeResult; overheadMs: { queued: number; engine: number } } {
  const own = result.timing.filter((t) => !t.name.startsWith('dbt_temporal:'));
  const span = dbtSpan(own) ?? [marks.finishedAt, marks.finishedAt];
  const dbtStart = Math.max(marks.startedAt, Math.min(span[0], marks.finishedAt));
  const dbtEnd = Math.min(marks.finishedAt, Math.max(span[1], dbtStart));
  const timing: NodeTiming[] = [
    { name: OVERHEAD_TIMING.queued, started_at: iso(marks.enqueuedAt), completed_at: iso(marks.startedAt) },
    { name: OVERHEAD_TIMING.engine, started_at: iso(marks.startedAt), completed_at: iso(dbtStart) },
    ...own,
    { name: OVERHEAD_TIMING.results, started_at: iso(dbtEnd), completed_at: iso(marks.finishedAt) },
  ];
  const engine = Math.max(0, marks.finishedAt - marks.startedAt - (dbtEnd - dbtStart));
  return { result: { ...result, timing }, overheadMs: { queued: Math.max(0, marks.startedAt - marks.enqueuedAt), engine } };
}

/**
 * The executor result for a node from dbt's run results; `failure` describes an invocation
 * that reported nothing for the node (its own error code and message).
 */
export function nodeOutcome(
  task: NodeTask,
  results: Map<string, NodeResult>,
  failure: () => ExecutorResult | null,
  marks: Omit<NodeMarks, 'finishedAt'>,
): ExecutorResult {
  const result = results.get(task.uniqueId);
  if (!result) {
    return failure() ?? failed({ kind: 'engine-lost' }, `dbt did not report a result for ${task.uniqueId} (selector ${task.selector})`);
  }
  if (results.size > 1) {
    const extra = [...results.keys()].filter((id) => id !== task.uniqueId);
    return failed({ kind: 'engine-lost' }, `selector ${task.selector} ran more than ${task.uniqueId}: ${extra.join(', ')}`);
  }
  const timed = withOverheadTiming(result, { ...marks, finishedAt: Date.now() });
  if (result.status === 'error' || result.status === 'runtime error') {
    return dbtFailed(result.message ?? '', result.message ?? 'node failed', null, timed.result);
  }
  return { type: 'node', ...timed };
}

/** The dbt arguments that run exactly this node (after the global args and subcommand). */
export function nodeSubcommandArgs(task: NodeTask): { subcommand: string; rest: string[] } {
  // Exactly one node: never let dbt add tests through indirect selection (build, compile, test).
  const rest = ['--select', task.selector, '--cache-selected-only', '--indirect-selection', 'empty'];
  // dbt accepts --full-refresh on build, run and seed only.
  if (task.fullRefresh && ['build', 'run', 'seed'].includes(task.subcommand)) rest.push('--full-refresh');
  return { subcommand: task.subcommand, rest };
}
