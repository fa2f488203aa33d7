// `dbt compile` for reuse planning: exact nodes (their compiled code) or one inline query
// (a warehouse probe rendered by Jinja). Returns dbt's run_results.json.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CompileTask, ExecutorResult } from '../../shared/executor-protocol.js';
import { compileArgs } from '../compile-args.js';
import { dbtExitFailure, processFailure } from './process-failure.js';
import { invokeDbt } from './tasks.js';
import { withWorkspace } from '../workspace.js';

export async function runCompile(task: CompileTask, signal: AbortSignal): Promise<ExecutorResult> {
  return withWorkspace(task.invocation, 'dbtt-compile-', async (ws) => {
    const p = await invokeDbt(task, ws, ['compile', ...compileArgs(task)], signal);
    const stopped = processFailure(p, 'dbt compile');
    if (stopped) return stopped;
    if (p.exitCode !== 0) return dbtExitFailure(p, 'dbt compile');
    try {
      return { type: 'compiled', runResultsJson: await readFile(join(ws.targetPath, 'run_results.json'), 'utf8') };
    } catch {
      return dbtExitFailure(p, 'dbt compile', 'wrote no run_results.json');
    }
  });
}
