// dbt's words for a selection that matches nothing: not an error, a warning and nothing to run
// (dbt exits 0). dbt names each selection criterion that matched nothing, then says why it stops.
import type { RunRequest } from '../../shared/input.js';

/** dbt ls's NoNodesSelected (Q038). */
export const NO_NODES_SELECTED = 'No nodes selected!';
/** The run commands' NothingToDo (Q035). */
export const NOTHING_TO_DO = 'Nothing to do. Try checking your model configs and model specification args';
const CRITERION = /^The selection criterion '.*' does not match any enabled nodes$/;

/** dbt's NoNodesForSelectionCriteria (M030). */
export function criterionWarning(spec: string): string {
  return `The selection criterion '${spec}' does not match any enabled nodes`;
}

/**
 * The warnings of an empty plan, after dbt's own (`planWarnings`, from dbt ls). When dbt's were
 * not captured and dbt ls itself selected nothing, each plain criterion of the union is named
 * (an intersection or an exclude can be empty with every criterion matching something).
 */
export function emptySelectionWarnings(request: Pick<RunRequest, 'command' | 'select' | 'exclude' | 'selector'>, planWarnings: readonly string[], listedNothing: boolean): string[] {
  const out = planWarnings.filter((w) => w !== NO_NODES_SELECTED && w !== NOTHING_TO_DO);
  if (listedNothing && !out.some((w) => CRITERION.test(w)) && !request.exclude && !request.selector && request.select) {
    for (const spec of request.select.split(/\s+/).filter((s) => s !== '' && !s.includes(','))) out.push(criterionWarning(spec));
  }
  out.push(request.command === 'list' ? NO_NODES_SELECTED : NOTHING_TO_DO);
  return out;
}
