// dbt-style console output for a finished run: one line per node, then the totals.
import type { DbtRunOutput, NodeResult } from '../../shared/contracts.js';
import { countStatuses } from '../../shared/run-log.js';

const LABELS: Record<string, string> = {
  success: 'OK', pass: 'PASS', warn: 'WARN', fail: 'FAIL', error: 'ERROR', 'runtime error': 'ERROR', skipped: 'SKIP', cancelled: 'CANCEL',
};

export function formatNodeLine(index: number, total: number, r: NodeResult): string {
  const label = LABELS[r.status] ?? r.status.toUpperCase();
  const width = String(total).length;
  const head = `${String(index).padStart(width)} of ${total} ${label.padEnd(6)} ${r.unique_id}`;
  const detail = r.status === 'skipped' ? '' : ` [${(r.message ?? r.status).split('\n')[0]} in ${r.execution_time.toFixed(2)}s]`;
  return `${head}${detail}`;
}

export function formatSummary(output: DbtRunOutput): string {
  const lines = output.node_results.map((r, i) => formatNodeLine(i + 1, output.node_results.length, r));
  const c = countStatuses(output.node_results);
  lines.push('');
  lines.push(`Finished running ${c.total} nodes in ${output.elapsed_time.toFixed(2)}s (invocation ${output.invocation_id}).`);
  const problems = output.node_results.filter((r) => r.status === 'error' || r.status === 'fail' || r.status === 'runtime error');
  if (problems.length > 0) {
    lines.push('', `Completed with ${problems.length} error${problems.length === 1 ? '' : 's'}:`);
    for (const r of problems) lines.push(`  ${r.unique_id}: ${(r.message ?? r.status).split('\n').slice(0, 3).join(' ')}`);
  }
  lines.push('', `Done. PASS=${c.pass} WARN=${c.warn} ERROR=${c.error} SKIP=${c.skip} TOTAL=${c.total}`);
  return lines.join('\n');
}
