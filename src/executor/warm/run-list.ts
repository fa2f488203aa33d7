// Plans (`dbt ls`) on a warm engine: the manifest is already parsed (and the engine that
// parses it for the plan then serves the run's nodes), so a plan costs milliseconds, not a
// dbt start-up and parse.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExecutorResult, ListTask } from '../../shared/executor-protocol.js';
import { failed } from '../failure.js';
import { outputTail } from '../output-tail.js';
import { listArgs, listRows, parseListOutput } from '../list-args.js';
import { GLOBAL_ARGS, commonArgs, dbtEnv, withWorkspace } from '../workspace.js';
import { manifestKey, spawnOptions } from './context-spec.js';
import type { EngineLink } from './engine-call.js';
import { outcomeFailure } from './run-node.js';

export async function runListWarm(task: ListTask, link: EngineLink): Promise<ExecutorResult> {
  const inv = task.invocation;
  return withWorkspace(inv, 'dbtt-plan-', async (ws) => {
    const manifestOut = task.wantManifest ? join(ws.targetPath, 'manifest.json') : undefined;
    const common = commonArgs(inv, ws);
    const [sub, ...rest] = listArgs(task);
    const key = manifestKey(inv);
    const { outcome } = await link({
      kind: 'invoke', manifestKey: key, spawn: spawnOptions(inv), timeoutMs: inv.timeoutMs,
      request: {
        key, parse_args: [...GLOBAL_ARGS, 'parse', ...common, '--no-write-json'],
        args: [...GLOBAL_ARGS, sub as string, ...common, ...rest], env: dbtEnv(inv, ws),
        want_result: true, want_profile: true, ...(manifestOut ? { manifest_out: manifestOut } : {}), ...(task.probe ? { probe: task.probe } : {}),
      },
    });
    const stopped = outcomeFailure(outcome, 'dbt ls');
    if (stopped || outcome.kind !== 'done') return stopped as ExecutorResult;
    const { done } = outcome;
    if (!done.success || done.error) {
      const tail = `${done.error ?? ''}\n${outputTail(outcome.output)}`.trim();
      return failed({ kind: 'list-failed', message: tail }, `dbt ls failed: ${tail}`);
    }
    const manifestJson = manifestOut ? await readFile(manifestOut, 'utf8').catch(() => null) : null;
    const rows = listRows(done.result ?? []);
    const { threads, target } = done.profile ?? {};
    return {
      type: 'listed', uniqueIds: parseListOutput(rows), rows, manifestJson, warehouse: warehouseKey(done.profile, inv.run?.invocation_id ?? null),
      profile: threads !== undefined && target !== undefined ? { threads, target } : null, warnings: done.dbt_warnings ?? [],
      ...(task.probe ? { probe: done.probe ?? { error: 'the engine answered no probe' } } : {}),
    };
  });
}

/** `duckdb:<path>` for a DuckDB file, `duckdb-memory:<run>` for an in-memory one, else null. */
export function warehouseKey(profile: { type?: string; duckdb_path?: string } | undefined, invocationId: string | null): string | null {
  if (profile?.type !== 'duckdb' || !profile.duckdb_path) return null;
  return profile.duckdb_path.startsWith(':memory:') ? `duckdb-memory:${invocationId ?? 'unknown'}` : `duckdb:${profile.duckdb_path}`;
}
