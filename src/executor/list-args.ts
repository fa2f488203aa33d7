// `dbt ls` for a plan: the arguments (JSON rows of unique ids) and the parsing of its output,
// shared by the subprocess and warm engine modes.
import type { ListTask } from '../shared/executor-protocol.js';
import { selectionArgs } from './selection-args.js';

export function listArgs(task: ListTask): string[] {
  const args = ['ls', '--output', 'json', '--output-keys', 'unique_id', '--quiet'];
  for (const t of task.resourceTypes) args.push('--resource-type', t);
  if (task.selector) args.push('--selector', task.selector);
  else args.push(...selectionArgs(task.select, task.exclude));
  if (task.indirectSelection) args.push('--indirect-selection', task.indirectSelection);
  return args;
}

/** Unique ids from dbt ls's JSON rows (other lines, such as log output, are ignored). */
export function parseListOutput(lines: readonly string[]): string[] {
  const ids: string[] = [];
  for (const line of lines.flatMap((l) => l.split('\n'))) {
    const trimmed = line.trim();
    if (!trimmed.startsWith('{')) continue;
    const row = JSON.parse(trimmed) as { unique_id?: string };
    if (row.unique_id) ids.push(row.unique_id);
  }
  return ids;
}
