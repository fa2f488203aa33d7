// `dbt compile` for reuse planning on a warm engine: the manifest is already parsed, so the
// compile of a selection or a probe costs its queries, not a dbt start-up and parse.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CompileTask, ExecutorResult } from '../../shared/executor-protocol.js';
import { compileArgs } from '../compile-args.js';
import { dbtFailed, failed } from '../failure.js';
import { outputTail } from '../output-tail.js';
import { GLOBAL_ARGS, commonArgs, dbtEnv, withWorkspace } from '../workspace.js';
import { manifestKey, spawnOptions } from './context-spec.js';
import type { EngineLink } from './engine-call.js';
import { outcomeFailure } from './run-node.js';

export async function runCompileWarm(task: CompileTask, link: EngineLink): Promise<ExecutorResult> {
  const inv = task.invocation;
  return withWorkspace(inv, 'dbtt-compile-', async (ws) => {
    const common = commonArgs(inv, ws);
    const key = manifestKey(inv);
    const { outcome } = await link({
      kind: 'invoke', manifestKey: key, spawn: spawnOptions(inv), timeoutMs: inv.timeoutMs,
      request: { key, parse_args: [...GLOBAL_ARGS, 'parse', ...common, '--no-write-json'], args: [...GLOBAL_ARGS, 'compile', ...common, ...compileArgs(task)], env: dbtEnv(inv, ws) },
    });
    const stopped = outcomeFailure(outcome, 'dbt compile');
    if (stopped || outcome.kind !== 'done') return stopped as ExecutorResult;
    const { done } = outcome;
    const tail = `${done.error ?? ''}\n${outputTail(outcome.output)}`.trim();
    if (!done.success || done.error) return dbtFailed(tail, `dbt compile failed: ${tail}`, done.error_types);
    try {
      return { type: 'compiled', runResultsJson: await readFile(join(ws.targetPath, 'run_results.json'), 'utf8') };
    } catch {
      return failed({ kind: 'engine-lost' }, `dbt compile wrote no run_results.json: ${tail}`);
    }
  });
}
