// Runs one node on a warm engine: same workspace, arguments and result reading as subprocess
// mode, but dbt is already imported and the manifest already parsed.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DbtInvocation, ExecutorResult, NodeTask } from '../../shared/executor-protocol.js';
import { classifyDbtError, outputTail } from '../classify.js';
import { nodeOutcome, nodeSubcommandArgs } from '../node-outcome.js';
import { readRunResults } from '../run-results.js';
import { GLOBAL_ARGS, commonArgs, dbtEnv, withWorkspace } from '../workspace.js';
import type { Workspace } from '../workspace.js';
import { ENGINE_MANIFEST_SLOTS } from './engine-pool.js';
import type { WarmEnginePool } from './engine-pool.js';
import type { EngineSpawnOptions } from './engine-process.js';
import type { EngineOutcome, EngineRequest } from './protocol.js';

const ENGINE_SCRIPT = fileURLToPath(new URL('./engine.py', import.meta.url));
/** Variables an engine is started with; each request then sets its complete environment. */
const SPAWN_ENV = /^(PATH|HOME|LANG|LC_[A-Z]+|TZ|TMPDIR|VIRTUAL_ENV|PYTHONPATH|PYTHONHOME|SSL_CERT_FILE|SSL_CERT_DIR)$/;

/** The manifest identity: everything parsing depends on besides the (read-only) project files. */
export function manifestKey(inv: DbtInvocation): string {
  const env = Object.entries(inv.env).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const varsJson = JSON.stringify(inv.vars, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1))) : v);
  return createHash('sha256').update(JSON.stringify([inv.projectDir, inv.profilesDir, inv.target, varsJson, env])).digest('hex');
}

/** The Python next to the dbt executable (same venv), else python3 on PATH. */
export function enginePython(dbtPath: string): string {
  const sibling = join(dirname(dbtPath), 'python');
  return dbtPath.includes('/') && existsSync(sibling) ? sibling : 'python3';
}

export function spawnOptions(inv: DbtInvocation): EngineSpawnOptions {
  const env: Record<string, string> = { DBT_TEMPORAL_ENGINE_MANIFESTS: String(ENGINE_MANIFEST_SLOTS) };
  for (const [k, v] of Object.entries(inv.env)) if (SPAWN_ENV.test(k)) env[k] = v;
  return { python: enginePython(inv.dbtPath), script: ENGINE_SCRIPT, env, cwd: tmpdir(), startTimeoutMs: 0 };
}

export function outcomeFailure(outcome: EngineOutcome, what: string): ExecutorResult | null {
  switch (outcome.kind) {
    case 'cancelled':
      return { type: 'error', code: 'CANCELLED', message: `${what} was cancelled` };
    case 'timed-out':
      return { type: 'error', code: 'DBT_TRANSIENT_ERROR', message: `${what} timed out` };
    case 'crashed':
      return { type: 'error', code: 'DBT_ENGINE_ERROR', message: `${what}: dbt engine exited mid-node (${outcome.detail}): ${outputTail(outcome.output, 10)}` };
    case 'done': {
      const { done } = outcome;
      if (done.ok) return null;
      if (done.phase === 'parse') {
        const text = `${done.error ?? ''}\n${outputTail(outcome.output)}`;
        return { type: 'error', code: classifyDbtError(text), message: `${what}: dbt parse failed: ${text.trim()}` };
      }
      return { type: 'error', code: 'DBT_ENGINE_ERROR', message: `${what}: dbt engine error: ${done.error ?? 'unknown'}` };
    }
  }
}

/** Sends one dbt invocation (args after the subcommand's position) to a warm engine. */
export async function requestEngine(
  pool: WarmEnginePool,
  inv: DbtInvocation,
  ws: Workspace,
  command: string[],
  signal: AbortSignal,
  extra: Pick<EngineRequest, 'want_result' | 'manifest_out' | 'exact'> = {},
): Promise<{ outcome: EngineOutcome; startedAt: number } | { error: string }> {
  const common = commonArgs(inv, ws);
  const request: EngineRequest = {
    id: 0,
    key: manifestKey(inv),
    parse_args: [...GLOBAL_ARGS, 'parse', ...common, '--no-write-json'],
    args: [...GLOBAL_ARGS, ...command.slice(0, 1), ...common, ...command.slice(1)],
    env: dbtEnv(inv, ws),
    cwd: ws.root,
    ...extra,
  };
  let startedAt = Date.now();
  try {
    const outcome = await pool.use(request.key, spawnOptions(inv), (engine, use) => {
      startedAt = use.acquiredAt - use.startMs;
      return engine.request({ ...request, id: engine.invocations + 1 }, inv.timeoutMs, signal);
    });
    return { outcome, startedAt };
  } catch (err) {
    return { error: `cannot start a dbt engine: ${(err as Error).message}` };
  }
}

export async function runNodeWarm(task: NodeTask, pool: WarmEnginePool, signal: AbortSignal, enqueuedAt: number): Promise<ExecutorResult> {
  const inv = task.invocation;
  const what = `dbt ${task.subcommand} ${task.uniqueId}`;
  return withWorkspace(inv, 'dbtt-node-', async (ws) => {
    const { subcommand, rest } = nodeSubcommandArgs(task);
    const sent = await requestEngine(pool, inv, ws, [subcommand, ...rest], signal, { exact: { selector: task.selector, unique_id: task.uniqueId } });
    if ('error' in sent) return { type: 'error', code: 'DBT_ENGINE_ERROR', message: `${what}: ${sent.error}` };
    const { outcome, startedAt } = sent;
    const failed = outcomeFailure(outcome, what);
    if (failed || outcome.kind !== 'done') return failed as ExecutorResult;
    const { done } = outcome;
    const results = await readRunResults(join(ws.targetPath, 'run_results.json'));
    const failure = (): ExecutorResult | null => {
      if (done.success && !done.error) return null;
      const tail = `${done.error ?? ''}\n${outputTail(outcome.output)}`.trim();
      return { type: 'error', code: classifyDbtError(tail), message: `${what} failed: ${tail}` };
    };
    return nodeOutcome(task, results, failure, { enqueuedAt, startedAt });
  });
}
