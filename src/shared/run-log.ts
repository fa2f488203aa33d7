// dbt CLI-style run log lines (`k of N START ...`, `OK`, `ERROR`, `SKIP`, `Done. PASS=..`).
import type { NodeResult } from './contracts.js';
import type { PlanNode } from './plan.js';

const WIDTH = 80;

export interface StatusCounts {
  pass: number;
  warn: number;
  error: number;
  skip: number;
  total: number;
}

/** dbt's summary buckets: PASS (success/pass), WARN, ERROR (error/fail/runtime error), SKIP (skipped/cancelled). */
export function countStatuses(results: readonly Pick<NodeResult, 'status'>[]): StatusCounts {
  const c = { pass: 0, warn: 0, error: 0, skip: 0, total: results.length };
  for (const r of results) {
    if (r.status === 'success' || r.status === 'pass' || r.status === 'no-op') c.pass += 1;
    else if (r.status === 'warn') c.warn += 1;
    else if (r.status === 'skipped' || r.status === 'cancelled') c.skip += 1;
    else c.error += 1;
  }
  return c;
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
    case 'no-op':
      return dotted(`${p} OK ${label}`, `[${firstLine(r.message) || 'OK'} in ${secs}]`);
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
  const lines = ['', `Finished running ${c.total} nodes in ${elapsedSecs.toFixed(2)}s.`];
  const errors = results.filter((r) => r.status === 'error' || r.status === 'fail' || r.status === 'runtime error');
  if (errors.length === 0) lines.push('', 'Completed successfully');
  else {
    lines.push('', `Completed with ${errors.length} error${errors.length === 1 ? '' : 's'}:`);
    for (const r of errors) lines.push('', `Failure in ${r.unique_id}`, ...(r.message ?? r.status).split('\n').slice(0, 5).map((l) => `  ${l}`));
  }
  lines.push('', `Done. PASS=${c.pass} WARN=${c.warn} ERROR=${c.error} SKIP=${c.skip} TOTAL=${c.total}`);
  return lines;
}
