// `dbt ls` for a plan: the arguments (JSON rows of unique ids) and the parsing of its output,
// shared by the subprocess and warm engine modes.
import type { ListTask } from '../shared/executor-protocol.js';
import { selectionArgs } from './selection-args.js';

export function listArgs(task: ListTask): string[] {
  const keys = task.outputKeys === undefined ? ['unique_id'] : task.outputKeys;
  const args = ['ls', '--output', 'json', ...(keys === null ? [] : ['--output-keys', ...keys]), '--quiet'];
  for (const t of task.resourceTypes) args.push('--resource-type', t);
  if (task.selector) args.push('--selector', task.selector);
  else args.push(...selectionArgs(task.select, task.exclude));
  if (task.indirectSelection) args.push('--indirect-selection', task.indirectSelection);
  return args;
}

/** dbt ls's JSON rows (other lines, such as log output, are ignored). */
export function listRows(lines: readonly string[]): string[] {
  return lines.flatMap((l) => l.split('\n')).map((l) => l.trim()).filter((l) => l.startsWith('{'));
}

/** Unique ids from dbt ls's JSON rows (other lines, such as log output, are ignored). */
export function parseListOutput(lines: readonly string[]): string[] {
  const ids: string[] = [];
  for (const line of listRows(lines)) {
    const row = JSON.parse(line) as { unique_id?: string };
    if (row.unique_id) ids.push(row.unique_id);
  }
  return ids;
}
