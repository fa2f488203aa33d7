// Plain dbt (same venv) as the oracle: run a command on a project and read its run_results.json.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { DBT } from './paths.js';

export interface OracleRun {
  exitCode: number;
  statuses: Map<string, string>;
  output: string;
}

/** Runs `dbt <args>` with target/log paths in a temp dir (the project stays untouched). */
export async function runPlainDbt(projectDir: string, args: string[], env: Record<string, string>, opts: { cwd?: string } = {}): Promise<OracleRun> {
  const scratch = await mkdtemp(join(tmpdir(), 'dbt-oracle-'));
  try {
    const r = await execa(DBT, [...args, '--project-dir', projectDir, '--profiles-dir', projectDir,
      '--target-path', join(scratch, 'target'), '--log-path', join(scratch, 'logs')], {
      cwd: opts.cwd ?? scratch, env: { ...process.env, ...env, DBT_SEND_ANONYMOUS_USAGE_STATS: 'false' }, reject: false,
    });
    const statuses = new Map<string, string>();
    try {
      const doc = JSON.parse(await readFile(join(scratch, 'target', 'run_results.json'), 'utf8')) as { results: { unique_id: string; status: string }[] };
      for (const res of doc.results) statuses.set(res.unique_id, res.status);
    } catch {
      // no run_results.json (e.g. `ls`)
    }
    return { exitCode: r.exitCode ?? -1, statuses, output: String(r.stdout) };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** `dbt ls` unique ids for a selection (resource types as given). */
export async function plainDbtLs(projectDir: string, args: string[], env: Record<string, string>): Promise<string[]> {
  const r = await runPlainDbt(projectDir, ['ls', '--output', 'json', '--output-keys', 'unique_id', '--quiet', ...args], env);
  return r.output.split('\n').filter((l) => l.trim().startsWith('{')).map((l) => (JSON.parse(l) as { unique_id: string }).unique_id).sort();
}
