// dbt-style console output for a finished run: one line per node, then the totals.
import type { DbtRunOutput, NodeResult } from '../../shared/contracts.js';
import { countStatuses, doneLine, endOfRunHeading } from '../../shared/run-log.js';

const LABELS: Record<string, string> = {
  success: 'OK', pass: 'PASS', warn: 'WARN', fail: 'FAIL', error: 'ERROR', 'runtime error': 'ERROR', skipped: 'SKIP', cancelled: 'CANCEL',
  'partial success': 'PARTIAL', 'no-op': 'NO-OP',
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
  const problems = output.node_results.filter((r) => ['error', 'fail', 'runtime error', 'partial success'].includes(r.status));
  lines.push('', endOfRunHeading(output.node_results));
  for (const r of problems) lines.push(`  ${r.unique_id}: ${(r.message ?? r.status).split('\n').slice(0, 3).join(' ')}`);
  for (const e of output.hook_errors) lines.push(`  hook ${e.hook_workflow_type} (${e.event}): ${e.error.split('\n')[0]}`);
  lines.push('', doneLine(c));
  return lines.join('\n');
}
