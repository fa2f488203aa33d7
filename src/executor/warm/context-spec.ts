// The run context a node (or the run's project hooks) belongs to: its identity (key), the dbt
// command line that opens it, and how to start an engine for it. Pure: built on the executor
// thread for every node.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DbtInvocation, HooksTask, NodeTask, RunIdentity } from '../../shared/executor-protocol.js';
import { sortedJson } from '../../shared/sorted-json.js';
import { nodeSubcommandArgs } from '../node-outcome.js';
import { selectionArgs } from '../selection-args.js';
import { GLOBAL_ARGS, commonArgs, dbtEnv } from '../workspace.js';
import type { Workspace } from '../workspace.js';
import type { EngineSpawnOptions } from './engine-process.js';
import type { ContextSpec } from './protocol.js';
import { dbtPython } from '../subprocess/dbt-python.js';

const ENGINE_SCRIPT = fileURLToPath(new URL('./engine.py', import.meta.url));
/** Variables an engine is started with; each context then sets the run's complete environment. */
const SPAWN_ENV = /^(PATH|HOME|LANG|LC_[A-Z]+|TZ|TMPDIR|VIRTUAL_ENV|PYTHONPATH|PYTHONHOME|SSL_CERT_FILE|SSL_CERT_DIR|MALLOC_ARENA_MAX)$/;
/** Manifests an engine keeps (engine.py evicts the least recently used beyond this). */
export const ENGINE_MANIFEST_SLOTS = 2;

const sha = (parts: unknown[]): string => createHash('sha256').update(JSON.stringify(parts)).digest('hex');

/**
 * The parse key: what parsing depends on besides the (read-only) project files and the env.
 * The engine tells apart manifests of one key by the values of the env vars their parse read
 * (manifests.py), so runs that differ in other env (a run id, a token) share one parse.
 */
export function manifestKey(inv: DbtInvocation): string {
  return sha([inv.projectDir, inv.profilesDir, inv.target, sortedJson(inv.vars), inv.dbtPath]);
}

/** The Python next to the dbt executable (same venv), else python3 on PATH. */
export function enginePython(dbtPath: string): string {
  const sibling = join(dirname(dbtPath), 'python');
  return (dbtPath.includes('/') && existsSync(sibling) ? sibling : dbtPython(dbtPath)) ?? 'python3';
}

/** Engines run in the worker's own working directory: relative DuckDB paths resolve as in plain dbt. */
export function spawnOptions(inv: Pick<DbtInvocation, 'dbtPath' | 'env'>): EngineSpawnOptions {
  // MALLOC_ARENA_MAX: glibc gives every thread that allocates its own arena, and an engine runs
  // a dbt thread per node in flight; two arenas keep its resident memory near its live data.
  const env: Record<string, string> = { DBT_TEMPORAL_ENGINE_MANIFESTS: String(ENGINE_MANIFEST_SLOTS), MALLOC_ARENA_MAX: '2' };
  for (const [k, v] of Object.entries(inv.env)) if (SPAWN_ENV.test(k)) env[k] = v;
  return { python: enginePython(inv.dbtPath), script: ENGINE_SCRIPT, env, cwd: process.cwd(), startTimeoutMs: 0 };
}

/** The context's scratch paths, as placeholders the engine fills in with its own directory. */
function contextWorkspace(inv: DbtInvocation): Workspace {
  return { root: '{ctx}', targetPath: '{ctx}/target', logPath: '{ctx}/logs', statePath: inv.stateManifest ? '{ctx}/state' : null };
}

/** A run context's identity: the run, its command and flags, and what its manifest depends on. */
function contextKey(inv: DbtInvocation, subcommand: string, fullRefresh: boolean): string {
  const run: Partial<RunIdentity> = inv.run ?? {};
  const stateHash = inv.stateManifest ? sha([inv.stateManifest]) : null;
  return sha([manifestKey(inv), run.invocation_id ?? null, run.run_started_at ?? null, subcommand, fullRefresh, inv.defer ?? false, stateHash, run.event_time_start ?? null, run.event_time_end ?? null]);
}

