// Runs the CLI as a user types it: from a chosen directory, with a chosen environment.
import { execa } from 'execa';
import { CLI } from './paths.js';

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** `dbt-temporal <args>` from `cwd` (stdout and stderr are pipes, so output is plain). */
export async function cli(args: string[], opts: { env: Record<string, string | undefined>; cwd?: string; bin?: string; timeoutMs?: number }): Promise<CliResult> {
  const cmd = opts.bin ?? 'node';
  const r = await execa(cmd, opts.bin ? args : [CLI, ...args], { env: opts.env, ...(opts.cwd ? { cwd: opts.cwd } : {}), reject: false, timeout: opts.timeoutMs ?? 300_000 });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/** unique ids of a `--json` run's node results, sorted. */
export function resultIds(stdout: string): string[] {
  const out = JSON.parse(stdout) as { node_results: { unique_id: string }[] };
  return out.node_results.map((r) => r.unique_id).sort();
}
