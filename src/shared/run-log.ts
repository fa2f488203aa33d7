// dbt CLI-style run log lines (`k of N START ...`, `OK`, `ERROR`, `SKIP`, `Done. PASS=..`).
import type { NodeResult } from './contracts.js';
import type { ExecutionPlan, PlanNode } from './plan.js';
import type { NodeInterruption } from './run-status.js';

const WIDTH = 80;

export interface StatusCounts {
  pass: number;
  warn: number;
  error: number;
  skip: number;
  noop: number;
  total: number;
}

/** dbt's summary bucket of a status (dbt's interpret_run_result; `cancelled` is ours, a skip). */
export function summaryBucket(status: NodeResult['status']): 'pass' | 'warn' | 'error' | 'skip' | 'noop' {
  switch (status) {
    case 'success':
    case 'pass':
      return 'pass';
    case 'warn':
      return 'warn';
    case 'skipped':
    case 'cancelled':
      return 'skip';
    case 'no-op':
      return 'noop';
    default:
      // error, fail, partial success, runtime error
      return 'error';
  }
}

/** dbt's summary buckets: PASS, WARN, ERROR (error/fail/partial success/runtime error), SKIP, NO-OP. */
export function countStatuses(results: readonly Pick<NodeResult, 'status'>[]): StatusCounts {
  const c = { pass: 0, warn: 0, error: 0, skip: 0, noop: 0, total: results.length };
  for (const r of results) c[summaryBucket(r.status)] += 1;
  return c;
}

/** dbt's `Done.` line. */
export function doneLine(c: StatusCounts): string {
  return `Done. PASS=${c.pass} WARN=${c.warn} ERROR=${c.error} SKIP=${c.skip} NO-OP=${c.noop} TOTAL=${c.total}`;
}

const plural = (n: number, word: string, many = `${word}s`): string => `${n} ${n === 1 ? word : many}`;

/** dbt's end-of-run summary heading (EndOfRunSummary). */
export function endOfRunHeading(results: readonly Pick<NodeResult, 'status'>[]): string {
  const errors = results.filter((r) => r.status === 'error' || r.status === 'fail' || r.status === 'runtime error').length;
  const partial = plural(results.filter((r) => r.status === 'partial success').length, 'partial success', 'partial successes');
  const warnings = plural(results.filter((r) => r.status === 'warn').length, 'warning');
  if (errors > 0) return `Completed with ${plural(errors, 'error')}, ${partial}, and ${warnings}:`;
  if (!partial.startsWith('0 ')) return `Completed with ${partial} and ${warnings}`;
  if (!warnings.startsWith('0 ')) return `Completed with ${warnings}:`;
  return 'Completed successfully';
}

/** `pkg.name` from a unique id such as `model.pkg.name` or `test.pkg.name.hash`. */
export function relationLabel(node: Pick<PlanNode, 'unique_id' | 'resource_type' | 'name'>): string {
  const pkg = node.unique_id.split('.')[1] ?? '';
  return `${node.resource_type} ${pkg}.${node.name}`;
}

function dotted(head: string, tail: string): string {
  const dots = Math.max(3, WIDTH - head.length - tail.length - 2);
  return `${head} ${'.'.repeat(dots)} ${tail}`;
}

function prefix(index: number, total: number): string {
  return `${String(index).padStart(String(total).length)} of ${total}`;
}

export function startLine(index: number, total: number, node: PlanNode): string {
  return dotted(`${prefix(index, total)} START ${relationLabel(node)}`, '[RUN]');
}

/** Tails of the lines for a node paused, reset or running again from Temporal (no dbt equivalent). */
const INTERRUPTION_LINES: Record<NodeInterruption, [string, string]> = {
  paused: ['PAUSED', '[PAUSED from Temporal: waiting for unpause]'],
  reset: ['RESET', '[RESET from Temporal: restarting]'],
  resumed: ['RESUME', '[RUN]'],
};

/** The line for a running node paused, reset or resumed from Temporal (its index is its START line's). */
export function interruptionLine(index: number, total: number, node: PlanNode, state: NodeInterruption): string {
  const [word, tail] = INTERRUPTION_LINES[state];
  return dotted(`${prefix(index, total)} ${word} ${relationLabel(node)}`, tail);
}

function firstLine(text: string | null): string {
  return (text ?? '').split('\n')[0]?.slice(0, 200) ?? '';
}

