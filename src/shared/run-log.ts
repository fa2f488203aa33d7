// dbt CLI-style run log lines (`k of N START ...`, `OK`, `ERROR`, `SKIP`, `Done. PASS=..`).
import type { NodeResult } from './contracts.js';
import type { PlanNode } from './plan.js';

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

export function headerLines(invocationId: string, nodes: readonly PlanNode[], maxInFlight: number): string[] {
  const byType = new Map<string, number>();
  for (const n of nodes) byType.set(n.resource_type, (byType.get(n.resource_type) ?? 0) + 1);
  const found = [...byType.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([t, n]) => `${n} ${t}${n === 1 ? '' : 's'}`);
  return [
    `Running with dbt-temporal (invocation ${invocationId})`,
    `Found ${found.join(', ')}`,
    `Concurrency: dependency-driven, up to ${maxInFlight} nodes in flight`,
    '',
  ];
}

export function footerLines(results: readonly NodeResult[], elapsedSecs: number): string[] {
  const c = countStatuses(results);
  const lines = ['', `Finished running ${c.total} nodes in ${elapsedSecs.toFixed(2)}s.`, '', endOfRunHeading(results)];
  for (const r of results.filter((x) => x.status === 'error' || x.status === 'fail' || x.status === 'runtime error' || x.status === 'partial success')) {
    lines.push('', `Failure in ${r.unique_id}`, ...(r.message ?? r.status).split('\n').slice(0, 5).map((l) => `  ${l}`));
  }
  lines.push('', doneLine(c));
  return lines;
}
