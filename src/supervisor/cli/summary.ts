// dbt-style console output for a finished run: dbt's footer (`Finished running ...`, each error
// once with its message, `Done. PASS=..`), after the node lines when they were not shown live.
import type { DbtRunOutput, NodeResult } from '../../shared/contracts.js';
import { footerLines } from '../../shared/run-log.js';

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

export function formatSummary(output: DbtRunOutput, opts: { nodeLines?: boolean } = {}): string {
  const lines = opts.nodeLines === false ? [] : output.node_results.map((r, i) => formatNodeLine(i + 1, output.node_results.length, r));
  lines.push(...footerLines(output.node_results, output.elapsed_time));
  if (output.skipped) lines.push(`Skipped by a pre_run hook${output.skip_reason ? `: ${output.skip_reason}` : ''}`);
  for (const h of output.hook_errors) lines.push(`Hook ${h.event} (${h.hook_workflow_type}) failed: ${h.error}`);
  if (output.log_path) lines.push(`Log: ${output.log_path}`);
  return lines.join('\n');
}
