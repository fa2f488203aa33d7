// dbt-style console output for a finished run: dbt's warnings and the node lines when they were
// not shown live, then dbt's footer (`Finished running ...`, each failure and warning as dbt
// prints it, `Done. PASS=..`). A run that had nothing to do ends with dbt's warning alone; `list`
// prints what `dbt ls` prints.
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

export interface SummaryOptions {
  /** Print dbt's warnings and each node's line (they were not shown live). @default true */
  nodeLines?: boolean;
  /** Where each failure's compiled code was kept, by unique id. @default none */
  compiled?: ReadonlyMap<string, string>;
}

/** `dbt ls`'s lines for a `list` run (older workers: the unique ids). */
export function listingOf(output: DbtRunOutput): string[] {
  return output.listing ?? output.node_results.map((r) => r.unique_id);
}

export function formatSummary(output: DbtRunOutput, opts: SummaryOptions = {}): string {
  if (output.command === 'list') return listingOf(output).join('\n');
  const shown = opts.nodeLines !== false;
  const lines = shown ? [...(output.warnings ?? [])] : [];
  const empty = output.node_results.length === 0 && !output.skipped;
  if (!empty) {
    if (shown) lines.push(...output.node_results.map((r, i) => formatNodeLine(i + 1, output.node_results.length, r)));
    const compiled = opts.compiled;
    lines.push(...footerLines(output.node_results, output.elapsed_time, compiled ? { compiledPath: (r) => compiled.get(r.unique_id) ?? null } : {}));
  }
  if (output.skipped) lines.push(`Skipped by a pre_run hook${output.skip_reason ? `: ${output.skip_reason}` : ''}`);
  for (const h of output.hook_errors) lines.push(`Hook ${h.event} (${h.hook_workflow_type}) failed: ${h.error}`);
  if (output.log_path) lines.push(`Log: ${output.log_path}`);
  return lines.join('\n');
}
