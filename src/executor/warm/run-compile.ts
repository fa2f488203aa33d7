// `dbt compile` for reuse planning on a warm engine: the manifest is already parsed, so the
// compile of a selection or a probe costs its queries, not a dbt start-up and parse.
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
      // dbt's results come back in the answer: no manifest.json or run_results.json is written (a manifest write costs ~1 ms a node).
      request: { key, parse_args: [...GLOBAL_ARGS, 'parse', ...common, '--no-write-json'], args: [...GLOBAL_ARGS, 'compile', ...common, ...compileArgs(task), '--no-write-json'], env: dbtEnv(inv, ws), want_result: true },
    });
    const stopped = outcomeFailure(outcome, 'dbt compile');
    if (stopped || outcome.kind !== 'done') return stopped as ExecutorResult;
    const { done } = outcome;
    const tail = `${done.error ?? ''}\n${outputTail(outcome.output)}`.trim();
    if (!done.success || done.error) return dbtFailed(tail, `dbt compile failed: ${tail}`, done.error_types);
    if (!done.result) return failed({ kind: 'engine-lost' }, `dbt compile answered no results: ${tail}`);
    // The run_results.json shape callers read (unique_id, compiled_code per node).
    return { type: 'compiled', runResultsJson: `{"results":[${done.result.join(',')}]}` };
  });
}
