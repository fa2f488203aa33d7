// A project's start-up parse on a warm engine: the engine keeps the manifest it parses, so the
// first plan and the first run context find it there (a `hit`), instead of a `dbt parse`
// process importing dbt beside the engine and the engine parsing the project again.
import { join } from 'node:path';
import type { ExecutorResult, ParseTask } from '../../shared/executor-protocol.js';
import { dbtFailed } from '../failure.js';
import { outputTail } from '../output-tail.js';
import { GLOBAL_ARGS, commonArgs, dbtEnv, parsedResult, withWorkspace } from '../workspace.js';
import { manifestKey, spawnOptions } from './context-spec.js';
import type { EngineLink } from './engine-call.js';
import { outcomeFailure } from './run-node.js';

export async function runParseWarm(task: ParseTask, link: EngineLink): Promise<ExecutorResult> {
  const inv = task.invocation;
  return withWorkspace(inv, 'dbtt-target-', async (ws) => {
    const manifestOut = join(ws.root, 'manifest.json');
    const parseArgs = [...GLOBAL_ARGS, 'parse', ...commonArgs(inv, ws), '--no-write-json'];
    const key = manifestKey(inv);
    // The engine parses for `parse_args` (dbt writes partial_parse.msgpack into the target
    // path); `dbt parse` on the manifest it then holds only sets the adapter up.
    const { outcome } = await link({
      kind: 'invoke', manifestKey: key, spawn: spawnOptions(inv), timeoutMs: inv.timeoutMs, startup: true,
      request: { key, parse_args: parseArgs, args: parseArgs, env: dbtEnv(inv, ws), manifest_out: manifestOut },
    });
    const done = outcome.kind === 'done' ? outcome.done : null;
    // dbt's own failure to parse (the project's error), worded as the subprocess parse words it.
    if (done && ((!done.ok && done.phase === 'parse') || (done.ok && (!done.success || done.error)))) {
      const text = `${done.error ?? ''}\n${outputTail(outcome.output)}`.trim();
      return dbtFailed(text, `dbt parse failed: ${text}`, done.error_types ?? null);
    }
    const stopped = outcomeFailure(outcome, 'dbt parse');
    if (stopped) return stopped;
    return parsedResult(manifestOut, ws);
  });
}
