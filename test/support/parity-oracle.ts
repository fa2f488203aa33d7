// Plain dbt as the parity oracle for a whole DbtRunInput: the same command, selection and run
// options as dbt CLI flags, statuses read from run_results.json (sources.json for freshness).
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import type { DbtRunInput, DbtRunOutput } from '../../src/shared/contracts.js';
import { DBT } from './paths.js';

export interface OracleResult {
  exitCode: number;
  /** unique_id -> status, project hooks (`operation.*`) left out. */
  statuses: Map<string, string>;
  stdout: string;
}

const SUBCOMMANDS: Record<string, string[]> = { 'source-freshness': ['source', 'freshness'], list: ['ls'] };

/** The dbt CLI arguments equivalent to a workflow input (without project/profiles/paths). */
export function dbtArgs(input: DbtRunInput): string[] {
  const command = input.command ?? 'build';
  const args = [...(SUBCOMMANDS[command] ?? [command])];
  if (input.select) args.push('--select', input.select);
  if (input.exclude) args.push('--exclude', input.exclude);
  if (input.indirect_selection) args.push('--indirect-selection', input.indirect_selection);
  if (input.vars) args.push('--vars', JSON.stringify(input.vars));
  if (input.target) args.push('--target', input.target);
  if (input.full_refresh) args.push('--full-refresh');
  if (input.fail_fast) args.push('--fail-fast');
  // dbt's flags take a naive UTC datetime; the workflow input is RFC 3339.
  const naive = (t: string) => t.replace(/(Z|[+-]00:00)$/, '');
  if (input.event_time_start) args.push('--event-time-start', naive(input.event_time_start));
  if (input.event_time_end) args.push('--event-time-end', naive(input.event_time_end));
  return args;
}

/** Node statuses of a run's output, project hooks (`operation.*`) left out. */
export function nodeStatuses(output: DbtRunOutput | null | undefined): Map<string, string> {
  return new Map((output?.node_results ?? []).filter((r) => !r.unique_id.startsWith('operation.')).map((r) => [r.unique_id, r.status]));
}

/** Map entries sorted by key, for readable equality diffs. */
export function sorted(m: Map<string, string>): [string, string][] {
  return [...m.entries()].sort(([a], [b]) => a.localeCompare(b));
}

async function readStatuses(targetPath: string): Promise<Map<string, string>> {
  const statuses = new Map<string, string>();
  for (const file of ['run_results.json', 'sources.json']) {
    try {
      const doc = JSON.parse(await readFile(join(targetPath, file), 'utf8')) as { results: { unique_id: string; status: string }[] };
      for (const r of doc.results) if (!r.unique_id.startsWith('operation.')) statuses.set(r.unique_id, r.status);
      return statuses;
    } catch {
      // try the next artifact
    }
  }
  return statuses;
}

/**
 * Runs `dbt <args>` on a project; `targetPath` keeps dbt's target dir across calls (for
 * `dbt retry`), otherwise a temp dir is used and removed. The project dir stays untouched.
 */
export async function runDbtArgs(projectDir: string, args: string[], env: Record<string, string>, targetPath?: string): Promise<OracleResult> {
  const scratch = await mkdtemp(join(tmpdir(), 'parity-oracle-'));
  const target = targetPath ?? join(scratch, 'target');
  try {
    await rm(join(target, 'run_results.json'), { force: true });
    await rm(join(target, 'sources.json'), { force: true });
    const r = await execa(DBT, [...args, '--project-dir', projectDir, '--profiles-dir', projectDir,
      '--target-path', target, '--log-path', join(scratch, 'logs')], {
      cwd: scratch, env: { ...process.env, ...env, DBT_SEND_ANONYMOUS_USAGE_STATS: 'false' }, reject: false,
    });
    return { exitCode: r.exitCode ?? -1, statuses: await readStatuses(target), stdout: String(r.stdout) };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** Runs the plain-dbt equivalent of a workflow input (its `env` on top of `env`). */
export async function runOracle(projectDir: string, input: DbtRunInput, env: Record<string, string>, targetPath?: string): Promise<OracleResult> {
  return runDbtArgs(projectDir, dbtArgs(input), { ...env, ...(input.env ?? {}) }, targetPath);
}

/** `dbt ls` unique ids (every resource type unless args say otherwise), sorted. */
export async function dbtLsIds(projectDir: string, args: string[], env: Record<string, string>): Promise<string[]> {
  const r = await runDbtArgs(projectDir, ['ls', '--output', 'json', '--output-keys', 'unique_id', '--quiet', ...args], env);
  if (r.exitCode !== 0) throw new Error(`dbt ls ${args.join(' ')} failed:\n${r.stdout}`);
  return r.stdout.split('\n').filter((l) => l.trim().startsWith('{')).map((l) => (JSON.parse(l) as { unique_id: string }).unique_id).sort();
}
