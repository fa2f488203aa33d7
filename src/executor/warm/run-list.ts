// Plans (`dbt ls`) on a warm engine: the manifest is already parsed (and the engine that
// parses it for the plan then serves the run's nodes), so a plan costs milliseconds, not a
// dbt start-up and parse.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExecutorResult, ListTask } from '../../shared/executor-protocol.js';
import { outputTail } from '../classify.js';
import { listArgs, parseListOutput } from '../list-args.js';
import { withWorkspace } from '../workspace.js';
import type { WarmEnginePool } from './engine-pool.js';
import { outcomeFailure, requestEngine } from './run-node.js';

export async function runListWarm(task: ListTask, pool: WarmEnginePool, signal: AbortSignal): Promise<ExecutorResult> {
  return withWorkspace(task.invocation, 'dbtt-plan-', async (ws) => {
    const manifestOut = task.wantManifest ? join(ws.targetPath, 'manifest.json') : undefined;
    const sent = await requestEngine(pool, task.invocation, ws, listArgs(task), signal, { want_result: true, ...(manifestOut ? { manifest_out: manifestOut } : {}) });
    if ('error' in sent) return { type: 'error', code: 'DBT_ENGINE_ERROR', message: `dbt ls: ${sent.error}` };
    const { outcome } = sent;
    const failed = outcomeFailure(outcome, 'dbt ls');
    if (failed || outcome.kind !== 'done') return failed as ExecutorResult;
    const { done } = outcome;
    if (!done.success || done.error) {
      const tail = `${done.error ?? ''}\n${outputTail(outcome.output)}`.trim();
      return { type: 'error', code: 'SELECTION_ERROR', message: `dbt ls failed: ${tail}` };
    }
    const manifestJson = manifestOut ? await readFile(manifestOut, 'utf8').catch(() => null) : null;
    return { type: 'listed', uniqueIds: parseListOutput(done.result ?? []), manifestJson };
  });
}
