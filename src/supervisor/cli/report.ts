// Prints a run outcome (summary or JSON) and maps it to the CLI exit code.
import type { ErrorCode } from '../../shared/errors.js';
import type { RunOutcome } from './start-run.js';
import { keepCompiledCode } from './compiled-code.js';
import { formatSummary } from './summary.js';
import { formatPlan } from './plan-preview.js';

/**
 * Error types that mean the request itself was wrong or dbt could not start the run (exit 2, as
 * dbt exits 2 when a parse or a --warn-error warning stops it before any node), not that the run failed.
 */
const USAGE_ERROR_TYPES: readonly string[] = ['INVALID_INPUT', 'SELECTION_ERROR', 'PROJECT_NOT_FOUND', 'DBT_COMPILATION_ERROR', 'DBT_CONFIGURATION_ERROR'] satisfies ErrorCode[];

export interface ReportOptions {
  json: boolean;
  /** Print dbt's warnings and each node's line (they were not shown while the run went on). @default true */
  nodeLines?: boolean;
}

export function reportOutcome(outcome: RunOutcome, opts: ReportOptions): number {
  if (outcome.kind === 'rejected') {
    if (opts.json) process.stdout.write(`${JSON.stringify({ error: { type: outcome.errorType, message: outcome.message } })}\n`);
    process.stderr.write(`dbt-temporal: run rejected (${outcome.errorType}): ${outcome.message}\n`);
    return USAGE_ERROR_TYPES.includes(outcome.errorType) ? 2 : 1;
  }
  const { output } = outcome;
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(output, null, 2)}\n`);
  } else if (output.plan) {
    // A plan preview (--plan): what would be built or reused, and why; nothing ran.
    process.stdout.write(`${formatPlan(output.plan)}\n`);
  } else if (output.command === 'list') {
    // As `dbt ls --quiet`: stdout is the listing alone (pipe-ready); dbt's warnings go to stderr.
    for (const w of output.warnings ?? []) process.stderr.write(`${w}\n`);
    const text = formatSummary(output);
    if (text !== '') process.stdout.write(`${text}\n`);
  } else {
    const compiled = keepCompiledCode(output);
    const text = formatSummary(output, { nodeLines: opts.nodeLines ?? true, compiled });
    if (text !== '') process.stdout.write(`${text}\n`);
  }
  return outcome.kind === 'completed' ? 0 : 1;
}
