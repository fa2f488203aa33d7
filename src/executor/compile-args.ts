// The dbt arguments of a compile task (both engine modes): the selection, or one inline query.
import type { CompileTask } from '../shared/executor-protocol.js';

/** The compile arguments after the subcommand (`--no-introspect` never: probes must run queries). */
export function compileArgs(task: CompileTask): string[] {
  if (task.inline !== null) return ['--inline', task.inline, '--quiet'];
  return ['--select', ...(task.select ?? []), '--quiet'];
}
