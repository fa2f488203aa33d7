// Prints a run outcome (summary or JSON) and maps it to the CLI exit code.
import type { RunOutcome } from './start-run.js';
import { formatSummary } from './summary.js';
import { formatPlan } from './plan-preview.js';

/** Error types that mean the request itself was wrong (exit 2), not that the run failed. */
const USAGE_ERROR_TYPES = ['INVALID_INPUT', 'SELECTION_ERROR', 'PROJECT_NOT_FOUND'];

export interface ReportOptions {
  json: boolean;
  /** Print each node's line (they were not shown while the run went on). @default true */
  nodeLines?: boolean;
}

export function reportOutcome(outcome: RunOutcome, opts: ReportOptions): number {
  if (outcome.kind === 'rejected') {
    if (opts.json) process.stdout.write(`${JSON.stringify({ error: { type: outcome.errorType, message: outcome.message } })}\n`);
    process.stderr.write(`dbt-temporal: run rejected (${outcome.errorType}): ${outcome.message}\n`);
    return USAGE_ERROR_TYPES.includes(outcome.errorType) ? 2 : 1;
  }
  const plan = outcome.output.plan;
  // A plan preview (--plan): what would be built or reused, and why; nothing ran.
  const text = opts.json ? JSON.stringify(outcome.output, null, 2)
    : plan ? formatPlan(plan) : formatSummary(outcome.output, { nodeLines: opts.nodeLines ?? true });
  process.stdout.write(`${text}\n`);
  return outcome.kind === 'completed' ? 0 : 1;
}
