// The run's selection as the executor's select/exclude pair for the invocations that must see
// the same selected nodes as the plan (project hooks, catalog): a named selector travels as
// `selector:<name>`, which the executor passes to dbt as `--selector <name>`.
import type { RunRequest } from '../../shared/input.js';

export function runSelection(request: Pick<RunRequest, 'select' | 'exclude' | 'selector'>): { select: string | null; exclude: string | null } {
  if (request.selector) return { select: `selector:${request.selector}`, exclude: null };
  return { select: request.select, exclude: request.exclude };
}
