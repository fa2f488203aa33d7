// The plan preview (`--plan`, input `plan_only`): one line per node, what a run would do and why.
import type { PlanPreviewEntry } from '../../shared/contracts.js';

export function formatPlan(plan: readonly PlanPreviewEntry[]): string {
  const width = Math.max(0, ...plan.map((e) => e.unique_id.length));
  const lines = plan.map((e) => `${e.action === 'reuse' ? 'REUSE' : 'BUILD'}  ${e.unique_id.padEnd(width)}  ${e.reason}`);
  const reused = plan.filter((e) => e.action === 'reuse').length;
  lines.push(`Plan: ${plan.length - reused} to build, ${reused} to reuse (nothing was built)`);
  return lines.join('\n');
}
