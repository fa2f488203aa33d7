// `dbt compile` for reuse planning on a warm engine: the manifest is already parsed, so the
// compile of a selection costs its rendering, not a dbt start-up and parse. A warehouse probe
// skips the compile: a `dbt parse` of the cached manifest sets up the run's flags (~20 ms on a
// 200-node project, where a compile of the inline node copies the manifest and links the graph)
// and the engine runs the probe's queries through the profile they name (dbt_reach_probe.py).
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
    const parse = [...GLOBAL_ARGS, 'parse', ...common, '--no-write-json'];
    const key = manifestKey(inv);
    const { outcome } = await link({
      kind: 'invoke', manifestKey: key, spawn: spawnOptions(inv), timeoutMs: inv.timeoutMs,
      // dbt's results come back in the answer: no manifest.json or run_results.json is written (a manifest write costs ~1 ms a node).
      request: {
        key, parse_args: parse, env: dbtEnv(inv, ws), want_result: !task.probe,
        ...(task.probe
          ? { args: parse, probe: task.probe }
          : { args: [...GLOBAL_ARGS, 'compile', ...common, ...compileArgs(task), '--no-write-json'] }),
      },
    });
    const stopped = outcomeFailure(outcome, 'dbt compile');
    if (stopped || outcome.kind !== 'done') return stopped as ExecutorResult;
    const { done } = outcome;
    const tail = `${done.error ?? ''}\n${outputTail(outcome.output)}`.trim();
    if (!done.success || done.error) return dbtFailed(tail, `dbt compile failed: ${tail}`, done.error_types);
    if (task.probe) {
      const rows = done.probe ?? { error: 'the engine answered no probe' };
      if ('error' in rows) return dbtFailed(rows.error, `warehouse probe failed: ${rows.error}`);
      // As the probe's inline node would have compiled: its answer as JSON.
      return { type: 'compiled', runResultsJson: JSON.stringify({ results: [{ unique_id: 'sql_operation.dbt_temporal.probe', compiled_code: JSON.stringify(rows) }] }) };
    }
    if (!done.result) return failed({ kind: 'engine-lost' }, `dbt compile answered no results: ${tail}`);
    // The run_results.json shape callers read (unique_id, compiled_code per node).
    return { type: 'compiled', runResultsJson: `{"results":[${done.result.join(',')}]}` };
  });
}
