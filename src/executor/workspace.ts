// A private scratch directory per task: dbt's target/log paths live here, never in the project.
import { mkdirSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { dirSync } from 'tmp-promise';
import type { DbtInvocation, ExecutorResult } from '../shared/executor-protocol.js';

export interface Workspace {
  root: string;
  targetPath: string;
  logPath: string;
  /** Directory holding the state manifest (dbt `--state`), when the invocation has one. */
  statePath: string | null;
}

/** Runs `fn` with a fresh temp dir (seeded with the partial-parse cache), always removed after. */
export async function withWorkspace<T>(invocation: DbtInvocation, prefix: string, fn: (ws: Workspace) => Promise<T>): Promise<T> {
  // tmp names it `<prefix>-<pid>-<random>`: a worker's start-up sweep removes the scratch of
  // processes that are gone. Sync calls: this runs on an executor thread, where a few syscalls
  // beat hops through libuv's pool, which every thread of the worker shares.
  const tmp = dirSync({ prefix: prefix.replace(/-$/, ''), unsafeCleanup: true });
  const root = tmp.name;
  try {
    const statePath = invocation.stateManifest ? join(root, 'state') : null;
    const ws = { root, targetPath: join(root, 'target'), logPath: join(root, 'logs'), statePath };
    // dbt creates its target dir itself; only a seed needs it up front.
    if (invocation.partialParse) {
      mkdirSync(ws.targetPath);
      writeFileSync(join(ws.targetPath, 'partial_parse.msgpack'), invocation.partialParse);
    }
    if (statePath && invocation.stateManifest) {
      mkdirSync(statePath);
      writeFileSync(join(statePath, 'manifest.json'), invocation.stateManifest);
    }
    return await fn(ws);
  } finally {
    tmp.removeCallback();
  }
}

/** A parse's result (both engine modes): the manifest at `manifestPath`, dbt's partial-parse file if it wrote one. */
export async function parsedResult(manifestPath: string, ws: Workspace): Promise<ExecutorResult> {
  const manifestJson = await readFile(manifestPath, 'utf8');
  const partialParse = await readFile(join(ws.targetPath, 'partial_parse.msgpack')).catch(() => null);
  return { type: 'parsed', manifestJson, partialParse: partialParse ? new Uint8Array(partialParse) : null };
}

/** Arguments every dbt invocation gets: explicit project, profile and scratch paths. */
export function commonArgs(invocation: DbtInvocation, ws: Workspace): string[] {
  const args = [
    '--project-dir', invocation.projectDir,
    '--profiles-dir', invocation.profilesDir,
    '--target-path', ws.targetPath,
    '--log-path', ws.logPath,
  ];
  if (invocation.target) args.push('--target', invocation.target);
  if (Object.keys(invocation.vars).length > 0) args.push('--vars', JSON.stringify(invocation.vars));
  return args;
}

/** Global flags placed before the subcommand. */
export const GLOBAL_ARGS = ['--no-use-colors', '--no-send-anonymous-usage-stats', '--no-version-check'];

/** Environment tweaks that keep dbt from writing outside the workspace. */
export function dbtEnv(invocation: DbtInvocation, ws: Workspace): Record<string, string> {
  return {
    ...invocation.env,
    DBT_SEND_ANONYMOUS_USAGE_STATS: 'false',
    DBT_LOG_LEVEL_FILE: 'none',
    DBT_LOG_PATH: ws.logPath,
    DBT_TARGET_PATH: ws.targetPath,
    HOME: invocation.env['HOME'] ?? ws.root,
    // dbt reads these for every command that has the flags, and ignores them elsewhere.
    ...(ws.statePath ? { DBT_STATE: ws.statePath } : {}),
    ...(ws.statePath && invocation.defer ? { DBT_DEFER: 'true' } : {}),
    ...runSettingsEnv(invocation),
  };
}

/** The run's microbatch window, as the environment variables dbt reads for --event-time-start/-end. */
function runSettingsEnv(invocation: DbtInvocation): Record<string, string> {
  const out: Record<string, string> = {};
  const run = invocation.run;
  if (run?.event_time_start) out['DBT_EVENT_TIME_START'] = run.event_time_start;
  if (run?.event_time_end) out['DBT_EVENT_TIME_END'] = run.event_time_end;
  return out;
}
