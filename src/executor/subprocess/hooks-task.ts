// Runs a project's on-run-start / on-run-end hooks once per run (through the dbt shim), with
// the run's selection and, for on-run-end, the run's results as dbt's `results` context.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExecutorResult, HooksTask } from '../../shared/executor-protocol.js';
import { dbtExitFailure, processFailure } from './process-failure.js';
import { readRunResults } from '../run-results.js';
import { selectionArgs } from '../selection-args.js';
import { invokeDbt } from './tasks.js';
import { withWorkspace } from '../workspace.js';

export async function runHooks(task: HooksTask, signal: AbortSignal): Promise<ExecutorResult> {
  return withWorkspace(task.invocation, 'dbtt-hooks-', async (ws) => {
    const resultsFile = task.phase === 'end' ? join(ws.root, 'run-results-in.json') : undefined;
    if (resultsFile) await writeFile(resultsFile, JSON.stringify({ results: task.results }));
    const sub = [...task.command, ...selectionArgs(task.select, task.exclude)];
    if (task.indirectSelection) sub.push('--indirect-selection', task.indirectSelection);
    // dbt's flags.FULL_REFRESH, as the run's nodes see it (dbt accepts the flag on build, run and seed).
    if (task.fullRefresh && ['build', 'run', 'seed'].includes(task.command[0] ?? '')) sub.push('--full-refresh');
    const p = await invokeDbt(task, ws, sub, signal, task.phase, resultsFile);
    const stopped = processFailure(p, `on-run-${task.phase} hooks`);
    if (stopped) return stopped;
    const results = [...(await readRunResults(join(ws.targetPath, 'run_results.json'))).values()].filter((r) => r.unique_id.startsWith('operation.'));
    // Hook failures are results (dbt records them in run_results); only a dbt that reported
    // nothing at all is an error of the task itself.
    if (p.exitCode !== 0 && results.length === 0) {
      return dbtExitFailure(p, `on-run-${task.phase} hooks`, 'failed');
    }
    return { type: 'hooks', results };
  });
}
