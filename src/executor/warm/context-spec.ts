// The run context a node belongs to: its identity (key), the dbt command line that opens it,
// and how to start an engine for it. Pure: built on the executor thread for every node.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DbtInvocation, NodeTask } from '../../shared/executor-protocol.js';
import { nodeSubcommandArgs } from '../node-outcome.js';
import { GLOBAL_ARGS, commonArgs, dbtEnv } from '../workspace.js';
import type { Workspace } from '../workspace.js';
import type { EngineSpawnOptions } from './engine-process.js';
import type { ContextSpec } from './protocol.js';

const ENGINE_SCRIPT = fileURLToPath(new URL('./engine.py', import.meta.url));
/** Variables an engine is started with; each context then sets the run's complete environment. */
const SPAWN_ENV = /^(PATH|HOME|LANG|LC_[A-Z]+|TZ|TMPDIR|VIRTUAL_ENV|PYTHONPATH|PYTHONHOME|SSL_CERT_FILE|SSL_CERT_DIR)$/;
/** Manifests an engine keeps (engine.py evicts the least recently used beyond this). */
export const ENGINE_MANIFEST_SLOTS = 2;

const sha = (parts: unknown[]): string => createHash('sha256').update(JSON.stringify(parts)).digest('hex');

function sortedJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1))) : v);
}

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
  return dbtPath.includes('/') && existsSync(sibling) ? sibling : 'python3';
}

/** Engines run in the worker's own working directory: relative DuckDB paths resolve as in plain dbt. */
export function spawnOptions(inv: DbtInvocation): EngineSpawnOptions {
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

/** The run context of `task`: opened once per run and engine, shared by the run's nodes. */
export function contextSpec(task: NodeTask, ws: Workspace): ContextSpec {
  const inv = task.invocation;
  const mkey = manifestKey(inv);
  const run = inv.run ?? {};
  const stateHash = inv.stateManifest ? sha([inv.stateManifest]) : null;
  const key = sha([mkey, run.invocationId ?? null, run.startedAt ?? null, task.subcommand, task.fullRefresh, inv.defer ?? false, stateHash, run.eventTimeStart ?? null, run.eventTimeEnd ?? null]);
  const cws = contextWorkspace(inv);
  // The context's selection is the node that opens it: dbt sets up exactly as for that node,
  // and every later node of the run is looked up by its unique id. Its dbt threads are the
  // profile's, as in plain dbt (`threads: 1` runs the context's nodes one at a time).
  const { subcommand, rest } = nodeSubcommandArgs(task);
  // --log-level none: dbt formats a console line for every event (and scrubs it of the env's
  // secrets) before its logger drops it by level, on every node and query, under the GIL. The
  // node's result carries its messages; an engine crash still leaves Python's traceback.
  const args = [...GLOBAL_ARGS, '--log-level', 'none', subcommand, ...commonArgs(inv, cws), ...rest.filter((a) => a !== '--cache-selected-only'), '--no-write-json'];
  return {
    key, manifest_key: mkey,
    // A manifest miss parses in the node's own scratch dir.
    parse_args: [...GLOBAL_ARGS, 'parse', ...commonArgs(inv, ws), '--no-write-json'],
    ...(inv.partialParseFile ? { seed: inv.partialParseFile } : {}),
    args, env: dbtEnv(inv, cws),
    invocation_id: run.invocationId ?? null, started_at: run.startedAt ?? null,
    ...(inv.stateManifest ? { state_manifest: inv.stateManifest } : {}),
  };
}
