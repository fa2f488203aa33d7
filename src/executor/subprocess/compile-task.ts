// `dbt compile` for reuse planning: exact nodes (their compiled code) or one inline query
// (a warehouse probe rendered by Jinja). Returns dbt's run_results.json.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CompileTask, ExecutorResult } from '../../shared/executor-protocol.js';
import { classifyDbtError } from '../../shared/failures.js';
import { outputTail } from '../output-tail.js';
import { invokeDbt } from './tasks.js';
import { withWorkspace } from '../workspace.js';

/** The compile arguments after the subcommand (`--no-introspect` never: probes must run queries). */
export function compileArgs(task: CompileTask): string[] {
  if (task.inline !== null) return ['--inline', task.inline, '--quiet'];
  return ['--select', ...(task.select ?? []), '--quiet'];
}

export async function runCompile(task: CompileTask, signal: AbortSignal): Promise<ExecutorResult> {
  return withWorkspace(task.invocation, 'dbtt-compile-', async (ws) => {
    const p = await invokeDbt(task, ws, ['compile', ...compileArgs(task)], signal);
    if (p.cancelled) return { type: 'error', code: 'CANCELLED', message: 'dbt compile was cancelled' };
    if (p.timedOut) return { type: 'error', code: 'DBT_TRANSIENT_ERROR', message: 'dbt compile timed out' };
    const tail = outputTail(p.output);
    if (p.exitCode !== 0) return { type: 'error', code: classifyDbtError(tail), message: `dbt compile failed (dbt exit ${p.exitCode}): ${tail}` };
    try {
      return { type: 'compiled', runResultsJson: await readFile(join(ws.targetPath, 'run_results.json'), 'utf8') };
    } catch {
      return { type: 'error', code: classifyDbtError(tail), message: `dbt compile wrote no run_results.json: ${tail}` };
    }
  });
}