/** The line dbt prints when a node finishes (or is skipped without starting). */
export function resultLine(index: number, total: number, node: PlanNode, r: NodeResult): string {
  const p = prefix(index, total);
  const label = relationLabel(node);
  const secs = `${r.execution_time.toFixed(2)}s`;
  switch (r.status) {
    case 'success':
      return dotted(`${p} OK ${label}`, `[${firstLine(r.message) || 'OK'} in ${secs}]`);
    case 'no-op':
      return dotted(`${p} NO-OP ${node.resource_type} ${node.name}`, `[NO-OP in ${secs}]`);
    case 'partial success':
      return dotted(`${p} PARTIALLY created ${label}`, `[${firstLine(r.message) || 'PARTIAL SUCCESS'} in ${secs}]`);
    case 'pass':
      return dotted(`${p} PASS ${label}`, `[PASS in ${secs}]`);
    case 'warn':
      return dotted(`${p} WARN ${r.failures ?? ''} ${label}`, `[WARN ${r.failures ?? ''} in ${secs}]`);
    case 'fail':
      return dotted(`${p} FAIL ${r.failures ?? ''} ${label}`, `[FAIL ${r.failures ?? ''} in ${secs}]`);
    case 'skipped':
      return dotted(`${p} SKIP ${label}`, '[SKIP]');
    case 'cancelled':
      return dotted(`${p} CANCEL ${label}`, '[CANCELLED]');
    default:
      return dotted(`${p} ERROR ${label}`, `[ERROR in ${secs}]`);
  }
}

/** dbt's `Concurrency:` line (the profile's threads and target), plus our in-flight limit where it differs. */
export function concurrencyLine(plan: Pick<ExecutionPlan, 'concurrency'>, maxInFlight: number): string {
  const c = plan.concurrency;
  if (!c) return `Concurrency: dependency-driven, up to ${maxInFlight} nodes in flight`;
  const dbt = `Concurrency: ${c.threads} threads (target='${c.target}')`;
  return c.threads === maxInFlight ? dbt : `${dbt}; dependency-driven, up to ${maxInFlight} nodes in flight`;
}

/** What the run will execute, by type (only when the plan has no `found` line of dbt's). */
function plannedCounts(nodes: readonly PlanNode[]): string {
  const byType = new Map<string, number>();
  for (const n of nodes) byType.set(n.resource_type, (byType.get(n.resource_type) ?? 0) + 1);
  return [...byType.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([t, n]) => `${n} ${t}${n === 1 ? '' : 's'}`).join(', ');
}

/**
 * dbt's header: `Found ...` (what dbt parsed), dbt's warnings of the plan, then `Concurrency: ...`
 * and a blank line; a plan with no node ends with dbt's "Nothing to do" (one of its warnings).
 */
export function headerLines(invocationId: string, plan: Pick<ExecutionPlan, 'nodes' | 'found' | 'concurrency' | 'warnings'>, maxInFlight: number): string[] {
  const lines = [`Running with dbt-temporal (invocation ${invocationId})`, `Found ${plan.found ?? plannedCounts(plan.nodes)}`, ...(plan.warnings ?? [])];
  return plan.nodes.length === 0 ? lines : [...lines, concurrencyLine(plan, maxInFlight), ''];
}

/** `Failure in model name (path)`: dbt's RunResultFailure / RunResultWarning heading. */
export function resultHeading(r: Pick<NodeResult, 'unique_id' | 'status' | 'path'>, node: Pick<PlanNode, 'resource_type' | 'name' | 'path'> | undefined): string {
  const type = node?.resource_type ?? r.unique_id.split('.')[0] ?? 'node';
  const name = node?.name ?? r.unique_id.split('.')[2] ?? r.unique_id;
  const path = node?.path ?? r.path;
  return `${r.status === 'warn' ? 'Warning' : 'Failure'} in ${type} ${name}${path ? ` (${path})` : ''}`;
}

export interface FooterOptions {
  /** The plan's nodes (type, name, path of each failure's heading). */
  nodes?: readonly PlanNode[];
  /** Where each failed node's compiled code is kept (dbt's `compiled code at <path>`); none when absent. */
  compiledPath?: (r: NodeResult) => string | null;
}

/** dbt's end of run: `Finished running`, the summary heading, each failure and warning as dbt prints them, `Done.`. */
export function footerLines(results: readonly NodeResult[], elapsedSecs: number, opts: FooterOptions = {}): string[] {
  const c = countStatuses(results);
  const byId = new Map((opts.nodes ?? []).map((n) => [n.unique_id, n]));
  const lines = ['', `Finished running ${c.total} nodes in ${elapsedSecs.toFixed(2)}s.`, '', endOfRunHeading(results)];
  const failed = results.filter((x) => x.status === 'error' || x.status === 'fail' || x.status === 'runtime error' || x.status === 'partial success');
  for (const r of [...failed, ...results.filter((x) => x.status === 'warn')]) {
    // dbt indents an error's message, not a warning's.
    const indent = r.status === 'warn' ? '' : '  ';
    lines.push('', resultHeading(r, byId.get(r.unique_id)), ...`${indent}${r.message ?? `Status: ${r.status}`}`.split('\n').slice(0, 20).map((l) => l.trimEnd()));
    const compiled = opts.compiledPath?.(r) ?? null;
    if (compiled) lines.push('', `  compiled code at ${compiled}`);
  }
  lines.push('', doneLine(c));
  return lines;
}