/** The spec of context `key`, opened by `dbt <subcommand> <selection>` (the first request's). */
function openingSpec(inv: DbtInvocation, key: string, subcommand: string, selection: string[]): ContextSpec {
  const run: Partial<RunIdentity> = inv.run ?? {};
  const cws = contextWorkspace(inv);
  // --log-level none: dbt formats a console line for every event (and scrubs it of the env's
  // secrets) before its logger drops it by level, on every node and query, under the GIL. The
  // node's result carries its messages; an engine crash still leaves Python's traceback.
  const args = [...GLOBAL_ARGS, '--log-level', 'none', subcommand, ...commonArgs(inv, cws), ...selection, '--no-write-json'];
  return {
    key, manifest_key: manifestKey(inv),
    // A manifest miss parses in the context's own scratch dir (made before the parse): no
    // node needs a scratch dir of its own.
    parse_args: [...GLOBAL_ARGS, 'parse', ...commonArgs(inv, cws), '--no-write-json'],
    ...(inv.partialParseFile ? { seed: inv.partialParseFile } : {}),
    args, env: dbtEnv(inv, cws),
    invocation_id: run.invocation_id ?? null, run_started_at: run.run_started_at ?? null,
    ...(inv.stateManifest ? { state_manifest: inv.stateManifest } : {}),
  };
}

/** The run context of `task`: opened once per run and engine, shared by the run's nodes. */
export function contextSpec(task: NodeTask): ContextSpec {
  // The context's selection is the node that opens it: dbt sets up exactly as for that node,
  // and every later node of the run is looked up by its unique id. Its dbt threads are the
  // profile's, as in plain dbt (`threads: 1` runs the context's nodes one at a time).
  const { subcommand, rest } = nodeSubcommandArgs(task);
  const key = contextKey(task.invocation, task.subcommand, task.fullRefresh);
  return openingSpec(task.invocation, key, subcommand, rest.filter((a) => a !== '--cache-selected-only'));
}

/** Commands whose nodes run in run contexts (`source freshness` runs each source as a dbt process). */
const CONTEXT_COMMANDS = ['build', 'run', 'test', 'seed', 'snapshot'];

/**
 * The invocation the run's nodes have (their context's key and `--state`), when its project
 * hooks can run in their context; null when they cannot: a command whose nodes run no context,
 * or a selection state manifest other than the one the nodes defer to (a context has one `--state`).
 */
export function hooksContextInvocation(task: HooksTask): DbtInvocation | null {
  const [command, ...more] = task.command;
  if (!command || more.length > 0 || !CONTEXT_COMMANDS.includes(command)) return null;
  const deferTo = task.deferManifest ?? null;
  if (task.invocation.stateManifest && task.invocation.stateManifest !== deferTo) return null;
  return { ...task.invocation, stateManifest: deferTo, defer: deferTo !== null };
}

/**
 * The run context the project hooks of `task` run in: the key of the run's nodes' context
 * (`inv` from hooksContextInvocation). Opened by the hooks, it selects the run's whole
 * selection, so dbt sets up as for the run (its schemas, its selected_resources).
 */
export function hooksContextSpec(task: HooksTask, inv: DbtInvocation): ContextSpec {
  const subcommand = task.command[0] ?? 'build';
  const fullRefresh = task.fullRefresh ?? false;
  const selection = selectionArgs(task.select, task.exclude);
  if (task.indirectSelection) selection.push('--indirect-selection', task.indirectSelection);
  // dbt accepts --full-refresh on build, run and seed only.
  if (fullRefresh && ['build', 'run', 'seed'].includes(subcommand)) selection.push('--full-refresh');
  return { ...openingSpec(inv, contextKey(inv, subcommand, fullRefresh), subcommand, selection), run_selection: true };
}
