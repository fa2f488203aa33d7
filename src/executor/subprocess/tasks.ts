// The three task kinds an executor thread runs: parse a project, list a selection, run a node.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExecutorResult, ExecutorTask, ListTask, NodeTask, ParseTask } from '../../shared/executor-protocol.js';
import { outputTail } from '../output-tail.js';
import { nodeOutcome, nodeSubcommandArgs } from '../node-outcome.js';
import { failed } from '../failure.js';
import { runDbtProcess } from './dbt-process.js';
import { dbtExitFailure, processFailure } from './process-failure.js';
import { DBT_SHIM_PATH, dbtPython } from './dbt-python.js';
import { listArgs, listRows, parseListOutput } from '../list-args.js';
import type { DbtProcessResult } from './dbt-process.js';
import { readRunResults } from '../run-results.js';
import { GLOBAL_ARGS, commonArgs, dbtEnv, parsedResult, withWorkspace } from '../workspace.js';
import type { Workspace } from '../workspace.js';

/** What the shim runs: a node without project hooks, or only the on-run-start / on-run-end hooks. */
export type ShimMode = 'node' | 'start' | 'end';

/**
 * The shim's own settings (dbt_shim.py's `--options`), never environment variables: the
 * environment is the run's, as dbt reads it.
 */
export interface ShimOptions {
  invocation_id: string | null;
  run_started_at: string | null;
  /** The activity attempt, for the query comment (warm/dbt_reach_query_tags.py). */
  attempt?: number;
  /** The worker: the shim's parent-death guard compares its parent with it (PID 1 in a container). */
  parent_pid: number;
  /** Where the shim writes dbt's warnings of the invocation (dbtWarnings). */
  warnings_file: string;
  /** `end`: the run's results, for on-run-end's `results`. */
  results_file?: string;
}

/** Runs dbt through the shim (project hooks once per run, not per node) when dbt's Python is known. */
export function invokeDbt(task: ExecutorTask, ws: Workspace, sub: string[], signal: AbortSignal, shimMode: ShimMode = 'node', resultsFile?: string): Promise<DbtProcessResult> {
  const { invocation } = task;
  // Two-word subcommands (`source freshness`, `docs generate`) keep their words together.
  const words = sub[0] === 'source' || sub[0] === 'docs' ? 2 : 1;
  const dbtArgs = [...GLOBAL_ARGS, ...sub.slice(0, words), ...commonArgs(invocation, ws), ...sub.slice(words)];
  const python = dbtPython(invocation.dbtPath);
  const options: ShimOptions = {
    invocation_id: invocation.run?.invocation_id ?? null, run_started_at: invocation.run?.run_started_at ?? null,
    parent_pid: process.pid, warnings_file: warningsFile(ws),
    ...(task.type === 'node' ? { attempt: task.attempt ?? 1 } : {}), ...(resultsFile ? { results_file: resultsFile } : {}),
  };
  return runDbtProcess({
    dbtPath: python ?? invocation.dbtPath,
    args: python ? [DBT_SHIM_PATH, shimMode, '--options', JSON.stringify(options), ...dbtArgs] : dbtArgs,
    // The worker's own working directory, as for warm engines: a relative DuckDB path in a
    // profile resolves there, the same for every dbt process of a run (as in plain dbt).
    cwd: process.cwd(),
    env: dbtEnv(invocation, ws),
    timeoutMs: invocation.timeoutMs,
    signal,
  });
}


const warningsFile = (ws: Workspace): string => join(ws.root, 'dbt-warnings.json');

/** dbt's warnings of the invocation in `ws`, as the shim recorded them (none without the shim). */
async function dbtWarnings(ws: Workspace): Promise<string[]> {
  const text = await readFile(warningsFile(ws), 'utf8').catch(() => '[]');
  try {
    const list = JSON.parse(text) as unknown;
    return Array.isArray(list) ? list.filter((w): w is string => typeof w === 'string') : [];
  } catch {
    return [];
  }
}

export async function runParse(task: ParseTask, signal: AbortSignal): Promise<ExecutorResult> {
  return withWorkspace(task.invocation, 'dbtt-target-', async (ws) => {
    const p = await invokeDbt(task, ws, ['parse'], signal);
    const stopped = processFailure(p, 'dbt parse');
    if (stopped) return stopped;
    if (p.exitCode !== 0) return dbtExitFailure(p, 'dbt parse');
    return parsedResult(join(ws.targetPath, 'manifest.json'), ws);
  });
}

export async function runList(task: ListTask, signal: AbortSignal): Promise<ExecutorResult> {
  return withWorkspace(task.invocation, 'dbtt-plan-', async (ws) => {
    const p = await invokeDbt(task, ws, listArgs(task), signal);
    const stopped = processFailure(p, 'dbt ls');
    if (stopped) return stopped;
    if (p.exitCode !== 0) {
      const tail = outputTail(p.output);
      return failed({ kind: 'list-failed', message: tail }, `dbt ls failed (exit ${p.exitCode}): ${tail}`);
    }
    const rows = listRows(p.output.split('\n'));
    const manifestJson = task.wantManifest ? await readFile(join(ws.targetPath, 'manifest.json'), 'utf8').catch(() => null) : null;
    return { type: 'listed', uniqueIds: parseListOutput(rows), rows, manifestJson, warnings: await dbtWarnings(ws) };
  });
}

export async function runNodeProcess(task: NodeTask, signal: AbortSignal, enqueuedAt: number): Promise<ExecutorResult> {
  const startedAt = Date.now();
  return withWorkspace(task.invocation, 'dbtt-node-', async (ws) => {
    const { subcommand, rest } = nodeSubcommandArgs(task);
    const p = await invokeDbt(task, ws, [subcommand, ...rest], signal);
    const what = `dbt ${task.subcommand} ${task.uniqueId}`;
    const stopped = processFailure(p, what);
    if (stopped) return stopped;
    const results = await readRunResults(join(ws.targetPath, 'run_results.json'));
    const own = results.get(task.uniqueId);
    const warnings = own ? await dbtWarnings(ws) : [];
    if (own && warnings.length > 0) results.set(task.uniqueId, { ...own, warnings });
    return nodeOutcome(task, results, () => (p.exitCode === 0 ? null : dbtExitFailure(p, what)), { enqueuedAt, startedAt });
  });
}
