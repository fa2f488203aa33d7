// dbt's catalog.json for a run (`dbt docs generate`, limited to the run's selection).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CatalogTask, ExecutorResult } from '../../shared/executor-protocol.js';
import { dbtExitFailure, processFailure } from './process-failure.js';
import { selectionArgs } from '../selection-args.js';
import { invokeDbt } from './tasks.js';
import { withWorkspace } from '../workspace.js';

export async function runCatalog(task: CatalogTask, signal: AbortSignal): Promise<ExecutorResult> {
  return withWorkspace(task.invocation, 'dbtt-docs-', async (ws) => {
    const p = await invokeDbt(task, ws, ['docs', 'generate', '--no-compile', ...selectionArgs(task.select, task.exclude)], signal);
    const stopped = processFailure(p, 'dbt docs generate');
    if (stopped) return stopped;
    try {
      return { type: 'catalog', catalogJson: await readFile(join(ws.targetPath, 'catalog.json'), 'utf8') };
    } catch {
      return dbtExitFailure(p, 'dbt docs generate', `failed (exit ${p.exitCode})`);
    }
  });
}
