// Where the project and profiles are when the CLI is not told, found as dbt finds them.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { UsageError } from './parse-argv.js';

/** --project-dir, else the nearest directory from `cwd` up that has a dbt_project.yml (dbt's rule). */
export function findProjectDir(flag: string | undefined, cwd: string): string {
  if (flag !== undefined) {
    const dir = resolve(cwd, flag);
    if (!existsSync(join(dir, 'dbt_project.yml'))) throw new UsageError(`--project-dir ${flag}: no dbt_project.yml in ${dir}`);
    return dir;
  }
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'dbt_project.yml'))) return dir;
    if (dirname(dir) === dir) break;
  }
  throw new UsageError(`no dbt_project.yml in ${cwd} or any directory above it: run from inside a dbt project or pass --project-dir`);
}

/**
 * --profiles-dir, else DBT_PROFILES_DIR, else the first of the project dir, the current dir and
 * ~/.dbt that holds a profiles.yml.
 */
export function findProfilesDir(flag: string | undefined, env: Record<string, string | undefined>, projectDir: string, cwd: string): string {
  const given = flag ?? (env['DBT_PROFILES_DIR']?.trim() || undefined);
  const candidates = given !== undefined ? [resolve(cwd, given)] : [projectDir, resolve(cwd), join(homedir(), '.dbt')];
  const found = candidates.find((dir) => existsSync(join(dir, 'profiles.yml')));
  if (found) return found;
  const where = flag !== undefined ? '--profiles-dir' : given !== undefined ? 'DBT_PROFILES_DIR' : 'the project dir, the current dir or ~/.dbt';
  throw new UsageError(`no profiles.yml in ${where} (${candidates.join(', ')})`);
}

/** The `name:` of the project in `dir`, or null when there is none. */
export function projectNameIn(dir: string): string | null {
  try {
    const doc = parseYaml(readFileSync(join(dir, 'dbt_project.yml'), 'utf8')) as { name?: unknown } | null;
    return typeof doc?.name === 'string' ? doc.name : null;
  } catch {
    return null;
  }
}
